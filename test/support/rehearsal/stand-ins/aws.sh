#!/usr/bin/env bash
# Stand-in for the AWS CLI v2. Records every call and answers, from state folders the test arranges and
# reads, the calls the platform's build specs make: ECR (a fake registry per region), CodeBuild (builds
# whose outcome the test decides), Lambda (functions whose answer and duration the test decides, with the
# CLI's read timeout and retries), STS and CloudFormation (stacks per account and region). Anything else is
# refused the way the CLI refuses a bad command line (exit 252), so a typo fails the rehearsal.
set -u
. "${0%/*}/standin-lib.sh"
standin_record aws "$@"

refuse() {
  echo "aws stand-in: $*" >&2
  exit 252
}

service=${1:-}
operation=${2:-}
[ $# -ge 2 ] && shift 2
declare -A opt=()
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --enable-termination-protection|--disable-termination-protection) opt[$1]=1; shift ;;
    # The CLI's list parameters take every value up to the next option; the others take one.
    --accepted-media-types|--layer-digests|--ids)
      name=$1 values=()
      shift
      while [ $# -gt 0 ] && [[ "$1" != --* ]]; do values+=("$1"); shift; done
      [ ${#values[@]} -gt 0 ] || refuse "option $name needs a value"
      opt[$name]="${values[*]}" ;;
    --*)
      [ $# -ge 2 ] || refuse "option $1 needs a value"
      opt[$1]=$2
      shift 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
# Options are read as ${opt[--name]:-default}: a function printing them would cost a fork per read.
region=${opt[--region]:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}
query=${opt[--query]:-}
output=${opt[--output]:-json}
# The account whose credentials make the call: an assumed role's (see sts below), else the build's own.
caller=${AWS_ACCESS_KEY_ID:-}
account=${caller#ASIASTANDIN}
[ -n "$caller" ] && [ "$account" != "$caller" ] || account=${STANDIN_ACCOUNT:-111111111111}
expect_query() {
  [ "$query|$output" = "$1|$2" ] || refuse "$service $operation: --query '$query' --output $output is not emulated (expected --query '$1' --output $2)"
}
[ -n "$region" ] || [ "$service" = sts ] || refuse 'You must specify a region. You can also configure your region by running "aws configure".'

ecr() {
  local repository dir digest tag file media_type blob upload manifest_digest json_a json_b json_c
  repository=${opt[--repository-name]:-}
  standin_repository_into dir "$region" "$repository"
  [ "$operation" = get-login-password ] || [ -d "$dir" ] || {
    echo "An error occurred (RepositoryNotFoundException) when calling the ${operation} operation: The repository with name '$repository' does not exist in region $region" >&2; exit 254; }
  image_id() {
    case "${opt[--image-ids]:-}" in
      imageTag=*) tag=${opt[--image-ids]#imageTag=}; digest=''; [ ! -f "$dir/tags/$tag" ] || standin_read_into digest "$dir/tags/$tag" ;;
      imageDigest=*) tag=''; digest=${opt[--image-ids]#imageDigest=}; [ -f "$dir/manifests/$digest" ] || digest='' ;;
      *) refuse "only --image-ids imageTag=<tag> or imageDigest=<digest> is emulated" ;;
    esac
  }
  case "$operation" in
    get-login-password)
      if [ "${STANDIN_ECR_LOGIN_FAILS:-0}" = 1 ]; then
        echo 'Unable to locate credentials. You can configure credentials by running "aws configure".' >&2
        exit 253
      fi
      echo "${STANDIN_ECR_PASSWORD:-fake-ecr-token}" ;;
    describe-images)
      image_id
      # A build that looked before another pushed the same tag (see the image build's race test).
      if [ -n "$tag" ] && [ "${STANDIN_ECR_FIRST_LOOK_MISSES:-0}" = 1 ] && [ ! -f "$STANDIN_STATE_DIR/looked-$tag" ]; then
        : > "$STANDIN_STATE_DIR/looked-$tag"
        digest=''
      fi
      if [ -z "$digest" ]; then
        echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository with name '$repository' in the registry with id '111111111111'" >&2
        exit 254
      fi
      case "$query|$output" in
        'imageDetails[0].imageDigest|text') echo "$digest" ;;
        '|json')
          standin_json_string_into json_a "$repository"
          standin_json_string_into json_b "$digest"
          printf '{"imageDetails": [{"repositoryName": %s, "imageDigest": %s}]}\n' "$json_a" "$json_b" ;;
        *) refuse "describe-images: --query '$query' --output $output is not emulated" ;;
      esac ;;
    batch-get-image)
      image_id
      [ "$output" = json ] && [ -z "$query" ] || refuse 'batch-get-image is emulated for --output json without --query'
      [ -n "${opt[--accepted-media-types]:-}" ] || refuse 'batch-get-image without --accepted-media-types: ECR would convert or refuse an OCI manifest'
      if [ -z "$digest" ]; then
        standin_json_string_into json_a "${opt[--image-ids]:-}"
        printf '{"images": [], "failures": [{"imageId": %s, "failureCode": "ImageNotFound"}]}\n' "$json_a"
      else
        standin_json_string_into json_a "$digest"
        standin_json_file_into json_b "$dir/manifests/$digest"
        standin_json_file_into json_c "$dir/media-types/$digest"
        printf '{"images": [{"imageId": {"imageDigest": %s}, "imageManifest": %s, "imageManifestMediaType": %s}], "failures": []}\n' "$json_a" "$json_b" "$json_c"
      fi ;;
    batch-check-layer-availability)
      expect_query 'layers[0].layerAvailability' text
      if [ -f "$dir/blobs/${opt[--layer-digests]:-}" ]; then echo AVAILABLE; else echo UNAVAILABLE; fi ;;
    get-download-url-for-layer)
      expect_query downloadUrl text
      blob=${opt[--layer-digest]:-}
      [ -f "$dir/blobs/$blob" ] || { echo "An error occurred (LayersNotFoundException) when calling the GetDownloadUrlForLayer operation: layer $blob not found" >&2; exit 254; }
      echo "https://standin-ecr-layers.invalid/$region/$repository/blobs/$blob?X-Amz-Signature=fake" ;;
    initiate-layer-upload)
      expect_query '[uploadId, partSize]' text
      upload="upload-$RANDOM$RANDOM"
      [ -d "$dir/uploads" ] || mkdir -p "$dir/uploads"
      : > "$dir/uploads/$upload"
      printf '%s\t%s\n' "$upload" "${STANDIN_ECR_PART_SIZE:-10485760}" ;;
    upload-layer-part)
      upload=${opt[--upload-id]:-}
      file=${opt[--layer-part-blob]:-}
      [[ "$file" == fileb://* ]] || refuse 'upload-layer-part: --layer-part-blob must be fileb:// (file:// would read text)'
      [ -f "$dir/uploads/$upload" ] || { echo "An error occurred (UploadNotFoundException) when calling the UploadLayerPart operation" >&2; exit 254; }
      if [ "${opt[--part-first-byte]:-}" != "$(stat -c %s "$dir/uploads/$upload")" ] \
        || [ $(( ${opt[--part-last-byte]:-} - ${opt[--part-first-byte]:-} + 1 )) != "$(stat -c %s "${file#fileb://}")" ]; then
        echo "An error occurred (InvalidLayerPartException) when calling the UploadLayerPart operation: parts must be consecutive and match their byte range" >&2
        exit 254
      fi
      cat "${file#fileb://}" >> "$dir/uploads/$upload"
      standin_json_string_into json_a "$upload"
      printf '{"uploadId": %s}\n' "$json_a" ;;
    complete-layer-upload)
      upload=${opt[--upload-id]:-}
      blob=${opt[--layer-digests]:-}
      standin_digest_into digest "$dir/uploads/$upload"
      if [ "$digest" != "$blob" ]; then
        echo "An error occurred (InvalidLayerException) when calling the CompleteLayerUpload operation: the uploaded layer does not match its digest" >&2
        exit 254
      fi
      mv "$dir/uploads/$upload" "$dir/blobs/$blob"
      standin_json_string_into json_a "$blob"
      printf '{"layerDigest": %s}\n' "$json_a" ;;
    put-image)
      file=${opt[--image-manifest]:-}
      [[ "$file" == file://* ]] || refuse 'put-image is emulated with --image-manifest file://...'
      file=${file#file://}
      [ -f "$file" ] || refuse "Error parsing parameter '--image-manifest': Unable to load paramfile file://$file"
      # Without the option, ECR reads the media type from the manifest.
      media_type=${opt[--image-manifest-media-type]:-}
      [ -n "$media_type" ] || media_type=$(jq -r '.mediaType // empty' "$file")
      digest=${opt[--image-digest]:-}
      standin_digest_into manifest_digest "$file"
      if [ -n "$digest" ] && [ "$digest" != "$manifest_digest" ]; then
        echo "An error occurred (ImageDigestDoesNotMatchException) when calling the PutImage operation: Invalid parameter at 'imageDigest' failed to satisfy constraint: 'digest does not match the manifest'" >&2
        exit 254
      fi
      standin_put_manifest "$region" "$repository" "$file" "$media_type" "${opt[--image-tag]:-}" PutImage || exit 254
      standin_json_string_into json_a "$repository"
      standin_json_string_into json_b "$manifest_digest"
      printf '{"image": {"repositoryName": %s, "imageId": {"imageDigest": %s}}}\n' "$json_a" "$json_b" ;;
    *) refuse "ecr $operation is not emulated" ;;
  esac
}

# Builds started here are not run: their outcome is what the test arranged in STANDIN_BUILD_* before it
# started them (and the test builds the image itself when the build is to succeed). The first look at a
# build finds it in progress, so a caller that does not wait for the end is caught.
codebuild() {
  local dir="$STANDIN_STATE_DIR/codebuild" build builds phase status message image_digest
  [ -d "$dir" ] || mkdir -p "$dir"
  case "$operation" in
    batch-get-projects)
      expect_query 'projects[0].source.buildspec' text
      # The projects the test registered, with their inline build spec; an unknown name comes back as None.
      if [ -f "$STANDIN_STATE_DIR/codebuild-projects/${opt[--names]:-}/buildspec" ]; then
        cat "$STANDIN_STATE_DIR/codebuild-projects/${opt[--names]:-}/buildspec"; echo
      else
        echo None
      fi ;;
    start-build)
      expect_query build.id text
      builds=("$dir"/*)
      [ -e "${builds[0]}" ] || builds=()
      printf -v build '%s:%08d-standin' "${opt[--project-name]:-}" "${#builds[@]}"
      mkdir -p "$dir/$build"
      printf '%s' "${STANDIN_BUILD_STATUS:-SUCCEEDED}" > "$dir/$build/status"
      printf '%s' "${STANDIN_BUILD_DIGEST:-}" > "$dir/$build/digest"
      printf '%s' "${STANDIN_BUILD_FAILED_PHASE:-BUILD}" > "$dir/$build/failed-phase"
      printf '%s' "${STANDIN_BUILD_FAILURE_MESSAGE:-COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1}" > "$dir/$build/message"
      # A source type override drops the project's inline spec: CodeBuild looks for buildspec.yml in the
      # source instead, which the app repository does not have, unless the spec comes with the call.
      if [ -n "${opt[--source-type-override]:-}" ] && [ -z "${opt[--buildspec-override]:-}" ]; then
        printf FAILED > "$dir/$build/status"; printf DOWNLOAD_SOURCE > "$dir/$build/failed-phase"; : > "$dir/$build/digest"
        printf 'YAML_FILE_ERROR: stat /codebuild/output/src1/buildspec.yml: no such file or directory' > "$dir/$build/message"
      fi
      echo "$build" ;;
    batch-get-builds)
      build=${opt[--ids]:-}
      [ -d "$dir/$build" ] || { echo "An error occurred (InvalidInputException): build $build not found" >&2; exit 254; }
      case "$query" in
        'builds[0].buildStatus')
          if [ -f "$dir/$build/looked" ]; then standin_read_into status "$dir/$build/status"; echo "$status"; else : > "$dir/$build/looked"; echo IN_PROGRESS; fi ;;
        'builds[0].phases[?phaseStatus != null && phaseStatus != `SUCCEEDED`].[phaseType, phaseStatus, contexts[0].message]')
          standin_read_into phase "$dir/$build/failed-phase"
          standin_read_into status "$dir/$build/status"
          standin_read_into message "$dir/$build/message"
          printf '%s\t%s\t%s\n' "$phase" "$status" "$message" ;;
        'builds[0].exportedEnvironmentVariables[?name == `IMAGE_DIGEST`].value | [0]')
          if [ -s "$dir/$build/digest" ]; then standin_read_into image_digest "$dir/$build/digest"; echo "$image_digest"; else echo None; fi ;;
        *) refuse "batch-get-builds: --query '$query' is not emulated" ;;
      esac ;;
    *) refuse "codebuild $operation is not emulated" ;;
  esac
}

# Each function answers what STANDIN_STATE_DIR/lambda/<name>/payload holds, after `seconds` (default 1)
# (and, while `not-ready` counts down, refuses as an Inactive function does)
# that are not waited but compared with the CLI's read timeout (default 60 s, 0 = none). A call that times
# out is retried up to AWS_MAX_ATTEMPTS (default 3) times, each retry invoking the function again.
lambda_() {
  [ "$operation" = invoke ] || refuse "lambda $operation is not emulated"
  [ "${opt[--cli-binary-format]:-}" = raw-in-base64-out ] || refuse 'lambda invoke with a JSON --payload needs --cli-binary-format raw-in-base64-out'
  [ ${#positional[@]} -eq 1 ] || refuse 'lambda invoke needs one outfile'
  local arn name dir seconds timeout attempts attempt not_ready
  arn=${opt[--function-name]:-}
  name=${arn##*:}
  dir="$STANDIN_STATE_DIR/lambda/$name"
  [ -f "$dir/payload" ] || { echo "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: $arn" >&2; exit 254; }
  # A function idle for weeks is Inactive: the next calls fail, unrun, until Lambda has restored it.
  not_ready=0
  [ ! -s "$dir/not-ready" ] || standin_read_into not_ready "$dir/not-ready"
  if [ "$not_ready" -gt 0 ]; then
    echo $(( not_ready - 1 )) > "$dir/not-ready"
    echo "An error occurred (ResourceNotReadyException) when calling the Invoke operation: The function is currently in the following state: Inactive" >&2
    exit 254
  fi
  seconds=1
  [ ! -f "$dir/seconds" ] || standin_read_into seconds "$dir/seconds"
  timeout=${opt[--cli-read-timeout]:-60}
  attempts=${AWS_MAX_ATTEMPTS:-3}
  for (( attempt = 1; attempt <= attempts; attempt++ )); do
    echo invoked >> "$dir/invocations"
    if [ "$timeout" = 0 ] || [ "$seconds" -le "$timeout" ]; then
      cp "$dir/payload" "${positional[0]}"
      if jq -e 'has("errorMessage")' "$dir/payload" > /dev/null; then
        echo '{"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"}'
      else
        echo '{"StatusCode": 200, "ExecutedVersion": "$LATEST"}'
      fi
      return 0
    fi
  done
  echo "Read timeout on endpoint URL: \"https://lambda.$region.amazonaws.com/2015-03-31/functions/$arn/invocations\"" >&2
  exit 255
}

sts() {
  [ "$operation" = assume-role ] || refuse "sts $operation is not emulated"
  expect_query 'Credentials.[AccessKeyId, SecretAccessKey, SessionToken]' text
  local role target
  role=${opt[--role-arn]:-}
  [[ "$role" =~ ^arn:aws:iam::([0-9]{12}):role/ ]] || refuse "not a role ARN: $role"
  target=${BASH_REMATCH[1]}
  if [ -f "$STANDIN_STATE_DIR/sts/untrusted/$target" ]; then
    echo "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::$account:assumed-role/build is not authorized to perform: sts:AssumeRole on resource: $role" >&2
    exit 254
  fi
  printf 'ASIASTANDIN%s\tsecret-%s\ttoken-%s\n' "$target" "$target" "$target"
}

# Stacks live in STANDIN_STATE_DIR/cloudformation/<account>/<region>/<stack>/{status,protected}.
cloudformation() {
  local stack dir json status
  stack=${opt[--stack-name]:-}
  dir="$STANDIN_STATE_DIR/cloudformation/$account/$region/$stack"
  case "$operation" in
    describe-stacks)
      expect_query 'Stacks[0].StackStatus' text
      [ -f "$dir/status" ] || { echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id $stack does not exist" >&2; exit 254; }
      standin_read_into status "$dir/status"
      echo "$status" ;;
    delete-stack)
      [ -f "$dir/protected" ] && { echo "An error occurred (ValidationError) when calling the DeleteStack operation: Stack [$stack] cannot be deleted while TerminationProtection is enabled" >&2; exit 254; }
      rm -rf "$dir" ;;
    wait)
      [ "${positional[0]:-}" = stack-delete-complete ] || refuse "cloudformation wait ${positional[0]:-} is not emulated"
      [ ! -d "$dir" ] || { echo "Waiter StackDeleteComplete failed: Waiter encountered a terminal failure state" >&2; exit 255; } ;;
    update-termination-protection)
      [ -n "${opt[--enable-termination-protection]:-}" ] || refuse 'only --enable-termination-protection is emulated'
      [ -f "$dir/status" ] || { echo "An error occurred (ValidationError) when calling the UpdateTerminationProtection operation: Stack [$stack] does not exist" >&2; exit 254; }
      : > "$dir/protected"
      standin_json_string_into json "$stack"
      printf '{"StackId": %s}\n' "$json" ;;
    *) refuse "cloudformation $operation is not emulated" ;;
  esac
}

case "$service" in
  ecr) ecr ;;
  codebuild) codebuild ;;
  lambda) lambda_ ;;
  sts) sts ;;
  cloudformation) cloudformation ;;
  *) refuse "$service is not emulated" ;;
esac
