import { APP_CONTAINER_NAME, imageDefinitionsFile } from '../app-contract';
import type { DockerHubCredentials } from '../config';
import { installImageToolCommand } from './tools/image-tool';

/**
 * The build spec of the one image build, as an object for `BuildSpec.fromObject`. It builds a commit once,
 * pushes it under the commit's tag, and from then on names it by digest: the image definitions it writes,
 * one per region with a stage, say `<repository>@sha256:…`, so every stage deploys the same bytes.
 *
 * Environment it expects (set on the project or the pipeline action): IMAGE_REPOSITORY_URI (the
 * repository in the toolchain's region), IMAGE_REGIONS (the regions with a stage, space-separated), and
 * optionally SOURCE_COMMIT_ID (the pipeline passes the CodeCommit commit id; a build started on a branch
 * reads CODEBUILD_RESOLVED_SOURCE_VERSION). Exports IMAGE_TAG, IMAGE_DIGEST and COMMIT_ID.
 *
 * Every phase aborts on failure, so a failed step never pushes an image or writes image definitions.
 */
export function imageBuildSpec(dockerHub: DockerHubCredentials | undefined): Record<string, unknown> {
  return {
    version: '0.2',
    env: {
      'shell': 'bash',
      'variables': { CONTAINER_NAME: APP_CONTAINER_NAME },
      ...dockerHubSecrets(dockerHub),
      'exported-variables': ['IMAGE_TAG', 'IMAGE_DIGEST', 'COMMIT_ID'],
    },
    phases: {
      pre_build: {
        'on-failure': 'ABORT',
        'commands': [
          installImageToolCommand(),
          // A commit id names the image, by 12 digits: tags are immutable and a build of a commit whose tag
          // exists is skipped, so two commits sharing a short prefix must not share a tag. A build with no
          // commit id (a manual run) still gets a unique, readable tag.
          'COMMIT_ID="${SOURCE_COMMIT_ID:-${CODEBUILD_RESOLVED_SOURCE_VERSION:-}}"',
          'if [[ "$COMMIT_ID" =~ ^[0-9a-f]{12,40}$ ]]; then IMAGE_TAG="${COMMIT_ID:0:12}"; else IMAGE_TAG="build-${CODEBUILD_BUILD_NUMBER:-$(date -u +%Y%m%d%H%M%S)}"; COMMIT_ID="${COMMIT_ID:-unknown}"; fi',
          'IMAGE_URI="${IMAGE_REPOSITORY_URI}:${IMAGE_TAG}"; REGISTRY="${IMAGE_REPOSITORY_URI%%/*}"; REPOSITORY="${IMAGE_REPOSITORY_URI#*/}"',
          'echo "Image ${IMAGE_URI} for commit ${COMMIT_ID}"',
          // pipefail in the same command: a failed get-login-password must fail the login, not pass on nothing.
          'set -o pipefail; aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
          ...(dockerHub
            ? ['set -o pipefail; printf \'%s\' "$DOCKERHUB_PASSWORD" | docker login --username "$DOCKERHUB_USERNAME" --password-stdin']
            : []),
          // Commit tags are immutable: a commit already built (a re-run, the first build of a new stage) is not rebuilt.
          'IMAGE_DIGEST=$(bash "$IMAGE_TOOL" digest "$AWS_REGION" "$REPOSITORY" "$IMAGE_TAG")',
        ],
      },
      build: {
        'on-failure': 'ABORT',
        'commands': [
          'if [ -z "$IMAGE_DIGEST" ]; then docker build --build-arg APP_COMMIT_ID="$COMMIT_ID" --build-arg APP_IMAGE_TAG="$IMAGE_TAG" --tag "$IMAGE_URI" .; fi',
        ],
      },
      post_build: {
        'on-failure': 'ABORT',
        'commands': [
          // post_build runs after a failed build unless that build aborted; this guard makes the rule local.
          'test "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1',
          // Two builds of one commit (a re-run racing the first) both build; the first push wins, and the
          // other takes its digest instead of failing on the immutable tag.
          'if [ -z "$IMAGE_DIGEST" ]; then docker push "$IMAGE_URI" || echo "docker push failed; if another build pushed ${IMAGE_TAG} first, its image is used"; IMAGE_DIGEST=$(bash "$IMAGE_TOOL" digest "$AWS_REGION" "$REPOSITORY" "$IMAGE_TAG"); fi',
          'test -n "$IMAGE_DIGEST"',
          `for region in $IMAGE_REGIONS; do printf '[{"name":"%s","imageUri":"%s.dkr.ecr.%s.amazonaws.com/%s@%s"}]' "$CONTAINER_NAME" "\${REGISTRY%%.*}" "$region" "$REPOSITORY" "$IMAGE_DIGEST" > "${imageDefinitionsFile('$region')}"; done`,
          'echo "Release ${IMAGE_DIGEST}: commit ${COMMIT_ID}, tag ${IMAGE_TAG}"',
        ],
      },
    },
    artifacts: { files: [imageDefinitionsFile('*')] },
  };
}

/** Docker Hub credentials come from the build spec's secret sections, never from plaintext variables. */
function dockerHubSecrets(dockerHub: DockerHubCredentials | undefined): Record<string, unknown> {
  if (!dockerHub) return {};
  if ('secretsManagerSecretName' in dockerHub) {
    return {
      'secrets-manager': {
        DOCKERHUB_USERNAME: `${dockerHub.secretsManagerSecretName}:username`,
        DOCKERHUB_PASSWORD: `${dockerHub.secretsManagerSecretName}:password`,
      },
    };
  }
  return {
    'parameter-store': {
      DOCKERHUB_USERNAME: dockerHub.usernameParameterName,
      DOCKERHUB_PASSWORD: dockerHub.passwordParameterName,
    },
  };
}
