import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * The meta-pipeline's own steps run their commands with bash. CodeBuild's default on Linux is `sh`, which on
 * the Ubuntu images is dash: no `pipefail`, no `[[`, and a step written for bash would fail only in the field.
 */
export const BASH = codebuild.BuildSpec.fromObject({ env: { shell: 'bash' } });
