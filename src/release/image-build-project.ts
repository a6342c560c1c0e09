import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
import { buildImageFor } from './build-environment';
import { imageBuildSpec } from './image-build-spec';
import type { CpuArchitecture, DockerHubCredentials } from '../config';
import { encryptedLogGroup, type LogSettings } from '../logs/log-settings';

export interface ImageBuildProjectProps {
  readonly projectName: string;
  /** The role's fixed name, so that CloudTrail and the IAM console say whose calls these are. */
  readonly roleName: string;
  readonly imageRepository: ecr.IRepository;
  /** Its fixed name (src/config/physical-names.ts), so the project's variables hold no reference to resolve. */
  readonly imageRepositoryName: string;
  readonly sourceRepository: codecommit.IRepository;
  /** The app pipeline's artifact store of this region, where the build reads its source and writes its output. */
  readonly artifacts: ArtifactStore;
  /** The regions with a stage: one image definitions file each. */
  readonly imageRegions: readonly string[];
  readonly cpuArchitecture: CpuArchitecture;
  readonly dockerHub?: DockerHubCredentials;
  readonly logs: LogSettings;
}

/**
 * The one image build of the platform: the app pipeline's Build action runs it for every push, and the
 * meta-pipeline's seed step runs it once on the repository's branch for the first stage of a new platform.
 * It builds, pushes the commit's tag, and writes image definitions that name the image by digest.
 */
export class ImageBuildProject extends Construct {
  public readonly project: codebuild.PipelineProject;
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: ImageBuildProjectProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'The app image build: pushes to the release repository, writes the app pipeline artifacts',
    });
    this.project = new codebuild.PipelineProject(this, 'Project', {
      projectName: props.projectName,
      role: this.role,
      description: 'Builds the app image once per commit, pushes it to ECR and writes image definitions by digest',
      buildSpec: codebuild.BuildSpec.fromObject(imageBuildSpec(props.dockerHub)),
      environment: {
        buildImage: buildImageFor(props.cpuArchitecture),
        computeType: codebuild.ComputeType.SMALL,
        // Docker-in-Docker needs it; the project runs nothing but this build spec.
        privileged: true,
        environmentVariables: {
          // Built from the fixed name, not read from the repository's stack: nothing to resolve at deploy time.
          IMAGE_REPOSITORY_URI: { value: `${Stack.of(this).account}.dkr.ecr.${Stack.of(this).region}.amazonaws.com/${props.imageRepositoryName}` },
          IMAGE_REGIONS: { value: props.imageRegions.join(' ') },
        },
      },
      cache: codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER),
      // CodeBuild encrypts its output artifacts with the project's key, not the pipeline's (aws/aws-cdk#4182):
      // it must be the artifact store's, which every later action and every stage's deploy role can read.
      encryptionKey: props.artifacts.key,
      logging: { cloudWatch: { logGroup: encryptedLogGroup(this, 'Logs', props.logs) } },
      timeout: Duration.minutes(30),
      queuedTimeout: Duration.hours(1),
    });
    props.artifacts.bucket.grantReadWrite(this.project);
    props.imageRepository.grantPullPush(this.project);
    props.imageRepository.grant(this.project, 'ecr:DescribeImages');
    // The seed step starts this project on a branch of the app repository, outside any pipeline.
    props.sourceRepository.grantPull(this.project);
    this.grantDockerHubCredentials(props.dockerHub);
  }

  private grantDockerHubCredentials(dockerHub: DockerHubCredentials | undefined): void {
    if (!dockerHub) return;
    const stack = Stack.of(this);
    if ('secretsManagerSecretName' in dockerHub) {
      this.project.addToRolePolicy(new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends six random characters to a secret's ARN.
        resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${dockerHub.secretsManagerSecretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }));
      return;
    }
    this.project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameters'],
      resources: [dockerHub.usernameParameterName, dockerHub.passwordParameterName].map((name) =>
        stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') })),
    }));
  }
}
