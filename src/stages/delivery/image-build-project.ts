import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildImageFor } from './build-environment';
import { imageBuildSpec } from './image-build-spec';
import type { DockerHubCredentials, StageConfig } from '../../config';

export interface ImageBuildProjectProps {
  readonly imageRepository: ecr.IRepository;
  readonly cpuArchitecture: StageConfig['cpuArchitecture'];
  readonly dockerHub?: DockerHubCredentials;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly logEncryptionKey: kms.IKey;
}

/** Builds the app's Docker image, pushes it under its commit tag and writes `imagedefinitions.json`. */
export class ImageBuildProject extends Construct {
  public readonly project: codebuild.PipelineProject;

  public constructor(scope: Construct, id: string, props: ImageBuildProjectProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy, encryptionKey: props.logEncryptionKey });
    this.project = new codebuild.PipelineProject(this, 'Project', {
      description: 'Builds the app image from CodeCommit, pushes it to ECR and writes imagedefinitions.json',
      buildSpec: codebuild.BuildSpec.fromObject(imageBuildSpec(props.dockerHub)),
      environment: {
        buildImage: buildImageFor(props.cpuArchitecture),
        computeType: codebuild.ComputeType.SMALL,
        // Docker-in-Docker needs it; the project runs nothing but this build spec.
        privileged: true,
        environmentVariables: {
          IMAGE_REPOSITORY_URI: { value: props.imageRepository.repositoryUri },
        },
      },
      cache: codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER),
      encryptionKey: props.encryptionKey,
      logging: { cloudWatch: { logGroup } },
      timeout: Duration.minutes(30),
      queuedTimeout: Duration.hours(1),
    });
    props.imageRepository.grantPullPush(this.project);
    props.imageRepository.grant(this.project, 'ecr:DescribeImages');
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
