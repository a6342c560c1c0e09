# Shared by the stand-in executables. Each call gets its own numbered folder holding the tool name, the
# argument list NUL-separated (so no argument can be mistaken for two) and, separately, anything the call
# read on stdin: secrets are meant to travel on stdin, and the test checks they never reach an argv.

standin_record() {
  local calls="$STANDIN_LOG_DIR/calls" n earlier
  [ -d "$calls" ] || mkdir -p "$calls"
  # Start after the calls already recorded (a glob, no process); mkdir is atomic, so the numbering stays
  # gap-free and ordered even if calls overlap: a call that loses the race takes the next number.
  earlier=("$calls"/*)
  [ -e "${earlier[0]}" ] && n=$(( ${#earlier[@]} + 1 )) || n=1
  while ! mkdir "$calls/$n" 2>/dev/null; do n=$((n + 1)); done
  STANDIN_CALL_DIR="$calls/$n"
  printf '%s' "$1" > "$STANDIN_CALL_DIR/tool"
  shift
  if [ $# -gt 0 ]; then printf '%s\0' "$@" > "$STANDIN_CALL_DIR/argv"; else : > "$STANDIN_CALL_DIR/argv"; fi
  # Which account's credentials made the call (see the aws stand-in's sts assume-role).
  printf '%s' "${AWS_ACCESS_KEY_ID:-}" > "$STANDIN_CALL_DIR/credentials"
}

standin_save_stdin() {
  cat > "$STANDIN_CALL_DIR/stdin"
}

standin_digest_of() {
  local sum
  sum=$(sha256sum < "$1") || return 1
  printf 'sha256:%s' "${sum%% *}"
}

# $1 as a JSON string. The stand-ins answer without starting jq for each answer: jq 1.6 takes 30 ms to
# start, and a rehearsal makes hundreds of calls. Text holding a control character other than a newline,
# a carriage return or a tab goes through jq, which escapes every one.
standin_json_string() {
  local text=$1 plain
  plain=${text//[$'\n\r\t']/}
  if [[ $plain =~ [[:cntrl:]] ]]; then
    jq -n --arg text "$text" '$text'
    return
  fi
  text=${text//\\/\\\\}
  text=${text//\"/\\\"}
  text=${text//$'\n'/\\n}
  text=${text//$'\r'/\\r}
  text=${text//$'\t'/\\t}
  printf '"%s"' "$text"
}

# A file's exact bytes as a JSON string (the AWS CLI's answer carries a manifest's bytes this way).
standin_json_file() {
  local text=''
  IFS= read -r -d '' text < "$1" || true
  standin_json_string "$text"
}

# The digests a manifest references, one per line: an image manifest's config and layers, an index's
# images. Read without jq (see standin_json_string): every "digest" member is one of those, unless the
# manifest names a subject (OCI referrers), which then goes through jq.
standin_referenced_digests() {
  local manifest=$1 filter=$2 text=''
  IFS= read -r -d '' text < "$manifest" || true
  if [[ $text == *'"subject"'* ]]; then
    jq -r "$filter" "$manifest"
    return
  fi
  while [[ $text =~ \"digest\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; do
    printf '%s\n' "${BASH_REMATCH[1]}"
    text=${text#*"${BASH_REMATCH[0]}"}
  done
}

# The fake ECR, shared by the aws, docker and curl stand-ins, one folder per region and repository:
#   manifests/<digest>    the exact manifest bytes (a digest is their sha256, as in ECR)
#   media-types/<digest>  the manifest's media type
#   tags/<tag>            the digest the tag names
#   blobs/<digest>        config and layer blobs, which a manifest may only reference once uploaded
standin_repository() {
  printf '%s/%s/%s' "$STANDIN_ECR_DIR" "$1" "$2"
}

# Tags are immutable unless they match one of STANDIN_ECR_MUTABLE_TAGS (ECR wildcards, space-separated),
# mirroring the repository's IMMUTABLE_WITH_EXCLUSION setting.
standin_tag_is_mutable() {
  local pattern
  for pattern in ${STANDIN_ECR_MUTABLE_TAGS:-}; do
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    [[ "$1" == $pattern ]] && return 0
  done
  return 1
}

# Stores a manifest (from a file) under its digest, and under a tag when one is given, with ECR's rules:
# everything it references must be in the repository, and an immutable tag cannot move. Prints the
# error ECR would give and returns 1 when the write is refused.
standin_put_manifest() {
  local region=$1 repository=$2 manifest_file=$3 media_type=$4 tag=$5 operation=$6
  local dir digest existing child blob
  dir=$(standin_repository "$region" "$repository")
  mkdir -p "$dir/manifests" "$dir/media-types" "$dir/tags" "$dir/blobs"
  digest=$(standin_digest_of "$manifest_file")
  case "$media_type" in
    *manifest.list*|*image.index*)
      for child in $(standin_referenced_digests "$manifest_file" '.manifests[].digest'); do
        if [ ! -f "$dir/manifests/$child" ]; then
          echo "An error occurred (ReferencedImagesNotFoundException) when calling the $operation operation: image $child referenced by the index is not in the repository" >&2
          return 1
        fi
      done ;;
    *)
      for blob in $(standin_referenced_digests "$manifest_file" '.config.digest, .layers[].digest'); do
        if [ ! -f "$dir/blobs/$blob" ]; then
          echo "An error occurred (LayersNotFoundException) when calling the $operation operation: Layers with digests '[$blob]' required for pushing image into repository with name '$repository' in the registry with id '111111111111' do not exist" >&2
          return 1
        fi
      done ;;
  esac
  if [ -n "$tag" ] && [ -f "$dir/tags/$tag" ]; then
    existing=$(cat "$dir/tags/$tag")
    if [ "$existing" = "$digest" ] && [ "$operation" = PutImage ]; then
      echo "An error occurred (ImageAlreadyExistsException) when calling the PutImage operation: Image with digest '$digest' and tag '$tag' already exists in the repository with name '$repository'" >&2
      return 1
    fi
    if [ "$existing" != "$digest" ] && ! standin_tag_is_mutable "$tag"; then
      echo "An error occurred (ImageTagAlreadyExistsException) when calling the $operation operation: The image tag '$tag' already exists in the '$repository' repository and cannot be overwritten because the tag is immutable." >&2
      return 1
    fi
  fi
  cp "$manifest_file" "$dir/manifests/$digest"
  printf '%s' "$media_type" > "$dir/media-types/$digest"
  [ -z "$tag" ] || printf '%s' "$digest" > "$dir/tags/$tag"
}
