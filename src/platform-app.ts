import type { App } from 'aws-cdk-lib';
import { acknowledgeAcceptedFindings } from './compliance/acknowledgements';
import { enableComplianceGate } from './compliance/gate';
import type { PlatformConfig } from './config';
import { DeliveryPipelineStack } from './pipeline/delivery-pipeline-stack';

export interface PlatformAppOptions {
  /** The configuration file, relative to the repository root, for the pipeline's own synth step. */
  readonly configFile?: string;
}

/** Everything `cdk synth` produces: the meta-pipeline stack, its stages, and the compliance gate over all of it. */
export function buildPlatform(app: App, config: PlatformConfig, options: PlatformAppOptions = {}): DeliveryPipelineStack {
  enableComplianceGate(app);
  const pipelineStack = new DeliveryPipelineStack(app, 'DeliveryPipeline', {
    env: { account: config.toolchain.account, region: config.toolchain.region },
    config,
    configFile: options.configFile,
  });
  acknowledgeAcceptedFindings(pipelineStack);
  return pipelineStack;
}
