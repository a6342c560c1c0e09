import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ArtifactBuckets } from './artifact-buckets';
import { ImageRepository } from './image-repository';
import { SourceRepository } from './source-repository';
import type { StageConfig } from '../../config';

export interface StatefulStackProps extends StackProps {
  readonly stage: StageConfig;
}

/**
 * Everything in a stage that holds data nobody can rebuild: the app's git history, its images and the
 * pipeline artifacts. Construct ids here are part of the contract: renaming one replaces the resource.
 */
export class StatefulStack extends Stack {
  public readonly source: SourceRepository;
  public readonly images: ImageRepository;
  public readonly artifacts: ArtifactBuckets;

  public constructor(scope: Construct, id: string, props: StatefulStackProps) {
    const retain = props.stage.retention.statefulResources === 'retain';
    super(scope, id, { ...props, terminationProtection: retain });
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.source = new SourceRepository(this, 'Source', {
      repositoryName: props.stage.appRepository.name,
      branch: props.stage.appRepository.branch,
      removalPolicy,
    });
    this.images = new ImageRepository(this, 'Images', {
      repositoryName: props.stage.appRepository.name.toLowerCase(),
      removalPolicy,
      maxImages: 50,
    });
    this.artifacts = new ArtifactBuckets(this, 'Artifacts', {
      removalPolicy,
      artifactDays: 90,
      accessLogDays: props.stage.retention.logDays,
    });
  }
}
