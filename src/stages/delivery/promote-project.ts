import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildImageFor } from './build-environment';
import { promoteSpec } from './promote-spec';
import type { StageConfig } from '../../config';

export interface PromoteProjectProps {
  readonly imageRepository: ecr.IRepository;
  readonly cpuArchitecture: StageConfig['cpuArchitecture'];
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly logEncryptionKey: kms.IKey;
}

/** Runs after a successful ECS deploy: the image just deployed becomes `live`, the one the template names. */
export class PromoteProject extends Construct {
  public readonly project: codebuild.PipelineProject;

  public constructor(scope: Construct, id: string, props: PromoteProjectProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy, encryptionKey: props.logEncryptionKey });
    this.project = new codebuild.PipelineProject(this, 'Project', {
      description: 'Moves the live tag to the image the app pipeline just deployed',
      buildSpec: codebuild.BuildSpec.fromObject(promoteSpec()),
      environment: {
        buildImage: buildImageFor(props.cpuArchitecture),
        computeType: codebuild.ComputeType.SMALL,
        environmentVariables: { IMAGE_REPOSITORY_NAME: { value: props.imageRepository.repositoryName } },
      },
      encryptionKey: props.encryptionKey,
      logging: { cloudWatch: { logGroup } },
      timeout: Duration.minutes(10),
    });
    props.imageRepository.grant(this.project, 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage');
  }
}
