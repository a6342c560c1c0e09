import { CfnWaitCondition, CfnWaitConditionHandle, type Duration } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';

export interface FirstImageProps {
  readonly buildProject: codebuild.IProject;
  readonly sourceRepository: codecommit.IRepository;
  readonly branch: string;
  readonly logRetention: logs.RetentionDays;
  readonly logEncryptionKey: kms.IKey;
  /** How long CloudFormation waits for the first image before it fails the stack. */
  readonly timeout: Duration;
}

/**
 * Builds the seeded app once when a stage is created, and holds CloudFormation until the image exists.
 *
 * A service created while its repository is empty never stabilises. So the stack starts the image build
 * directly (the app pipeline needs the service, so it cannot come first), the build tags its image `live`
 * and signals a wait condition, and the service depends on that condition. See docs/adr/0002.
 */
export class FirstImage extends Construct {
  /** Resources that must wait for the first image depend on this. */
  public readonly ready: IDependable;

  public constructor(scope: Construct, id: string, props: FirstImageProps) {
    super(scope, id);
    const handle = new CfnWaitConditionHandle(this, 'Handle');
    const waitCondition = new CfnWaitCondition(this, 'Built', {
      handle: handle.ref,
      count: 1,
      timeout: String(props.timeout.toSeconds()),
    });

    props.sourceRepository.grantPull(props.buildProject);
    const start = new cr.AwsCustomResource(this, 'StartBuild', {
      resourceType: 'Custom::FirstImageBuild',
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'StartBuildLogs', { retention: props.logRetention, encryptionKey: props.logEncryptionKey }),
      // Only on create: an update of the stage must never rebuild or move `live` behind the pipeline's back.
      onCreate: {
        service: 'CodeBuild',
        action: 'startBuild',
        parameters: {
          projectName: props.buildProject.projectName,
          sourceTypeOverride: 'CODECOMMIT',
          sourceLocationOverride: props.sourceRepository.repositoryCloneUrlHttp,
          sourceVersion: `refs/heads/${props.branch}`,
          artifactsOverride: { type: 'NO_ARTIFACTS' },
          environmentVariablesOverride: [
            { name: 'PUBLISH_LIVE_TAG', value: 'true', type: 'PLAINTEXT' },
            // A pre-signed URL that can only post a signal to this one wait condition, not a credential.
            { name: 'FIRST_IMAGE_SIGNAL_URL', value: handle.ref, type: 'PLAINTEXT' },
          ],
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('build.id'),
        outputPaths: ['build.id'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['codebuild:StartBuild'], resources: [props.buildProject.projectArn] }),
      ]),
    });
    waitCondition.node.addDependency(start);
    this.ready = waitCondition;
  }
}
