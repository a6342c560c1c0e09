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
import type { Construct } from 'constructs';
import { AppPipeline, type ReleaseTarget } from './app-pipeline';
import { ArtifactStore } from './artifact-store';
import { ReleaseToolProject } from './release-tool-project';
import type { PlatformConfig } from '../config';
import { copyImageSpec, markLiveSpec } from './specs/release-specs';
import { serviceCheckCommands } from './specs/service-check-commands';
import { releaseNames, stageNames } from '../config/physical-names';
import { logSettingsFor } from '../logs/log-settings';
import { NotificationTopic } from '../notifications/notification-topic';
import { removalPolicyFor } from '../retention';

/** The alias of the app pipeline's artifact key in every region, by which the pipeline names a regional store's key. */
export function artifactKeyAlias(app: string): string {
  return `alias/${app}/release-artifacts`;
}

export interface AppPipelineStackProps extends StackProps {
  readonly config: PlatformConfig;
}

/**
 * The app pipeline and what only it uses, in the toolchain account. It is deployed after every stage, so
 * each stage's service and deploy role exist when it is created (its first run starts at once), and it
 * finds them, like the release's repositories and image build, by their fixed names.
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

    const artifacts = new ArtifactStore(this, 'Artifacts', {
      bucketName: names.artifactBucket(account, this.region),
      keyAlias: artifactKeyAlias(config.app.name),
      removalPolicy,
      artifactDays: 90,
      accessLogDays: 365,
    });
    // The image build project lives with the release (it builds the first image before any stage exists).
    // The pipeline construct can only grant a role it holds, so the store names that project's role itself.
    const imageBuild = codebuild.Project.fromProjectName(this, 'ImageBuild', names.imageBuildProject);
    artifacts.grantToRole([this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: names.imageBuildRole })], 'read-write');
    Annotations.of(imageBuild).acknowledgeWarning('@aws-cdk/aws-iam:unknownPrincipalAddStatementToRole',
      'The image build project is imported from the release stage; the artifact store\'s bucket and key policies grant its role by name.');

    const copyImage = new ReleaseToolProject(this, 'CopyImage', {
      projectName: names.copyImageProject,
      description: 'Copies a release image, byte for byte, into the repository of a stage\'s region',
      buildSpec: copyImageSpec(),
      environmentVariables: { REPOSITORY: names.repository, SOURCE_REGION: this.region },
      encryptionKey: artifacts.key,
      logs: logSettings,
    }).project;
    const markLive = new ReleaseToolProject(this, 'MarkLive', {
      projectName: names.markLiveProject,
      description: 'Points a stage\'s live tag at the digest just deployed to it',
      buildSpec: markLiveSpec(),
      environmentVariables: { REPOSITORY: names.repository },
      encryptionKey: artifacts.key,
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
      encryptionKey: artifacts.key,
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
        // CodePipeline accepts the alias; the regional key's own policy grants the pipeline role.
        encryptionKey: kms.Key.fromKeyArn(this, `ArtifactKey-${region}`,
          this.formatArn({ service: 'kms', region, resource: 'alias', resourceName: artifactKeyAlias(config.app.name).replace(/^alias\//, '') })),
      }),
    ]));
    this.appPipeline = new AppPipeline(this, 'AppPipeline', {
      pipelineName: names.pipeline,
      role: pipelineRole,
      artifactBuckets: { ...regionalBuckets, [this.region]: artifacts.bucket },
      sourceRepository: codecommit.Repository.fromRepositoryName(this, 'Source', names.repository),
      branch: config.app.branch,
      imageBuild,
      copyImage,
      markLive,
      serviceCheck,
      buildRegion: this.region,
      targets,
    });
    // CloudFormation would otherwise create the pipeline, and start its first run, before the role's policy.
    // (On the pipeline resource alone: its action roles are what that policy lets the role assume.)
    const pipelineResource = this.appPipeline.pipeline.node.defaultChild as CfnResource;
    for (const policy of pipelineRole.node.children.filter((child): child is iam.Policy => child instanceof iam.Policy)) {
      pipelineResource.addResourceDependency(policy.node.defaultChild as CfnResource);
    }

    const notifications = new NotificationTopic(this, 'Notifications', { emails: config.notifications.emails });
    notifications.notifyOn(this.appPipeline.pipeline, [
      codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
    ]);

    new CfnOutput(this, 'AppPipelineConsoleUrl', {
      value: `https://${this.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${names.pipeline}/view?region=${this.region}`,
    });
  }
}
