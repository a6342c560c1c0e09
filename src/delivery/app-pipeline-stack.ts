import { Annotations, ArnFormat, CfnOutput, type CfnResource, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { AppPipeline, type ReleaseTarget } from './app-pipeline';
import { ReleaseToolProject } from './release-tool-project';
import type { PlatformConfig } from '../config';
import { copyImageSpec, markLiveSpec } from './specs/release-specs';
import { serviceCheckCommands } from './specs/service-check-commands';
import { releaseNames, stageNames } from '../config/physical-names';
import { waitForRolePolicies } from '../iam/wait-for-policies';
import { logSettingsFor } from '../logs/log-settings';
import { NotificationTopic } from '../notifications/notification-topic';
import { removalPolicyFor } from '../retention';

export interface AppPipelineStackProps extends StackProps {
  readonly config: PlatformConfig;
}

/**
 * The app pipeline and what only it uses, in the toolchain account. It is deployed after every stage, so
 * each stage's service and deploy role exist when it is created (its first run starts at once), and it
 * finds them, like the release's repositories, artifact stores and image build, by their fixed names.
 */
export class AppPipelineStack extends Stack {
  public readonly appPipeline: AppPipeline;

  public constructor(scope: Construct, id: string, props: AppPipelineStackProps) {
    super(scope, id, { ...props, terminationProtection: props.config.toolchain.retention === 'retain' });
    const { config } = props;
    const names = releaseNames(config.app.name);
    const removalPolicy = removalPolicyFor(config.toolchain.retention);
    const logSettings = logSettingsFor(this, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy });
    const account = config.toolchain.account;
    const repositoryIn = (region: string, constructId: string) => ecr.Repository.fromRepositoryArn(this, constructId,
      this.formatArn({ service: 'ecr', region, resource: 'repository', resourceName: names.repository }));
    const stageRegions = [...new Set(config.stages.map((stage) => stage.region))];

    // The release stage holds the artifact stores (src/release/artifact-store.ts explains why).
    const artifactKey = kms.Key.fromKeyArn(this, 'ArtifactKey', ssm.StringParameter.valueForStringParameter(this, names.artifactKeyParameter));
    const artifactBucket = s3.Bucket.fromBucketAttributes(this, 'Artifacts', { bucketName: names.artifactBucket(account, this.region), encryptionKey: artifactKey });
    const imageBuild = codebuild.Project.fromProjectName(this, 'ImageBuild', names.imageBuildProject);
    Annotations.of(imageBuild).acknowledgeWarning('@aws-cdk/aws-iam:unknownPrincipalAddStatementToRole',
      'The image build project is imported from the release stage, which grants its role the artifact store.');

    const copyImage = new ReleaseToolProject(this, 'CopyImage', {
      projectName: names.copyImageProject,
      description: 'Copies a release image, byte for byte, into the repository of a stage\'s region',
      buildSpec: copyImageSpec(),
      environmentVariables: { REPOSITORY: names.repository, SOURCE_REGION: this.region },
      encryptionKey: artifactKey,
      logs: logSettings,
    }).project;
    const markLive = new ReleaseToolProject(this, 'MarkLive', {
      projectName: names.markLiveProject,
      description: 'Points a stage\'s live tag at the digest just deployed to it',
      buildSpec: markLiveSpec(),
      environmentVariables: { REPOSITORY: names.repository },
      encryptionKey: artifactKey,
      logs: logSettings,
    }).project;
    const serviceCheck = new ReleaseToolProject(this, 'ServiceCheck', {
      projectName: names.serviceCheckProject,
      description: 'Asks a stage\'s in-VPC check function whether the service answers its greeting',
      buildSpec: {
        version: '0.2',
        env: { 'shell': 'bash', 'exported-variables': ['CHECK_RESULT'] },
        phases: { build: { 'on-failure': 'ABORT', 'commands': serviceCheckCommands('$FUNCTION_REGION', '$FUNCTION_ARN') } },
      },
      environmentVariables: {},
      encryptionKey: artifactKey,
      logs: logSettings,
    }).project;

    const central = repositoryIn(this.region, 'ReleaseImages');
    central.grant(copyImage, 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer');
    for (const region of stageRegions) {
      const repository = region === this.region ? central : repositoryIn(region, `ReleaseImages-${region}`);
      repository.grant(markLive, 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage');
      if (region !== this.region) {
        repository.grant(copyImage, 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage', 'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload');
      }
    }

    const targets: ReleaseTarget[] = config.stages.map((stage) => {
      const stageName = stageNames(config.app.name, stage.name);
      const inStage = (service: string, resource: string, resourceName: string) =>
        this.formatArn({ service, account: stage.account, region: service === 'iam' ? '' : stage.region, resource, resourceName });
      const checkFunctionArn = stage.postDeployCheck
        ? this.formatArn({ service: 'lambda', account: stage.account, region: stage.region, resource: 'function', resourceName: stageName.checkFunction, arnFormat: ArnFormat.COLON_RESOURCE_NAME })
        : undefined;
      return {
        name: stage.name,
        region: stage.region,
        service: ecs.BaseService.fromServiceArnWithCluster(this, `Service-${stage.name}`, inStage('ecs', 'service', `${stageName.cluster}/${stageName.service}`)),
        deployRole: iam.Role.fromRoleArn(this, `DeployRole-${stage.name}`, inStage('iam', 'role', stageName.deployRole), { mutable: false }),
        liveTag: stageName.liveTag,
        requiresApproval: stage.requiresApproval,
        checkFunctionArn,
      };
    });
    const checkedFunctions = targets.flatMap((target) => (target.checkFunctionArn ? [target.checkFunctionArn] : []));
    if (checkedFunctions.length > 0) {
      serviceCheck.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: checkedFunctions }));
    }

    // The role exists since the release stage; the policies the pipeline needs are attached to it here.
    const pipelineRole = iam.Role.fromRoleName(this, 'PipelineRole', names.pipelineRole);
    const regionalBuckets = Object.fromEntries(stageRegions.filter((region) => region !== this.region).map((region) => [
      region,
      s3.Bucket.fromBucketAttributes(this, `Artifacts-${region}`, {
        bucketName: names.artifactBucket(account, region),
        region,
        // CodePipeline takes the alias; the regional release stack grants the pipeline role the key itself.
        encryptionKey: kms.Key.fromKeyArn(this, `ArtifactKey-${region}`,
          this.formatArn({ service: 'kms', region, resource: 'alias', resourceName: names.artifactKeyAlias.replace(/^alias\//, '') })),
      }),
    ]));
    this.appPipeline = new AppPipeline(this, 'AppPipeline', {
      pipelineName: names.pipeline,
      role: pipelineRole,
      artifactBuckets: { ...regionalBuckets, [this.region]: artifactBucket },
      sourceRepository: codecommit.Repository.fromRepositoryName(this, 'Source', names.repository),
      branch: config.app.branch,
      imageBuild,
      copyImage,
      markLive,
      serviceCheck,
      buildRegion: this.region,
      targets,
    });
    // The pipeline role is imported (the release created it); its policy here is found by hand.
    waitForRolePolicies(this.appPipeline.pipeline, pipelineRole.node.children.filter((child): child is iam.Policy => child instanceof iam.Policy));

    const notifications = new NotificationTopic(this, 'Notifications', { emails: config.notifications.emails });
    notifications.notifyOn(this.appPipeline.pipeline, names.pipelineNotifications, [
      codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
    ]);

    new CfnOutput(this, 'AppPipelineConsoleUrl', {
      value: `https://${this.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${names.pipeline}/view?region=${this.region}`,
    });
  }
}
