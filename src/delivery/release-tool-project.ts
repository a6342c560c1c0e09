import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { encryptedLogGroup, type LogSettings } from '../logs/log-settings';

export interface ReleaseToolProjectProps {
  readonly projectName: string;
  readonly description: string;
  readonly buildSpec: Record<string, unknown>;
  readonly environmentVariables: Record<string, string>;
  /** The app pipeline's artifact key: these projects read and write its artifacts. */
  readonly encryptionKey: kms.IKey;
  readonly logs: LogSettings;
}

/**
 * A small CodeBuild project that runs one step of a release with the AWS CLI (copy, mark live, check):
 * no Docker, no source of its own, a log group that follows the stack's retention.
 */
export class ReleaseToolProject extends Construct {
  public readonly project: codebuild.PipelineProject;

  public constructor(scope: Construct, id: string, props: ReleaseToolProjectProps) {
    super(scope, id);
    this.project = new codebuild.PipelineProject(this, 'Project', {
      projectName: props.projectName,
      description: props.description,
      buildSpec: codebuild.BuildSpec.fromObject(props.buildSpec),
      environment: {
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
        computeType: codebuild.ComputeType.SMALL,
        environmentVariables: Object.fromEntries(Object.entries(props.environmentVariables).map(([name, value]) => [name, { value }])),
      },
      encryptionKey: props.encryptionKey,
      logging: { cloudWatch: { logGroup: encryptedLogGroup(this, 'Logs', props.logs) } },
      timeout: Duration.minutes(20),
    });
  }
}
