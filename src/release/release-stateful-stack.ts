import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type ImagePuller, ImageRepository } from './image-repository';
import { SourceRepository } from './source-repository';
import type { PlatformConfig } from '../config';
import { releaseNames } from '../config/physical-names';
import { removalPolicyFor } from '../retention';

export interface ReleaseStatefulStackProps extends StackProps {
  readonly config: PlatformConfig;
  /** The stages' task execution roles in this region, which pull from the repository here. */
  readonly pullers: readonly ImagePuller[];
}

/**
 * What the app's release keeps that nobody can rebuild: its git history and its images, in the toolchain
 * account and region. Construct ids here are part of the contract: renaming one replaces the resource.
 */
export class ReleaseStatefulStack extends Stack {
  public readonly source: SourceRepository;
  public readonly images: ImageRepository;

  public constructor(scope: Construct, id: string, props: ReleaseStatefulStackProps) {
    const { config } = props;
    const retain = config.toolchain.retention === 'retain';
    // CDK Pipelines cannot set this itself; the meta-pipeline's Protect step applies it (src/pipeline/steps).
    super(scope, id, { ...props, terminationProtection: retain });
    const names = releaseNames(config.app.name);
    const removalPolicy = removalPolicyFor(config.toolchain.retention);

    this.source = new SourceRepository(this, 'Source', { repositoryName: names.repository, branch: config.app.branch, removalPolicy });
    this.images = new ImageRepository(this, 'Images', { repositoryName: names.repository, removalPolicy, maxImages: 50 });
    this.images.allowPullBy(props.pullers);

    new CfnOutput(this, 'CodeCommitCloneUrlHttps', { value: this.source.repository.repositoryCloneUrlHttp });
    new CfnOutput(this, 'CodeCommitCloneUrlGrc', { value: this.source.repository.repositoryCloneUrlGrc });
    new CfnOutput(this, 'EcrRepositoryUri', { value: this.images.repository.repositoryUri });
  }
}
