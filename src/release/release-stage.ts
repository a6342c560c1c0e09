import { DefaultStackSynthesizer, Stage, type Stack, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ImageBuildStack } from './image-build-stack';
import type { ImagePuller } from './image-repository';
import { RegionalImagesStack } from './regional-images-stack';
import { ReleaseStatefulStack } from './release-stateful-stack';
import type { PlatformConfig } from '../config';
import { stageNames } from '../config/physical-names';

export interface ReleaseStageProps extends StageProps {
  readonly config: PlatformConfig;
}

/**
 * The app's release, in the toolchain account, deployed before every workload stage: the CodeCommit
 * repository, the ECR repository (with a copy in each other region that has a stage), and the image build.
 */
export class ReleaseStage extends Stage {
  public readonly stateful: ReleaseStatefulStack;
  public readonly build: ImageBuildStack;
  public readonly regionalImages: readonly RegionalImagesStack[];

  public constructor(scope: Construct, id: string, props: ReleaseStageProps) {
    const { config } = props;
    const env = { account: config.toolchain.account, region: config.toolchain.region };
    super(scope, id, { ...props, env });
    const synthesizer = () => new DefaultStackSynthesizer({ qualifier: config.bootstrapQualifier });
    const pullersIn = (region: string): ImagePuller[] => config.stages
      .filter((stage) => stage.region === region)
      .map((stage) => ({ account: stage.account, roleName: stageNames(config.app.name, stage.name).executionRole }));

    this.stateful = new ReleaseStatefulStack(this, 'Stateful', { env, config, pullers: pullersIn(env.region), synthesizer: synthesizer() });
    this.build = new ImageBuildStack(this, 'Build', { env, config, stateful: this.stateful, synthesizer: synthesizer() });
    const otherRegions = [...new Set(config.stages.map((stage) => stage.region))].filter((region) => region !== env.region);
    this.regionalImages = otherRegions.map((region) => new RegionalImagesStack(this, `Images-${region}`, {
      env: { account: env.account, region },
      config,
      pullers: pullersIn(region),
      synthesizer: synthesizer(),
    }));
  }

  public get stacks(): Stack[] {
    return [this.stateful, this.build, ...this.regionalImages];
  }
}
