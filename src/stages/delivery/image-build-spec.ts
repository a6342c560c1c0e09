import type { DockerHubCredentials } from '../../config';
import { APP_CONTAINER_NAME, IMAGE_DEFINITIONS_FILE, LIVE_IMAGE_TAG } from '../app-constants';

/**
 * The build spec of the image build, as an object for `BuildSpec.fromObject`.
 *
 * Environment it expects (set on the project or the pipeline action):
 * IMAGE_REPOSITORY_URI, and optionally SOURCE_COMMIT_ID (the pipeline passes the CodeCommit commit id).
 * PUBLISH_LIVE_TAG=true and FIRST_IMAGE_SIGNAL_URL are set only by the first-image build of a new stage.
 *
 * Every phase aborts on failure, so a failed step never pushes an image or writes image definitions.
 */
export function imageBuildSpec(dockerHub: DockerHubCredentials | undefined): Record<string, unknown> {
  return {
    version: '0.2',
    env: {
      'shell': 'bash',
      'variables': { CONTAINER_NAME: APP_CONTAINER_NAME, LIVE_TAG: LIVE_IMAGE_TAG },
      ...dockerHubSecrets(dockerHub),
      'exported-variables': ['IMAGE_TAG', 'IMAGE_URI'],
    },
    phases: {
      pre_build: {
        'on-failure': 'ABORT',
        'commands': [
          // A commit id names the image; a build with none (a manual run) still gets a unique, readable tag.
          'COMMIT_ID="${SOURCE_COMMIT_ID:-${CODEBUILD_RESOLVED_SOURCE_VERSION:-}}"',
          'if [[ "$COMMIT_ID" =~ ^[0-9a-f]{7,40}$ ]]; then IMAGE_TAG="${COMMIT_ID:0:7}"; else IMAGE_TAG="build-${CODEBUILD_BUILD_NUMBER:-$(date -u +%Y%m%d%H%M%S)}"; COMMIT_ID="${COMMIT_ID:-unknown}"; fi',
          'IMAGE_URI="${IMAGE_REPOSITORY_URI}:${IMAGE_TAG}"',
          'REGISTRY="${IMAGE_REPOSITORY_URI%%/*}"',
          'echo "Image ${IMAGE_URI} for commit ${COMMIT_ID}"',
          // pipefail in the same command: a failed get-login-password must fail the login, not pass on nothing.
          'set -o pipefail; aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
          ...(dockerHub
            ? ['set -o pipefail; printf \'%s\' "$DOCKERHUB_PASSWORD" | docker login --username "$DOCKERHUB_USERNAME" --password-stdin']
            : []),
          // Commit tags are immutable: a commit already built (a re-run, or the first-image build) is not rebuilt.
          'if aws ecr describe-images --repository-name "${IMAGE_REPOSITORY_URI#*/}" --image-ids imageTag="$IMAGE_TAG" > /dev/null 2>&1; then IMAGE_EXISTS=true; else IMAGE_EXISTS=false; fi',
          'PRE_BUILD_DONE=1',
        ],
        'finally': [signalFirstImageFailure('PRE_BUILD_DONE')],
      },
      build: {
        'on-failure': 'ABORT',
        'commands': [
          'if [ "$IMAGE_EXISTS" = false ]; then docker pull "${IMAGE_REPOSITORY_URI}:${LIVE_TAG}" > /dev/null 2>&1 || true; fi',
          'if [ "$IMAGE_EXISTS" = false ]; then docker build --cache-from "${IMAGE_REPOSITORY_URI}:${LIVE_TAG}" --build-arg BUILDKIT_INLINE_CACHE=1 --build-arg APP_COMMIT_ID="$COMMIT_ID" --build-arg APP_IMAGE_TAG="$IMAGE_TAG" --tag "$IMAGE_URI" .; fi',
          'BUILD_DONE=1',
        ],
        'finally': [signalFirstImageFailure('BUILD_DONE')],
      },
      post_build: {
        'on-failure': 'ABORT',
        'commands': [
          // post_build runs after a failed build unless that build aborted; this guard makes the rule local.
          'test "${CODEBUILD_BUILD_SUCCEEDING:-1}" = 1',
          'if [ "$IMAGE_EXISTS" = false ]; then docker push "$IMAGE_URI"; fi',
          'if [ "${PUBLISH_LIVE_TAG:-false}" = true ]; then docker pull "$IMAGE_URI" > /dev/null 2>&1 || true; docker tag "$IMAGE_URI" "${IMAGE_REPOSITORY_URI}:${LIVE_TAG}"; docker push "${IMAGE_REPOSITORY_URI}:${LIVE_TAG}"; fi',
          `printf '[{"name":"%s","imageUri":"%s"}]' "$CONTAINER_NAME" "$IMAGE_URI" > ${IMAGE_DEFINITIONS_FILE}`,
          'if [ -n "${FIRST_IMAGE_SIGNAL_URL:-}" ]; then curl --silent --show-error --fail --request PUT --header "Content-Type:" --data-binary "{\\"Status\\":\\"SUCCESS\\",\\"UniqueId\\":\\"first-image\\",\\"Reason\\":\\"pushed ${IMAGE_URI}\\",\\"Data\\":\\"${IMAGE_TAG}\\"}" "$FIRST_IMAGE_SIGNAL_URL"; fi',
          'POST_BUILD_DONE=1',
        ],
        'finally': [signalFirstImageFailure('POST_BUILD_DONE')],
      },
    },
    artifacts: { files: [IMAGE_DEFINITIONS_FILE] },
  };
}

/**
 * A failed first-image build fails the stage's stack at once instead of after the wait condition times out.
 * A phase's last command sets its marker, so `finally` knows the phase failed without relying on when
 * CodeBuild updates CODEBUILD_BUILD_SUCCEEDING.
 */
function signalFirstImageFailure(phaseDoneMarker: string): string {
  const body = '{\\"Status\\":\\"FAILURE\\",\\"UniqueId\\":\\"first-image\\",\\"Reason\\":\\"first image build ${CODEBUILD_BUILD_ID:-} failed\\",\\"Data\\":\\"\\"}';
  return `if [ "\${${phaseDoneMarker}:-0}" != 1 ] && [ -n "\${FIRST_IMAGE_SIGNAL_URL:-}" ]; then `
    + `curl --silent --request PUT --header "Content-Type:" --data-binary "${body}" "$FIRST_IMAGE_SIGNAL_URL" || true; fi`;
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
