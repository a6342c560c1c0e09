import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep } from 'aws-cdk-lib/pipelines';
import { BASH } from './bash';
import type { PlatformConfig } from '../../config';
import { releaseNames, stageNames } from '../../config/physical-names';
import { installImageToolCommand } from '../../release/tools/image-tool';

/**
 * After the release is deployed and before any stage, gives every stage that has never run the app the
 * image it must start with, so a new stage converges with no manual step and no rebuild: the digest its
 * previous stage runs, or, for the first stage of a new platform, the first build of the app repository's
 * branch. It writes `live-<stage>` (copying the image into the stage's region first when that is not the
 * toolchain's), the tag the stage's task definition names. A stage that already runs something is left as
 * it is: the app pipeline alone moves its tag from then on.
 */
export function seedStagesStep(scope: Stack, config: PlatformConfig): CodeBuildStep {
  const names = releaseNames(config.app.name);
  const home = config.toolchain.region;
  const repository = names.repository;
  const repositoryArn = (region: string) => scope.formatArn({ partition: 'aws', service: 'ecr', region, resource: 'repository', resourceName: repository });
  const cloneUrl = `https://git-codecommit.${home}.amazonaws.com/v1/repos/${repository}`;

  const commands = config.stages.map((stage, index) => {
    const live = stageNames(config.app.name, stage.name).liveTag;
    const previous = index > 0 ? config.stages[index - 1] : undefined;
    const source = previous
      ? `DIGEST=$(bash "$IMAGE_TOOL" digest ${previous.region} ${repository} ${stageNames(config.app.name, previous.name).liveTag}); `
        + `[ -n "$DIGEST" ] || { echo "${previous.name} runs no release yet, so ${stage.name} has nothing to start from" >&2; exit 1; }; `
        + `echo "${stage.name} starts with what ${previous.name} runs: $DIGEST"`
      : `DIGEST=$(bash "$IMAGE_TOOL" first-build ${names.imageBuildProject} ${cloneUrl} ${config.app.branch}); `
        + '[ -n "$DIGEST" ] || { echo "the first build exported no IMAGE_DIGEST" >&2; exit 1; }; '
        + `echo "${stage.name} starts with the first build of ${config.app.branch}: $DIGEST"`;
    // From where the digest surely is, the region of the stage it comes from (or, for the first build, the
    // toolchain's): the toolchain's copy of an older release may have expired while a stage elsewhere runs it.
    const from = previous?.region ?? home;
    const seed = stage.region === from
      ? `bash "$IMAGE_TOOL" tag ${from} ${repository} "$DIGEST" ${live}`
      : `bash "$IMAGE_TOOL" copy ${from} ${stage.region} ${repository} "$DIGEST" ${live}`;
    return `( set -euo pipefail; CURRENT=$(bash "$IMAGE_TOOL" digest ${stage.region} ${repository} ${live}); `
      + `if [ -n "$CURRENT" ]; then echo "${stage.name} runs $CURRENT"; exit 0; fi; `
      + `${source}; ${seed} )`;
  });

  const regions = [...new Set([home, ...config.stages.map((stage) => stage.region)])];
  return new CodeBuildStep('SeedNewStages', {
    partialBuildSpec: BASH,
    commands: [installImageToolCommand(), ...commands],
    rolePolicyStatements: [
      new iam.PolicyStatement({
        sid: 'ReadAndTagReleaseImages',
        actions: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: regions.map(repositoryArn),
      }),
      ...(regions.length > 1 ? [new iam.PolicyStatement({
        sid: 'CopyImagesBetweenRegions',
        actions: ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
        resources: regions.map(repositoryArn),
      })] : []),
      new iam.PolicyStatement({
        sid: 'BuildTheFirstImage',
        actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:BatchGetProjects'],
        resources: [scope.formatArn({ partition: 'aws', service: 'codebuild', region: home, resource: 'project', resourceName: names.imageBuildProject })],
      }),
    ],
  });
}
