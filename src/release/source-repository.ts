import * as path from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** The app's own source, shipped in this repository and copied into the CodeCommit repository at creation. */
export const APP_SOURCE_DIRECTORY = path.join(__dirname, '..', '..', 'container');

/** What a developer's clone of the app would not commit: installed or built output. */
const NOT_IN_GIT = ['node_modules', 'dist', 'coverage', '*.log', '.env*'];

export interface SourceRepositoryProps {
  readonly repositoryName: string;
  readonly branch: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The app team's git repository, one for every stage: a push to its branch starts the one app pipeline.
 * Seeded once at creation so there is code to build on day one; CodeCommit ignores later changes to the
 * seed, so the app's history belongs to the app team.
 */
export class SourceRepository extends Construct {
  public readonly repository: codecommit.Repository;

  public constructor(scope: Construct, id: string, props: SourceRepositoryProps) {
    super(scope, id);
    this.repository = new codecommit.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      description: 'Source of the app that runs on ECS Fargate; a push to the pipeline branch releases it to every stage in turn.',
      code: codecommit.Code.fromAsset(new Asset(this, 'Seed', { path: APP_SOURCE_DIRECTORY, exclude: NOT_IN_GIT }), props.branch),
    });
    this.repository.applyRemovalPolicy(props.removalPolicy);
  }
}
