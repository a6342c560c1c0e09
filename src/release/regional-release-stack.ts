import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ArtifactStore, type RoleReference } from './artifact-store';
import { type ImagePuller, ImageRepository } from './image-repository';
import type { PlatformConfig } from '../config';
import { releaseNames } from '../config/physical-names';
import { removalPolicyFor } from '../retention';

export interface RegionalReleaseStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly pullers: readonly ImagePuller[];
  readonly deployRoles: readonly RoleReference[];
}

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
    const removalPolicy = removalPolicyFor(config.toolchain.retention);
    this.images = new ImageRepository(this, 'Images', { repositoryName: names.repository, removalPolicy, maxImages: 50 });
    this.images.allowPullBy(props.pullers);
    this.artifacts = new ArtifactStore(this, 'Artifacts', {
      bucketName: names.artifactBucket(this.account, this.region),
      keyAlias: names.artifactKeyAlias,
      removalPolicy,
      artifactDays: 90,
      accessLogDays: 365,
    });
    this.artifacts.grantReadToRolesOfOtherAccounts(props.deployRoles);
    // The app pipeline's stack, in the toolchain's region, can only name this key by its alias, which IAM
    // does not authorize on; so the pipeline role's rights to this store are granted here, by the key's ARN.
    const pipelineRole = iam.Role.fromRoleName(this, 'AppPipelineRole', names.pipelineRole);
    this.artifacts.bucket.grantReadWrite(pipelineRole);
    this.artifacts.key.grantEncryptDecrypt(pipelineRole);
  }
}
