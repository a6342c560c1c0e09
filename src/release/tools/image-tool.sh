#!/usr/bin/env bash
# image-tool: what the release does with images in ECR, by digest, with the AWS CLI, curl, jq and sha256sum
# only (all on CodeBuild's curated images). See image-tool.ts for who runs it and why bytes, not docker.
#
#   image-tool digest REGION REPOSITORY TAG           the digest TAG names; nothing when there is no such tag
#   image-tool copy FROM_REGION TO_REGION REPOSITORY DIGEST [TAG]
#                                                     makes DIGEST exist in TO_REGION's repository, byte for byte
#   image-tool tag REGION REPOSITORY DIGEST TAG        points TAG at DIGEST (nothing to do when it already does)
#   image-tool first-build PROJECT SOURCE_URL BRANCH  runs the image build on BRANCH, waits, prints the digest
set -euo pipefail

MEDIA_TYPES='application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.distribution.manifest.list.v2+json application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.index.v1+json'
POLL_SECONDS="${IMAGE_TOOL_POLL_SECONDS:-10}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "image-tool: $*" >&2; exit 1; }
sha256_of() { printf 'sha256:%s' "$(sha256sum < "$1" | cut -d' ' -f1)"; }

# The digest a tag names, or nothing when the tag does not exist; any other error fails.
digest() {
  local region=$1 repository=$2 tag=$3 out
  if out=$(aws ecr describe-images --region "$region" --repository-name "$repository" --image-ids imageTag="$tag" \
      --query 'imageDetails[0].imageDigest' --output text 2> "$work/err"); then
    printf '%s\n' "$out"
  elif ! grep -q ImageNotFoundException "$work/err"; then
    cat "$work/err" >&2
    return 1
  fi
}

has_digest() {
  aws ecr describe-images --region "$1" --repository-name "$2" --image-ids imageDigest="$3" > /dev/null 2>&1
}

# Writes the manifest's exact bytes to $work/<digest>.json and prints its media type. jq -j adds no newline:
# the digest is the sha256 of these bytes, and ECR refuses a put whose bytes hash to another digest.
manifest() {
  local region=$1 repository=$2 digest=$3
  local file="$work/$digest.json"
  # shellcheck disable=SC2086 # one argument per media type
  aws ecr batch-get-image --region "$region" --repository-name "$repository" --image-ids imageDigest="$digest" \
    --accepted-media-types $MEDIA_TYPES --output json > "$work/image.json"
  jq -e '.images | length == 1' "$work/image.json" > /dev/null || fail "no image $digest in $repository ($region)"
  jq -j '.images[0].imageManifest' "$work/image.json" > "$file"
  [ "$(sha256_of "$file")" = "$digest" ] || fail "the manifest ECR returned for $digest hashes to another digest"
  jq -r '.images[0].imageManifestMediaType' "$work/image.json"
}

copy_blob() {
  local from=$1 to=$2 repository=$3 digest=$4
  local blob="$work/blob" url started upload part_size size first last
  if [ "$(aws ecr batch-check-layer-availability --region "$to" --repository-name "$repository" --layer-digests "$digest" \
      --query 'layers[0].layerAvailability' --output text)" = AVAILABLE ]; then
    return 0
  fi
  url=$(aws ecr get-download-url-for-layer --region "$from" --repository-name "$repository" --layer-digest "$digest" \
    --query downloadUrl --output text)
  curl --fail --silent --show-error --location --output "$blob" "$url"
  [ "$(sha256_of "$blob")" = "$digest" ] || fail "blob $digest downloaded from $from does not match its digest"
  started=$(aws ecr initiate-layer-upload --region "$to" --repository-name "$repository" --query '[uploadId, partSize]' --output text)
  read -r upload part_size <<< "$started"
  size=$(stat -c %s "$blob")
  first=0
  while [ "$first" -lt "$size" ]; do
    last=$(( first + part_size - 1 ))
    [ "$last" -lt "$size" ] || last=$(( size - 1 ))
    # dd, not tail | head: head leaves the pipe after one part, and under pipefail tail's SIGPIPE fails the copy.
    dd if="$blob" of="$work/part" iflag=skip_bytes,count_bytes skip="$first" count=$(( last - first + 1 )) bs=1M status=none
    aws ecr upload-layer-part --region "$to" --repository-name "$repository" --upload-id "$upload" \
      --part-first-byte "$first" --part-last-byte "$last" --layer-part-blob "fileb://$work/part" > /dev/null
    first=$(( last + 1 ))
  done
  aws ecr complete-layer-upload --region "$to" --repository-name "$repository" --upload-id "$upload" \
    --layer-digests "$digest" > /dev/null
}

# Copies an image (an index with the images it lists, or one image with its config and layers) and puts
# its manifest under the same digest; tags it when a tag is given.
copy() {
  local from=$1 to=$2 repository=$3 digest=$4 tag=${5:-}
  local media_type file child blob
  if has_digest "$to" "$repository" "$digest"; then
    if [ -n "$tag" ]; then tag "$to" "$repository" "$digest" "$tag"; fi
    return 0
  fi
  media_type=$(manifest "$from" "$repository" "$digest")
  file="$work/$digest.json"
  case "$media_type" in
    *manifest.list*|*image.index*)
      for child in $(jq -r '.manifests[].digest' "$file"); do copy "$from" "$to" "$repository" "$child"; done ;;
    *)
      for blob in $(jq -r '.config.digest, .layers[].digest' "$file"); do copy_blob "$from" "$to" "$repository" "$blob"; done ;;
  esac
  aws ecr put-image --region "$to" --repository-name "$repository" --image-digest "$digest" ${tag:+--image-tag "$tag"} \
    --image-manifest "file://$file" --image-manifest-media-type "$media_type" > /dev/null
  echo "copied $digest to $repository in $to"
}

tag() {
  local region=$1 repository=$2 digest=$3 tag=$4 current media_type
  current=$(digest "$region" "$repository" "$tag")
  if [ "$current" = "$digest" ]; then
    echo "$tag already names $digest in $repository ($region)"
    return 0
  fi
  media_type=$(manifest "$region" "$repository" "$digest")
  aws ecr put-image --region "$region" --repository-name "$repository" --image-digest "$digest" --image-tag "$tag" \
    --image-manifest "file://$work/$digest.json" --image-manifest-media-type "$media_type" > /dev/null
  echo "$tag now names $digest in $repository ($region)"
}

# Starts the image build on a branch of the app repository and follows it to its end. A build that fails in
# any phase, times out, is stopped or never starts fails this command as soon as CodeBuild says so, with the
# build id, the phases that failed and the link to the log.
first_build() {
  local project=$1 source_url=$2 branch=$3 build status digest buildspec region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
  # The project's own spec, given explicitly: its source is the pipeline's, which this build overrides.
  buildspec=$(aws codebuild batch-get-projects --names "$project" --query 'projects[0].source.buildspec' --output text)
  [ -n "$buildspec" ] && [ "$buildspec" != None ] || fail "project $project has no build spec of its own"
  build=$(aws codebuild start-build --project-name "$project" --source-type-override CODECOMMIT \
    --source-location-override "$source_url" --source-version "$branch" --buildspec-override "$buildspec" \
    --artifacts-override type=NO_ARTIFACTS --query build.id --output text)
  echo "image build $build started on $branch; its log: https://$region.console.aws.amazon.com/codesuite/codebuild/projects/$project/build/$build/log" >&2
  while status=$(aws codebuild batch-get-builds --ids "$build" --query 'builds[0].buildStatus' --output text); [ "$status" = IN_PROGRESS ]; do
    sleep "$POLL_SECONDS"
  done
  if [ "$status" != SUCCEEDED ]; then
    echo "image build $build ended $status:" >&2
    aws codebuild batch-get-builds --ids "$build" --output text \
      --query 'builds[0].phases[?phaseStatus != null && phaseStatus != `SUCCEEDED`].[phaseType, phaseStatus, contexts[0].message]' >&2 || true
    fail "image build $build of $branch failed ($status); its log is linked above"
  fi
  digest=$(aws codebuild batch-get-builds --ids "$build" --output text \
    --query 'builds[0].exportedEnvironmentVariables[?name == `IMAGE_DIGEST`].value | [0]')
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "image build $build succeeded but exported no image digest (got '$digest')"
  printf '%s\n' "$digest"
}

command=${1:-}
[ $# -eq 0 ] || shift
case "$command" in
  digest) [ $# -eq 3 ] || fail 'usage: digest REGION REPOSITORY TAG'; digest "$@" ;;
  copy) [ $# -eq 4 ] || [ $# -eq 5 ] || fail 'usage: copy FROM_REGION TO_REGION REPOSITORY DIGEST [TAG]'; copy "$@" ;;
  tag) [ $# -eq 4 ] || fail 'usage: tag REGION REPOSITORY DIGEST TAG'; tag "$@" ;;
  first-build) [ $# -eq 3 ] || fail 'usage: first-build PROJECT SOURCE_URL BRANCH'; first_build "$@" ;;
  *) fail "unknown command '$command': digest, copy, tag or first-build" ;;
esac
