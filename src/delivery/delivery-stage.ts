import { DefaultStackSynthesizer, Stage, type Stack, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AppPipelineStack } from './app-pipeline-stack';
import { RegionalArtifactsStack } from './regional-artifacts-stack';
import type { PlatformConfig } from '../config';

export interface DeliveryStageProps extends StageProps {
  readonly config: PlatformConfig;
}

/**
 * The app pipeline, in the toolchain account, deployed after every workload stage: a release can only be
 * sent to stages that exist. Regional artifact stores come first, then the pipeline that uses them.
 */
export class DeliveryStage extends Stage {
  public readonly pipeline: AppPipelineStack;
  public readonly regionalArtifacts: readonly RegionalArtifactsStack[];

  public constructor(scope: Construct, id: string, props: DeliveryStageProps) {
    const { config } = props;
    const env = { account: config.toolchain.account, region: config.toolchain.region };
    super(scope, id, { ...props, env });
    const synthesizer = () => new DefaultStackSynthesizer({ qualifier: config.bootstrapQualifier });
    const otherRegions = [...new Set(config.stages.map((stage) => stage.region))].filter((region) => region !== env.region);
    this.regionalArtifacts = otherRegions.map((region) => new RegionalArtifactsStack(this, `Artifacts-${region}`, {
      env: { account: env.account, region },
      config,
      synthesizer: synthesizer(),
    }));
    this.pipeline = new AppPipelineStack(this, 'Pipeline', { env, config, synthesizer: synthesizer() });
    for (const regional of this.regionalArtifacts) this.pipeline.addStackDependency(regional);
  }

  public get stacks(): Stack[] {
    return [...this.regionalArtifacts, this.pipeline];
  }
}
