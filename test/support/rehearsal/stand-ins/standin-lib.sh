# Shared by the stand-in executables. Each call is recorded as numbered files: the tool name (<n>.tool), the
# argument list NUL-separated (<n>.argv, so no argument can be mistaken for two), the caller's credentials
# and, separately, anything the call read on stdin (<n>.stdin): secrets are meant to travel on stdin, and
# the test checks they never reach an argv.
#
# The functions set variables (printf -v) rather than print for $(...): a rehearsal makes hundreds of
# calls, and each subshell is a fork, milliseconds apiece on a small VM. Their own locals start with an
# underscore, so a caller's variable of the same name would be set inside the function and lost: callers
# name theirs without one.

standin_record() {
  local calls="$STANDIN_LOG_DIR/calls" n earlier
  [ -d "$calls" ] || mkdir -p "$calls"
  # Start after the calls already recorded (a glob, no process). With noclobber, bash creates the file only
  # if it does not exist (O_EXCL), so the numbering stays gap-free and ordered even if calls overlap: a call
  # that loses the race takes the next number.
  earlier=("$calls"/*.tool)
  [ -e "${earlier[0]}" ] && n=$(( ${#earlier[@]} + 1 )) || n=1
  set -C
  until { printf '%s' "$1" > "$calls/$n.tool"; } 2>/dev/null; do
    [ -e "$calls/$n.tool" ] || { echo "stand-in: cannot record a call in $calls" >&2; exit 99; }
    n=$((n + 1))
  done
  set +C
  STANDIN_CALL="$calls/$n"
  shift
  if [ $# -gt 0 ]; then printf '%s\0' "$@" > "$STANDIN_CALL.argv"; else : > "$STANDIN_CALL.argv"; fi
  # Which account's credentials made the call (see the aws stand-in's sts assume-role).
  printf '%s' "${AWS_ACCESS_KEY_ID:-}" > "$STANDIN_CALL.credentials"
}

standin_save_stdin() {
  cat > "$STANDIN_CALL.stdin"
}

# What $(cat "$2") gives, into the variable named $1: the file without its NUL bytes (bash variables cannot
# hold them) and without its trailing newlines. Like a failed $(cat), a file that cannot be read leaves the
# variable empty and returns 1, so a caller under `set -u` can still compare it.
standin_read_into() {
  local _read_text='' _read_part=''
  if [ -d "$2" ] || [ ! -r "$2" ]; then
    printf -v "$1" ''
    return 1
  fi
  # read returns 0 at each NUL and 1 at the end of the file, with the part after the last NUL.
  while IFS= read -r -d '' _read_part; do _read_text+=$_read_part; done < "$2"
  _read_text+=$_read_part
  while [[ $_read_text == *$'\n' ]]; do _read_text=${_read_text%$'\n'}; done
  printf -v "$1" '%s' "$_read_text"
}

# The sha256 digest of file $2, as ECR writes it, into the variable named $1; empty, and status 1, when the
# file cannot be read.
standin_digest_into() {
  local _digest_sum
  if ! _digest_sum=$(sha256sum 2>/dev/null < "$2"); then
    printf -v "$1" ''
    return 1
  fi
  printf -v "$1" 'sha256:%s' "${_digest_sum%% *}"
}

# $2 as a JSON string, into the variable named $1. The stand-ins answer without starting jq for each
# answer: jq 1.6 takes 30 ms to start, and a rehearsal makes hundreds of calls. Text holding a control
# character other than a newline, a carriage return or a tab goes through jq, which escapes every one.
standin_json_string_into() {
  local _json_text=$2 _json_plain
  _json_plain=${_json_text//[$'\n\r\t']/}
  if [[ $_json_plain =~ [[:cntrl:]] ]]; then
    _json_text=$(jq -n --arg text "$_json_text" '$text')
    printf -v "$1" '%s' "$_json_text"
    return
  fi
  _json_text=${_json_text//\\/\\\\}
  _json_text=${_json_text//\"/\\\"}
  _json_text=${_json_text//$'\n'/\\n}
  _json_text=${_json_text//$'\r'/\\r}
  _json_text=${_json_text//$'\t'/\\t}
  printf -v "$1" '"%s"' "$_json_text"
}

# A file's exact bytes as a JSON string (the AWS CLI's answer carries a manifest's bytes this way), into
# the variable named $1.
standin_json_file_into() {
  local _json_file=''
  IFS= read -r -d '' _json_file < "$2" || true
  standin_json_string_into "$1" "$_json_file"
}

# The digests a manifest references, one per line: an image manifest's config and layers, an index's
# images. Read without jq (see standin_json_string_into): every "digest" member is one of those, unless the
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
# The folder of region $2 and repository $3, into the variable named $1.
standin_repository_into() {
  printf -v "$1" '%s/%s/%s' "$STANDIN_ECR_DIR" "$2" "$3"
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
  standin_repository_into dir "$region" "$repository"
  [ -d "$dir/manifests" ] && [ -d "$dir/media-types" ] && [ -d "$dir/tags" ] && [ -d "$dir/blobs" ] \
    || mkdir -p "$dir/manifests" "$dir/media-types" "$dir/tags" "$dir/blobs"
  standin_digest_into digest "$manifest_file"
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
    standin_read_into existing "$dir/tags/$tag"
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
