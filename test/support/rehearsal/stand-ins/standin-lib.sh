# Shared by the stand-in executables. Each call gets its own numbered folder holding the tool name, the
# argument list NUL-separated (so no argument can be mistaken for two) and, separately, anything the call
# read on stdin: secrets are meant to travel on stdin, and the test checks they never reach an argv.

standin_record() {
  local calls="$STANDIN_LOG_DIR/calls" n=1
  mkdir -p "$calls"
  # mkdir is atomic, so the numbering stays gap-free and ordered even if calls overlap.
  while ! mkdir "$calls/$n" 2>/dev/null; do n=$((n + 1)); done
  STANDIN_CALL_DIR="$calls/$n"
  printf '%s' "$1" > "$STANDIN_CALL_DIR/tool"
  shift
  if [ $# -gt 0 ]; then printf '%s\0' "$@" > "$STANDIN_CALL_DIR/argv"; else : > "$STANDIN_CALL_DIR/argv"; fi
}

standin_save_stdin() {
  cat > "$STANDIN_CALL_DIR/stdin"
}

# The fake registry is shared by the aws and docker stand-ins: <repository>/<tag>.manifest holds the exact
# manifest bytes (a digest is their sha256, as in ECR) and <tag>.media-type its media type.
standin_digest_of() {
  local sum
  sum=$(sha256sum < "$1") || return 1
  printf 'sha256:%s' "${sum%% *}"
}

# Tags are immutable unless they match one of STANDIN_ECR_MUTABLE_TAGS (ECR wildcard filters, space-separated),
# mirroring the repository's IMMUTABLE_WITH_EXCLUSION setting.
standin_tag_is_mutable() {
  local pattern
  for pattern in ${STANDIN_ECR_MUTABLE_TAGS:-}; do
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    [[ "$1" == $pattern ]] && return 0
  done
  return 1
}

# Writes manifest bytes (from a file) under a tag, with ECR's rules for an existing tag.
# Prints the error ECR would give and returns 1 when the write is refused.
standin_put_tag() {
  local repository=$1 tag=$2 manifest_file=$3 media_type=$4 operation=$5
  local dir="$STANDIN_ECR_DIR/$repository" existing new
  mkdir -p "$dir"
  if [ -f "$dir/$tag.manifest" ]; then
    existing=$(standin_digest_of "$dir/$tag.manifest")
    new=$(standin_digest_of "$manifest_file")
    if [ "$existing" = "$new" ] && [ "$operation" = PutImage ]; then
      echo "An error occurred (ImageAlreadyExistsException) when calling the PutImage operation: Image with digest '$new' and tag '$tag' already exists in the repository with name '$repository'" >&2
      return 1
    fi
    if [ "$existing" != "$new" ] && ! standin_tag_is_mutable "$tag"; then
      echo "An error occurred (ImageTagAlreadyExistsException) when calling the $operation operation: The image tag '$tag' already exists in the '$repository' repository and cannot be overwritten because the tag is immutable." >&2
      return 1
    fi
  fi
  cp "$manifest_file" "$dir/$tag.manifest"
  printf '%s' "$media_type" > "$dir/$tag.media-type"
}
