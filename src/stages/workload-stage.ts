import { DefaultStackSynthesizer, Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ServiceStack } from './service-stack';
import type { PlatformConfig, StageConfig } from '../config';
import { releaseNames } from '../config/physical-names';

export interface WorkloadStageProps extends StageProps {
  readonly config: PlatformConfig;
  readonly stage: StageConfig;
}

/** One deployment of the app (dev, prod, …): what the meta-pipeline deploys per configured stage. */
export class WorkloadStage extends Stage {
  public readonly service: ServiceStack;
  public readonly config: StageConfig;

  public constructor(scope: Construct, id: string, props: WorkloadStageProps) {
    const env = { account: props.stage.account, region: props.stage.region };
    super(scope, id, { ...props, env });
    this.config = props.stage;
    this.service = new ServiceStack(this, 'Service', {
      env,
      config: props.config,
      stage: props.stage,
      stackName: releaseNames(props.config.app.name).stack(id, 'Service'),
      synthesizer: new DefaultStackSynthesizer({ qualifier: props.config.bootstrapQualifier }),
    });
  }
}
