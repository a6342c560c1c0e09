import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
import type { ImageRepository } from './image-repository';
import { addReleaseStores, type ReleaseStoresProps } from './release-stores';
import { SourceRepository } from './source-repository';
import { releaseNames } from '../config/physical-names';
import { removalPolicyFor } from '../retention';

export interface ReleaseStatefulStackProps extends StackProps, ReleaseStoresProps {}

/**
 * What the app's release keeps, in the toolchain account and region: its git history, its images, and the
 * app pipeline's artifact store. Construct ids here are part of the contract: renaming one replaces the
 * resource.
 */
export class ReleaseStatefulStack extends Stack {
  public readonly source: SourceRepository;
  public readonly images: ImageRepository;
  public readonly artifacts: ArtifactStore;

  public constructor(scope: Construct, id: string, props: ReleaseStatefulStackProps) {
    const { config } = props;
    const retain = config.toolchain.retention === 'retain';
    // CDK Pipelines cannot set this itself; the meta-pipeline's Protect step applies it (src/pipeline/steps).
    super(scope, id, { ...props, terminationProtection: retain });
    const names = releaseNames(config.app.name);
    const removalPolicy = removalPolicyFor(config.toolchain.retention);

    this.source = new SourceRepository(this, 'Source', { repositoryName: names.repository, branch: config.app.branch, removalPolicy });
    ({ images: this.images, artifacts: this.artifacts } = addReleaseStores(this, props));
    // The app pipeline's stack is another CDK stage, which cannot reference this one: it reads the key's ARN here.
    new ssm.StringParameter(this, 'ArtifactKeyArn', {
      parameterName: names.artifactKeyParameter,
      stringValue: this.artifacts.key.keyArn,
      description: 'The app pipeline\'s artifact key in this region, for the stack of the app pipeline',
    });

    new CfnOutput(this, 'CodeCommitCloneUrlHttps', { value: this.source.repository.repositoryCloneUrlHttp });
    new CfnOutput(this, 'CodeCommitCloneUrlGrc', { value: this.source.repository.repositoryCloneUrlGrc });
    new CfnOutput(this, 'EcrRepositoryUri', { value: this.images.repository.repositoryUri });
  }
}
