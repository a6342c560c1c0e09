import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
import type { ImageRepository } from './image-repository';
import { addReleaseStores, type ReleaseStoresProps } from './release-stores';
import { releaseNames } from '../config/physical-names';

export interface RegionalReleaseStackProps extends StackProps, ReleaseStoresProps {}

/**
 * The release in a region of a stage other than the toolchain's, in the toolchain account: a copy of the
 * image repository (a task in a private subnet pulls through its VPC's ECR endpoint, which serves its own
 * region only; the app pipeline copies each release here, byte for byte) and the app pipeline's artifact
 * store of this region (CodePipeline hands an action its artifacts in the action's region).
 */
export class RegionalReleaseStack extends Stack {
  public readonly images: ImageRepository;
  public readonly artifacts: ArtifactStore;

  public constructor(scope: Construct, id: string, props: RegionalReleaseStackProps) {
    const { config } = props;
    const retain = config.toolchain.retention === 'retain';
    super(scope, id, { ...props, terminationProtection: retain });
    const names = releaseNames(config.app.name);
    ({ images: this.images, artifacts: this.artifacts } = addReleaseStores(this, props));
    // The app pipeline's stack, in the toolchain's region, can only name this key by its alias, which IAM
    // does not authorize on; so the pipeline role's rights to this store are granted here, by the key's ARN.
    const pipelineRole = iam.Role.fromRoleName(this, 'AppPipelineRole', names.pipelineRole);
    this.artifacts.bucket.grantReadWrite(pipelineRole);
    this.artifacts.key.grantEncryptDecrypt(pipelineRole);
  }
}
