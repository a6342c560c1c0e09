import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ImageBuildProject } from './image-build-project';
import type { ReleaseStatefulStack } from './release-stateful-stack';
import type { PlatformConfig } from '../config';
import { releaseNames } from '../config/physical-names';
import { logSettingsFor } from '../logs/log-settings';
import { removalPolicyFor } from '../retention';

export interface ImageBuildStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly stateful: ReleaseStatefulStack;
}

/**
 * The image build, and the role the app pipeline will run as. Both exist before any stage: the seed step
 * builds the first image with the one, and each stage's deploy role trusts the other by name, which IAM
 * accepts only once the role exists. The app pipeline itself comes after the stages (src/delivery).
 */
export class ImageBuildStack extends Stack {
  public readonly build: ImageBuildProject;
  public readonly pipelineRole: iam.Role;

  public constructor(scope: Construct, id: string, props: ImageBuildStackProps) {
    // Protected like the stateful stack: every stage's deploy role, the app pipeline's stack and each regional
    // store grant the app pipeline's role by its name, and a recreated role would come back with none of it.
    super(scope, id, { ...props, terminationProtection: props.config.toolchain.retention === 'retain' });
    const { config } = props;
    const names = releaseNames(config.app.name);
    const logSettings = logSettingsFor(this, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: removalPolicyFor(config.toolchain.retention) });

    this.build = new ImageBuildProject(this, 'ImageBuild', {
      projectName: names.imageBuildProject,
      roleName: names.imageBuildRole,
      imageRepository: props.stateful.images.repository,
      imageRepositoryName: names.repository,
      artifacts: props.stateful.artifacts,
      sourceRepository: props.stateful.source.repository,
      imageRegions: [...new Set(config.stages.map((stage) => stage.region))],
      cpuArchitecture: config.app.cpuArchitecture,
      dockerHub: config.app.dockerHubCredentials,
      logs: logSettings,
    });

    this.pipelineRole = new iam.Role(this, 'AppPipelineRole', {
      roleName: names.pipelineRole,
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      description: 'The app pipeline: its permissions are attached where the pipeline and its artifact stores are defined',
    });
  }
}
