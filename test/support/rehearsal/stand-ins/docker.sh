#!/usr/bin/env bash
# Stand-in for the docker CLI: records every call and keeps just enough state to make ordering mistakes fail
# as they would for real: local images (built, pulled or tagged), registry logins, and pushes into the fake
# ECR registry the aws stand-in reads (standin-lib.sh). A built image is a manifest, a config blob and one
# layer blob whose content depends on what went into the build, so two builds of different commits differ.
set -u
. "${0%/*}/standin-lib.sh"
standin_record docker "$@"

refuse() {
  echo "docker stand-in: $*" >&2
  exit 125
}

images="$STANDIN_DOCKER_DIR/images"
blobs="$STANDIN_DOCKER_DIR/blobs"
logins="$STANDIN_DOCKER_DIR/logins"
[ -d "$images" ] && [ -d "$blobs" ] && [ -d "$logins" ] || mkdir -p "$images" "$blobs" "$logins"

# The file of local image $2, into the variable named $1.
local_file_into() {
  local _local_name=${2//\//%2F}
  printf -v "$1" '%s/%s' "$images" "${_local_name//:/%3A}"
}

# Splits an ECR image reference into REF_HOST, REF_REGION, REF_REPOSITORY and REF_TAG; other registries are not emulated.
parse_ecr_ref() {
  REF_HOST=${1%%/*}
  local rest=${1#*/}
  if [[ "$rest" == *:* ]]; then REF_REPOSITORY=${rest%:*}; REF_TAG=${rest##*:}; else REF_REPOSITORY=$rest; REF_TAG=latest; fi
  [[ "$1" == */* && "$REF_HOST" =~ ^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$ ]] || refuse "only ECR references are emulated, got '$1'"
  REF_REGION=${BASH_REMATCH[1]}
}

require_login() {
  [ -f "$logins/$1" ] || { echo "$2 failed: no basic auth credentials" >&2; exit 1; }
}

# Keeps file $2 as a blob; its digest into the variable named $1.
store_blob_into() {
  local _blob_digest
  standin_digest_into _blob_digest "$2"
  cp "$2" "$blobs/$_blob_digest"
  printf -v "$1" '%s' "$_blob_digest"
}

command=${1:-}
[ $# -ge 1 ] && shift
case "$command" in
  login)
    username='' password='' password_stdin=false server=docker.io
    while [ $# -gt 0 ]; do
      case "$1" in
        --username|-u) username=${2:-}; shift 2 ;;
        --password|-p) password=${2:-}; shift 2 ;;
        --password-stdin) password_stdin=true; shift ;;
        -*) refuse "login: unexpected option $1" ;;
        *) server=$1; shift ;;
      esac
    done
    if [ "$password_stdin" = true ]; then
      standin_save_stdin
      standin_read_into password "$STANDIN_CALL.stdin"
      password=${password%$'\r'}
    fi
    if [ -z "$username" ] || [ -z "$password" ]; then
      echo 'Error: Cannot perform an interactive login from a non TTY device' >&2
      exit 1
    fi
    if [[ "$server" == *.amazonaws.com ]]; then
      expected_user=AWS expected_password=${STANDIN_ECR_PASSWORD:-fake-ecr-token}
    else
      expected_user=${STANDIN_DOCKERHUB_USERNAME:-$username} expected_password=${STANDIN_DOCKERHUB_PASSWORD:-$password}
    fi
    if [ "$username" != "$expected_user" ] || [ "$password" != "$expected_password" ]; then
      echo "Error response from daemon: login attempt to https://$server/v2/ failed with status: 401 Unauthorized" >&2
      exit 1
    fi
    printf '%s' "$username" > "$logins/$server"
    echo 'Login Succeeded'
    ;;
  build)
    tags=() build_args=() dockerfile='' context=''
    while [ $# -gt 0 ]; do
      case "$1" in
        --tag|-t) tags+=("${2:-}"); shift 2 ;;
        --build-arg) build_args+=("${2:-}"); shift 2 ;;
        --file|-f) dockerfile=${2:-}; shift 2 ;;
        --cache-from|--platform|--target|--label) shift 2 ;;
        --pull|--no-cache|--quiet|-q) shift ;;
        -*) refuse "build: unexpected option $1" ;;
        *) [ -z "$context" ] || refuse 'build: more than one context'; context=$1; shift ;;
      esac
    done
    [ -n "$context" ] || { echo "ERROR: \"docker buildx build\" requires exactly 1 argument." >&2; exit 1; }
    dockerfile=${dockerfile:-$context/Dockerfile}
    if [ ! -f "$dockerfile" ]; then
      echo "ERROR: failed to solve: failed to read dockerfile: open $dockerfile: no such file or directory" >&2
      exit 1
    fi
    if [ "${STANDIN_DOCKER_BUILD_FAILS:-0}" = 1 ]; then
      echo 'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1' >&2
      exit 1
    fi
    work=$(mktemp -d)
    { cat "$dockerfile"; printf '%s\n' "${build_args[@]}" "${STANDIN_DOCKER_BUILD_SALT:-}"; } > "$work/layer"
    # Larger than one upload part when the test asks for small parts, so part-by-part copies are exercised.
    head -c "${STANDIN_LAYER_PADDING:-0}" /dev/zero >> "$work/layer"
    store_blob_into layer "$work/layer"
    printf '{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$layer" > "$work/config"
    store_blob_into config "$work/config"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%s,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%s,"digest":"%s"}]}' \
      "$(stat -c %s "$work/config")" "$config" "$(stat -c %s "$work/layer")" "$layer" > "$work/manifest"
    for tag in "${tags[@]}"; do local_file_into target "$tag"; cp "$work/manifest" "$target"; done
    rm -rf "$work"
    ;;
  tag)
    [ $# -eq 2 ] || refuse 'tag: expected a source and a target'
    local_file_into source "$1"
    local_file_into target "$2"
    [ -f "$source" ] || { echo "Error response from daemon: No such image: $1" >&2; exit 1; }
    cp "$source" "$target"
    ;;
  push)
    [ $# -eq 1 ] || refuse 'push: expected one image reference'
    local_file_into manifest "$1"
    [ -f "$manifest" ] || { echo "An image does not exist locally with the tag: ${1%:*}" >&2; exit 1; }
    parse_ecr_ref "$1"
    require_login "$REF_HOST" 'unauthorized: authentication required;'
    standin_repository_into repository "$REF_REGION" "$REF_REPOSITORY"
    [ -d "$repository" ] || { echo "name unknown: The repository with name '$REF_REPOSITORY' does not exist in the registry" >&2; exit 1; }
    [ -d "$repository/blobs" ] || mkdir -p "$repository/blobs"
    for blob in $(standin_referenced_digests "$manifest" '.config.digest, .layers[].digest'); do cp "$blobs/$blob" "$repository/blobs/$blob"; done
    standin_put_manifest "$REF_REGION" "$REF_REPOSITORY" "$manifest" application/vnd.docker.distribution.manifest.v2+json "$REF_TAG" 'docker push' || exit 1
    standin_digest_into digest "$manifest"
    echo "$REF_TAG: digest: $digest"
    ;;
  *) refuse "docker $command is not emulated" ;;
esac
