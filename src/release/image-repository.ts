import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LIVE_TAG_PREFIX } from '../app-contract';

export interface ImageRepositoryProps {
  readonly repositoryName: string;
  readonly removalPolicy: RemovalPolicy;
  /** How many images to keep besides those a stage runs; older ones expire. */
  readonly maxImages: number;
}

/** A stage's task execution role, which pulls the image when ECS starts a task. */
export interface ImagePuller {
  readonly account: string;
  readonly roleName: string;
}

/**
 * The app's images in one region of the toolchain account. Commit tags are immutable, so a tag always
 * names the code it was built from; only the `live-<stage>` tags move, and only the app pipeline (and the
 * seed step, for a new stage) moves them.
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
      imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard(`${LIVE_TAG_PREFIX}*`)],
      removalPolicy: props.removalPolicy,
      emptyOnDelete: props.removalPolicy === RemovalPolicy.DESTROY,
      lifecycleRules: [
        // A rule that selects an image keeps lower-priority rules from expiring it. The count is far above
        // the number of stages, so no image a stage runs is ever expired, however many builds never ship.
        { description: 'Never expire an image a stage runs', rulePriority: 1, tagStatus: ecr.TagStatus.TAGGED, tagPatternList: [`${LIVE_TAG_PREFIX}*`], maxImageCount: 100 },
        { description: 'Drop images nobody tagged after a day', rulePriority: 2, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) },
        { description: `Keep the newest ${props.maxImages} images`, rulePriority: 3, tagStatus: ecr.TagStatus.ANY, maxImageCount: props.maxImages },
      ],
    });
  }

  /**
   * Lets exactly these task execution roles pull, from their own accounts. The roles need not exist yet
   * (the stages are deployed after the release), so the policy names their accounts and matches the role
   * by `aws:PrincipalArn` instead of naming a principal ECR would check.
   */
  public allowPullBy(pullers: readonly ImagePuller[]): void {
    const external = pullers.filter((puller) => puller.account !== this.repository.env.account);
    if (external.length === 0) return;
    this.repository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'StageTasksPull',
      principals: [...new Set(external.map((puller) => puller.account))].map((account) => new iam.AccountPrincipal(account)),
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      conditions: {
        ArnEquals: {
          'aws:PrincipalArn': external.map((puller) => Stack.of(this).formatArn({ service: 'iam', region: '', account: puller.account, resource: 'role', resourceName: puller.roleName })),
        },
      },
    }));
  }
}
