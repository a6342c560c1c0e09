import type { Stack } from 'aws-cdk-lib';
import { ArtifactStore, type RoleReference } from './artifact-store';
import { type ImagePuller, ImageRepository } from './image-repository';
import type { PlatformConfig } from '../config';
import { releaseNames } from '../config/physical-names';
import { removalPolicyFor } from '../retention';

export interface ReleaseStoresProps {
  readonly config: PlatformConfig;
  /** The stages' task execution roles in this region, which pull from the repository here. */
  readonly pullers: readonly ImagePuller[];
  /** The stages' deploy roles in this region, which read image definitions from the artifact store here. */
  readonly deployRoles: readonly RoleReference[];
}

/**
 * What the release keeps in each region that has a stage: the image repository the stages pull from and
 * the app pipeline's artifact store. Added to the stack itself, as `Images` and `Artifacts`, because their
 * construct ids make the logical ids of retained resources: a wrapping construct would replace them.
 */
export function addReleaseStores(stack: Stack, props: ReleaseStoresProps): { images: ImageRepository; artifacts: ArtifactStore } {
  const names = releaseNames(props.config.app.name);
  const removalPolicy = removalPolicyFor(props.config.toolchain.retention);
  const images = new ImageRepository(stack, 'Images', { repositoryName: names.repository, removalPolicy, maxImages: 50 });
  images.allowPullBy(props.pullers);
  const artifacts = new ArtifactStore(stack, 'Artifacts', {
    bucketName: names.artifactBucket(stack.account, stack.region),
    keyAlias: names.artifactKeyAlias,
    removalPolicy,
    artifactDays: 90,
    accessLogDays: 365,
  });
  artifacts.grantReadToRolesOfOtherAccounts(props.deployRoles);
  return { images, artifacts };
}
