import type { App } from 'aws-cdk-lib';
import { acknowledgeAcceptedFindings } from './compliance/acknowledgements';
import { enableComplianceGate } from './compliance/gate';
import type { PlatformConfig } from './config';
import { releaseNames } from './config/physical-names';
import { DeliveryPipelineStack } from './pipeline/delivery-pipeline-stack';

export interface PlatformAppOptions {
  /** A configuration file named explicitly, relative to the repository root, for the pipeline's own synth step. */
  readonly configFile?: string;
}

/** Everything `cdk synth` produces: the meta-pipeline stack, its stages, and the compliance gate over all of it. */
export function buildPlatform(app: App, config: PlatformConfig, options: PlatformAppOptions = {}): DeliveryPipelineStack {
  enableComplianceGate(app);
  // The construct id is what `cdk deploy DeliveryPipeline` selects; the stack's name carries the app's.
  const pipelineStack = new DeliveryPipelineStack(app, 'DeliveryPipeline', {
    stackName: releaseNames(config.app.name).metaPipelineStack,
    env: { account: config.toolchain.account, region: config.toolchain.region },
    // Deployed by the CDK CLI (the first `cdk deploy`, then the pipeline's self-mutation), which sets this
    // itself: the stack that holds the pipeline, its artifact store and their keys is protected like the release.
    terminationProtection: config.toolchain.retention === 'retain',
    config,
    configFile: options.configFile,
  });
  acknowledgeAcceptedFindings(pipelineStack);
  return pipelineStack;
}
