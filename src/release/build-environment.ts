import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type { CpuArchitecture } from '../config';

/** The CodeBuild image matching the tasks' CPU architecture, so the image built runs where it is deployed. */
export function buildImageFor(architecture: CpuArchitecture): codebuild.IBuildImage {
  return architecture === 'ARM64'
    ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0
    : codebuild.LinuxBuildImage.AMAZON_LINUX_2023_5;
}
