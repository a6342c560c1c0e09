import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { LIVE_IMAGE_TAG } from '../app-constants';

export interface ImageRepositoryProps {
  readonly repositoryName: string;
  readonly removalPolicy: RemovalPolicy;
  /** How many images to keep; older ones expire. */
  readonly maxImages: number;
}

/**
 * The app's images. Commit tags are immutable, so a tag always names the code it was built from;
 * only the `live` tag moves, and only the app pipeline moves it after a successful deploy.
 */
export class ImageRepository extends Construct {
  public readonly repository: ecr.Repository;

  public constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(LIVE_IMAGE_TAG)],
      removalPolicy: props.removalPolicy,
      emptyOnDelete: props.removalPolicy === RemovalPolicy.DESTROY,
      lifecycleRules: [
        // A rule that selects an image keeps lower-priority rules from expiring it: `live` is never expired,
        // however many builds never reach a deploy.
        { description: 'Never expire the image the service runs', rulePriority: 1, tagStatus: ecr.TagStatus.TAGGED, tagPatternList: [LIVE_IMAGE_TAG], maxImageCount: 1 },
        { description: 'Drop images nobody tagged after a day', rulePriority: 2, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) },
        { description: `Keep the newest ${props.maxImages} images`, rulePriority: 3, tagStatus: ecr.TagStatus.ANY, maxImageCount: props.maxImages },
      ],
    });
  }
}
