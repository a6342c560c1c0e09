import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CodePipeline, CodePipelineSource, ManualApprovalStep, ShellStep, type Step } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import type { PlatformConfig } from '../config';
import { BUILD_COMMANDS, COMPLIANCE_REPORT_DIRECTORY, INSTALL_COMMANDS } from './build-commands';
import { serviceCheckStep } from './service-check-step';
import { lockedToolVersions } from '../toolchain/locked-tool-versions';
import { codeBuildNodeRuntime } from '../toolchain/node-runtime';
import { NotificationTopic } from '../notifications/notification-topic';
import { LogEncryptionKey } from '../stages/log-encryption-key';
import { WorkloadStage } from '../stages/workload-stage';

export const META_PIPELINE_NAME = 'fargate-delivery-platform';

export interface DeliveryPipelineStackProps extends StackProps {
  readonly config: PlatformConfig;
  /** The configuration file, relative to the repository root, that the synth step reads; none: the example. */
  readonly configFile?: string;
}

/**
 * The meta-pipeline: GitHub → synth (build, tests, compliance gate) → self-mutation → each stage in order,
 * with a post-deploy service check where configured and a manual approval before stages that ask for one.
 */
export class DeliveryPipelineStack extends Stack {
  public readonly pipeline: CodePipeline;
  public readonly stages: WorkloadStage[] = [];

  public constructor(scope: Construct, id: string, props: DeliveryPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const tools = lockedToolVersions();
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: new LogEncryptionKey(this, 'BuildLogsEncryption', { removalPolicy: RemovalPolicy.RETAIN }).key,
    });

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
      pipelineName: META_PIPELINE_NAME,
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

    const reviewUrl = `https://${this.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${META_PIPELINE_NAME}/view?region=${this.region}`;
    let previous: string | undefined;
    for (const stageConfig of config.stages) {
      const stage = new WorkloadStage(this, stageConfig.name, {
        stage: stageConfig,
        toolchainAccount: config.toolchain.account,
        bootstrapQualifier: config.bootstrapQualifier,
        notificationEmails: config.notifications.emails,
      });
      this.stages.push(stage);
      const pre: Step[] = [];
      if (stageConfig.requiresApproval) {
        pre.push(new ManualApprovalStep(`PromoteTo-${stageConfig.name}`, {
          comment: previous
            ? `Deploy to ${stageConfig.name}? First open this execution and check that ${previous}-ServiceCheck succeeded: its log shows what ${previous} answered.`
            : `Deploy to ${stageConfig.name}?`,
          reviewUrl,
        }));
      }
      const post: Step[] = stageConfig.postDeployCheck ? [serviceCheckStep(stageConfig, stage.service.checkFunctionName)] : [];
      this.pipeline.addStage(stage, { pre, post });
      previous = stageConfig.name;
    }

    this.pipeline.buildPipeline();
    const notifications = new NotificationTopic(this, 'Notifications', { emails: config.notifications.emails });
    this.pipeline.pipeline.notifyOn('Notifications', notifications.topic, {
      events: [
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
        codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
      ],
    });
  }
}
