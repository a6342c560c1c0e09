import { DefaultStackSynthesizer, Stage, type Stack, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AppPipelineStack } from './app-pipeline-stack';
import type { PlatformConfig } from '../config';
import { releaseNames } from '../config/physical-names';

export interface DeliveryStageProps extends StageProps {
  readonly config: PlatformConfig;
}

/** The app pipeline, in the toolchain account, deployed after every workload stage: a release can only be sent to stages that exist. */
export class DeliveryStage extends Stage {
  public readonly pipeline: AppPipelineStack;

  public constructor(scope: Construct, id: string, props: DeliveryStageProps) {
    const { config } = props;
    const env = { account: config.toolchain.account, region: config.toolchain.region };
    super(scope, id, { ...props, env });
    this.pipeline = new AppPipelineStack(this, 'Pipeline', {
      env,
      config,
      stackName: releaseNames(config.app.name).stack(id, 'Pipeline'),
      synthesizer: new DefaultStackSynthesizer({ qualifier: config.bootstrapQualifier }),
    });
  }

  public get stacks(): Stack[] {
    return [this.pipeline];
  }
}
