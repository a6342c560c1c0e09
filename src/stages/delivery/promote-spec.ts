import { LIVE_IMAGE_TAG } from '../app-constants';

/**
 * Moves the `live` tag to the image the pipeline just deployed, by copying its manifest in ECR
 * (no Docker needed). Expects IMAGE_REPOSITORY_NAME and IMAGE_TAG in the environment.
 */
export function promoteSpec(): Record<string, unknown> {
  return {
    version: '0.2',
    env: { shell: 'bash', variables: { LIVE_TAG: LIVE_IMAGE_TAG } },
    phases: {
      build: {
        'on-failure': 'ABORT',
        'commands': [
          'set -o pipefail',
          'test -n "${IMAGE_TAG:-}"',
          'DEPLOYED_DIGEST=$(aws ecr describe-images --repository-name "$IMAGE_REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" --query "imageDetails[0].imageDigest" --output text)',
          'LIVE_DIGEST=$(aws ecr describe-images --repository-name "$IMAGE_REPOSITORY_NAME" --image-ids imageTag="$LIVE_TAG" --query "imageDetails[0].imageDigest" --output text 2>/dev/null || echo none)',
          // Each command runs as its own script in CodeBuild, so `exit` would not stop the build: a flag does.
          'if [ "$DEPLOYED_DIGEST" = "$LIVE_DIGEST" ]; then PROMOTE=false; echo "${LIVE_TAG} already names ${IMAGE_TAG}"; else PROMOTE=true; fi',
          // ECR digests the exact manifest bytes: drop the newline the CLI adds, and let ECR check the digest.
          'if [ "$PROMOTE" = true ]; then aws ecr batch-get-image --repository-name "$IMAGE_REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" --query "images[0].imageManifest" --output text > manifest.json && truncate -s -1 manifest.json; fi',
          'if [ "$PROMOTE" = true ]; then MEDIA_TYPE=$(aws ecr batch-get-image --repository-name "$IMAGE_REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" --query "images[0].imageManifestMediaType" --output text); fi',
          'if [ "$PROMOTE" = true ]; then aws ecr put-image --repository-name "$IMAGE_REPOSITORY_NAME" --image-tag "$LIVE_TAG" --image-digest "$DEPLOYED_DIGEST" --image-manifest file://manifest.json --image-manifest-media-type "$MEDIA_TYPE" > /dev/null; fi',
          'if [ "$PROMOTE" = true ]; then echo "${LIVE_TAG} now names ${IMAGE_TAG} (${DEPLOYED_DIGEST})"; fi',
        ],
      },
    },
  };
}
