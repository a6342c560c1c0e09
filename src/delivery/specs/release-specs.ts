import { installImageToolCommand } from '../../release/tools/image-tool';

/**
 * Copies the release's image from the toolchain's region into the repository of a stage's region, byte
 * for byte, before the stage is deployed. Project variables: REPOSITORY, SOURCE_REGION; action variables:
 * TARGET_REGION, IMAGE_DIGEST, IMAGE_TAG.
 */
export function copyImageSpec(): Record<string, unknown> {
  return toolSpec(['bash "$IMAGE_TOOL" copy "$SOURCE_REGION" "$TARGET_REGION" "$REPOSITORY" "$IMAGE_DIGEST" "$IMAGE_TAG"']);
}

/**
 * Moves a stage's `live-<stage>` tag onto the digest the ECS deploy action just deployed: the tag the
 * stage's task definition names, so the next revision CloudFormation registers runs the same image
 * (docs/adr/0002). Project variable: REPOSITORY; action variables: REGION, LIVE_TAG, IMAGE_DIGEST.
 */
export function markLiveSpec(): Record<string, unknown> {
  return toolSpec(['bash "$IMAGE_TOOL" tag "$REGION" "$REPOSITORY" "$IMAGE_DIGEST" "$LIVE_TAG"']);
}

function toolSpec(commands: readonly string[]): Record<string, unknown> {
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      build: {
        'on-failure': 'ABORT',
        'commands': [
          installImageToolCommand(),
          // The digest comes from the Build action; an empty one would act on the wrong image or none.
          'test -n "${IMAGE_DIGEST:-}"',
          ...commands,
        ],
      },
    },
  };
}
