import { CfnResource, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CodePipeline, CodePipelineSource, ManualApprovalStep, ShellStep, type Step } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { BUILD_COMMANDS, COMPLIANCE_REPORT_DIRECTORY, INSTALL_COMMANDS } from './build-commands';
import type { PlatformConfig, StageConfig } from '../config';
import { allowConnectionUnderItsPrefix } from './source-connection';
import { releaseNames } from '../config/physical-names';
import { seedStagesStep } from './steps/seed-stages-step';
import { serviceCheckStep } from './steps/service-check-step';
import { protectStacksStep, recoverFailedCreatesStep } from './steps/stack-steps';
import { DeliveryStage } from '../delivery/delivery-stage';
import { waitForRolePolicies } from '../iam/wait-for-policies';
import { encryptedLogGroup, logSettingsFor } from '../logs/log-settings';
import { NotificationTopic } from '../notifications/notification-topic';
import { NotificationsServiceRole } from '../notifications/notifications-service-role';
import { ReleaseStage } from '../release/release-stage';
import { removalPolicyFor } from '../retention';
import { WorkloadStage } from '../stages/workload-stage';
import { lockedToolVersions } from '../toolchain/locked-tool-versions';
import { codeBuildNodeRuntime } from '../toolchain/node-runtime';

export interface DeliveryPipelineStackProps extends StackProps {
  readonly config: PlatformConfig;
  /**
   * A configuration file the synth step must be told about (named by -c or PLATFORM_CONFIG), relative to the
   * repository root; none: the step finds config/platform.yaml itself, or uses the example.
   */
  readonly configFile?: string;
}

/**
 * The meta-pipeline: GitHub → synth (build, tests, compliance gate) → self-mutation → the app's release
 * (repositories and image build) → each stage in order, with a post-deploy service check where configured
 * and a manual approval before stages that ask for one → the app pipeline, which then promotes every app
 * release through the same stages (docs/adr/0005).
 */
export class DeliveryPipelineStack extends Stack {
  public readonly pipeline: CodePipeline;
  public readonly release: ReleaseStage;
  public readonly stages: WorkloadStage[] = [];
  public readonly delivery: DeliveryStage;

  public constructor(scope: Construct, id: string, props: DeliveryPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const tools = lockedToolVersions();
    const pipelineName = releaseNames(config.app.name).metaPipeline;
    const removalPolicy = removalPolicyFor(config.toolchain.retention);
    const logSettings = logSettingsFor(this, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy });
    const buildLogs = encryptedLogGroup(this, 'BuildLogs', logSettings);

    const synth = new ShellStep('Synth', {
      input: CodePipelineSource.connection(config.source.repository, config.source.branch, {
        connectionArn: config.source.connectionArn,
        triggerOnPush: true,
      }),
      env: props.configFile ? { PLATFORM_CONFIG: props.configFile } : {},
      installCommands: [...INSTALL_COMMANDS],
      commands: [...BUILD_COMMANDS],
      primaryOutputDirectory: 'cdk.out',
    });
    // Kept as a pipeline artifact of its own, so a failed gate's report can be read from the execution.
    synth.addOutputDirectory(COMPLIANCE_REPORT_DIRECTORY);

    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      crossAccountKeys: true,
      enableKeyRotation: true,
      publishAssetsInParallel: false,
      useChangeSets: false,
      cliVersion: tools.cdkCli,
      cdkAssetsCliVersion: tools.cdkAssets,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.MEDIUM },
        // The npm cache survives between runs on the same build host, so `npm ci` downloads only what changed.
        cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM, codebuild.LocalCacheMode.SOURCE),
        partialBuildSpec: codebuild.BuildSpec.fromObject({ ...codeBuildNodeRuntime(), cache: { paths: ['/root/.npm/**/*'] } }),
        logging: { cloudWatch: { logGroup: buildLogs } },
      },
    });

    this.release = new ReleaseStage(this, 'release', { config });
    for (const stageConfig of config.stages) {
      this.stages.push(new WorkloadStage(this, stageConfig.name, { config, stage: stageConfig }));
    }
    this.delivery = new DeliveryStage(this, 'delivery', { config });
    const everyStack = [...this.release.stacks, ...this.stages.map((stage) => stage.service), ...this.delivery.stacks];

    this.pipeline.addStage(this.release, {
      pre: [recoverFailedCreatesStep(everyStack, config.bootstrapQualifier)],
      post: [seedStagesStep(this, config)],
    });
    const reviewUrl = `https://${this.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${this.region}`;
    let previous: StageConfig | undefined;
    for (const stage of this.stages) {
      const stageConfig = stage.config;
      const pre: Step[] = [];
      if (stageConfig.requiresApproval) {
        pre.push(new ManualApprovalStep(`PromoteTo-${stageConfig.name}`, { comment: promotionComment(stageConfig, previous), reviewUrl }));
      }
      const checkFunction = stage.service.checkFunctionName;
      const post: Step[] = checkFunction ? [serviceCheckStep(this, stageConfig, checkFunction)] : [];
      this.pipeline.addStage(stage, { pre, post });
      previous = stageConfig;
    }
    this.pipeline.addStage(this.delivery, { post: protectStacksStep(everyStack, config.bootstrapQualifier) });

    this.pipeline.buildPipeline();
    allowConnectionUnderItsPrefix(this.pipeline.pipeline, config.source.connectionArn);
    waitForRolePolicies(this.pipeline.pipeline);
    // CDK Pipelines retains its artifact buckets and keys (the replication ones of other regions too) by
    // default, whatever the toolchain's retention says.
    this.pipeline.pipeline.artifactBucket.applyRemovalPolicy(removalPolicy);
    this.pipeline.pipeline.artifactBucket.encryptionKey?.applyRemovalPolicy(removalPolicy);
    for (const support of Object.values(this.pipeline.pipeline.crossRegionSupport)) {
      for (const resource of support.stack.node.findAll().filter(CfnResource.isCfnResource)) {
        if (['AWS::S3::Bucket', 'AWS::KMS::Key'].includes(resource.cfnResourceType)) resource.applyRemovalPolicy(removalPolicy);
      }
    }
    // The first notification rule of an account cannot be created before CodeStar Notifications' service-linked
    // role exists; this stack is the first the toolchain account deploys, so it makes sure it does.
    const serviceRole = new NotificationsServiceRole(this, 'NotificationsServiceRole', { logs: logSettings });
    const notifications = new NotificationTopic(this, 'Notifications', { emails: config.notifications.emails });
    notifications.notifyOn(this.pipeline.pipeline, releaseNames(config.app.name).metaPipelineNotifications, [
      codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
      codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
    ], [serviceRole]);
  }
}

/** What the approver is asked, and what to look at first: the previous stage's check, when it has one. */
function promotionComment(stage: StageConfig, previous: StageConfig | undefined): string {
  if (!previous) return `Deploy to ${stage.name}?`;
  if (!previous.postDeployCheck) return `Deploy to ${stage.name}? ${previous.name} has no post-deploy check: look at ${previous.name} yourself first.`;
  return `Deploy to ${stage.name}? First open this execution and check that ${previous.name}-ServiceCheck succeeded: its log shows what ${previous.name} answered.`;
}
