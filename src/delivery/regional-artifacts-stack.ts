import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { artifactKeyAlias } from './app-pipeline-stack';
import { ArtifactStore } from './artifact-store';
import type { PlatformConfig } from '../config';
import { releaseNames, stageNames } from '../config/physical-names';
import { removalPolicyFor } from '../retention';

export interface RegionalArtifactsStackProps extends StackProps {
  readonly config: PlatformConfig;
}

/**
 * The app pipeline's artifact store in a region of a stage other than the toolchain's: CodePipeline copies
 * the image definitions there for the ECS deploy action of that region. Deployed before the pipeline, after
 * the stages, so its policies can name the pipeline role and the deploy roles of this region's stages.
 */
export class RegionalArtifactsStack extends Stack {
  public constructor(scope: Construct, id: string, props: RegionalArtifactsStackProps) {
    super(scope, id, { ...props, terminationProtection: props.config.toolchain.retention === 'retain' });
    const { config } = props;
    const names = releaseNames(config.app.name);
    const store = new ArtifactStore(this, 'Artifacts', {
      bucketName: names.artifactBucket(config.toolchain.account, this.region),
      keyAlias: artifactKeyAlias(config.app.name),
      removalPolicy: removalPolicyFor(config.toolchain.retention),
      artifactDays: 90,
      accessLogDays: 365,
    });
    const role = (account: string, roleName: string) => this.formatArn({ service: 'iam', region: '', account, resource: 'role', resourceName: roleName });
    store.grantToRole([role(config.toolchain.account, names.pipelineRole)], 'read-write');
    store.grantToRole(config.stages.filter((stage) => stage.region === this.region)
      .map((stage) => role(stage.account, stageNames(config.app.name, stage.name).deployRole)), 'read');
  }
}
