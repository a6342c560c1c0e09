import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type ImagePuller, ImageRepository } from './image-repository';
import type { PlatformConfig } from '../config';
import { releaseNames } from '../config/physical-names';
import { removalPolicyFor } from '../retention';

export interface RegionalImagesStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly pullers: readonly ImagePuller[];
}

/**
 * The release's images in a region of a stage other than the toolchain's. A task in a private subnet pulls
 * through its VPC's ECR endpoint, which serves its own region only; the app pipeline copies each release
 * here, byte for byte, before deploying it to a stage of this region.
 */
export class RegionalImagesStack extends Stack {
  public readonly images: ImageRepository;

  public constructor(scope: Construct, id: string, props: RegionalImagesStackProps) {
    const retain = props.config.toolchain.retention === 'retain';
    super(scope, id, { ...props, terminationProtection: retain });
    this.images = new ImageRepository(this, 'Images', {
      repositoryName: releaseNames(props.config.app.name).repository,
      removalPolicy: removalPolicyFor(props.config.toolchain.retention),
      maxImages: 50,
    });
    this.images.allowPullBy(props.pullers);
  }
}
