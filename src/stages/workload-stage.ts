import { DefaultStackSynthesizer, Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { ServiceStack } from './service-stack';
import { StatefulStack } from './stateful/stateful-stack';

export interface WorkloadStageProps extends StageProps {
  readonly stage: StageConfig;
  readonly toolchainAccount: string;
  readonly bootstrapQualifier: string;
  readonly notificationEmails: readonly string[];
}

/** One deployment of the app's delivery system (dev, prod, …): what the meta-pipeline deploys per stage. */
export class WorkloadStage extends Stage {
  public readonly stateful: StatefulStack;
  public readonly service: ServiceStack;
  public readonly config: StageConfig;

  public constructor(scope: Construct, id: string, props: WorkloadStageProps) {
    const env = { account: props.stage.account, region: props.stage.region };
    super(scope, id, { ...props, env });
    this.config = props.stage;
    const synthesizer = () => new DefaultStackSynthesizer({ qualifier: props.bootstrapQualifier });
    this.stateful = new StatefulStack(this, 'Stateful', { env, stage: props.stage, synthesizer: synthesizer() });
    this.service = new ServiceStack(this, 'Service', {
      env,
      stage: props.stage,
      stateful: this.stateful,
      toolchainAccount: props.toolchainAccount,
      notificationEmails: props.notificationEmails,
      synthesizer: synthesizer(),
    });
  }
}
