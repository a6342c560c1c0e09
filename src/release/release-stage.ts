import { DefaultStackSynthesizer, Stage, type Stack, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RoleReference } from './artifact-store';
import { ImageBuildStack } from './image-build-stack';
import type { ImagePuller } from './image-repository';
import { RegionalReleaseStack } from './regional-release-stack';
import { ReleaseStatefulStack } from './release-stateful-stack';
import type { PlatformConfig } from '../config';
import { releaseNames, stageNames } from '../config/physical-names';

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
  public readonly regional: readonly RegionalReleaseStack[];

  public constructor(scope: Construct, id: string, props: ReleaseStageProps) {
    const { config } = props;
    const env = { account: config.toolchain.account, region: config.toolchain.region };
    super(scope, id, { ...props, env });
    const synthesizer = () => new DefaultStackSynthesizer({ qualifier: config.bootstrapQualifier });
    const names = releaseNames(config.app.name);
    const stagesIn = (region: string) => config.stages.filter((stage) => stage.region === region);
    const pullersIn = (region: string): ImagePuller[] => stagesIn(region)
      .map((stage) => ({ account: stage.account, roleName: stageNames(config.app.name, stage.name).executionRole }));
    const deployRolesIn = (region: string): RoleReference[] => stagesIn(region)
      .map((stage) => ({ account: stage.account, roleName: stageNames(config.app.name, stage.name).deployRole }));
    const common = (stackId: string) => ({ config, stackName: names.stack(id, stackId), synthesizer: synthesizer() });

    this.stateful = new ReleaseStatefulStack(this, 'Stateful', { ...common('Stateful'), env, pullers: pullersIn(env.region), deployRoles: deployRolesIn(env.region) });
    this.build = new ImageBuildStack(this, 'Build', { ...common('Build'), env, stateful: this.stateful });
    const otherRegions = [...new Set(config.stages.map((stage) => stage.region))].filter((region) => region !== env.region);
    this.regional = otherRegions.map((region) => {
      const regional = new RegionalReleaseStack(this, `Regional-${region}`, {
        ...common(`Regional-${region}`),
        env: { account: env.account, region },
        pullers: pullersIn(region),
        deployRoles: deployRolesIn(region),
      });
      // It grants the app pipeline's role, which the Build stack creates.
      regional.addStackDependency(this.build);
      return regional;
    });
  }

  public get stacks(): Stack[] {
    return [this.stateful, this.build, ...this.regional];
  }
}
