#!/usr/bin/env bash
# Stand-in for the AWS CLI v2: records every call, and answers the ECR calls the build specs make from the
# fake registry. Anything else is refused the way the CLI refuses a bad command line (exit 252), so a typo in
# a build spec fails the rehearsal instead of passing silently.
set -u
. "$(dirname "$0")/standin-lib.sh"
standin_record aws "$@"

refuse() {
  echo "aws stand-in: $*" >&2
  exit 252
}

service=${1:-}
operation=${2:-}
[ $# -ge 2 ] && shift 2
repository='' tag='' new_tag='' query='' output=json manifest='' media_type='' digest='' region=''
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || refuse "option $1 needs a value"
  case "$1" in
    --repository-name) repository=$2 ;;
    --image-ids)
      case "$2" in
        imageTag=*) tag=${2#imageTag=} ;;
        *) refuse "only --image-ids imageTag=<tag> is emulated, got $2" ;;
      esac ;;
    --image-tag) new_tag=$2 ;;
    --query) query=$2 ;;
    --output) output=$2 ;;
    --image-manifest) manifest=$2 ;;
    --image-manifest-media-type) media_type=$2 ;;
    --image-digest) digest=$2 ;;
    --region) region=$2 ;;
    *) refuse "unexpected argument $1" ;;
  esac
  shift 2
done
[ "$service" = ecr ] || refuse "only ecr is emulated, got '$service'"

dir="$STANDIN_ECR_DIR/$repository"
not_found() {
  echo "An error occurred (ImageNotFoundException) when calling the $1 operation: The image with imageId {imageDigest:'null', imageTag:'$tag'} does not exist within the repository with name '$repository' in the registry with id '222222222222'" >&2
  exit 254
}

case "$operation" in
  get-login-password)
    if [ "${STANDIN_ECR_LOGIN_FAILS:-0}" = 1 ]; then
      echo 'Unable to locate credentials. You can configure credentials by running "aws configure".' >&2
      exit 253
    fi
    [ -n "$region" ] || [ -n "${AWS_REGION:-}" ] || refuse 'no region: pass --region or set AWS_REGION'
    echo "${STANDIN_ECR_PASSWORD:-fake-ecr-token}"
    ;;
  describe-images)
    [ -n "$repository" ] && [ -n "$tag" ] || refuse 'describe-images needs --repository-name and --image-ids'
    [ -f "$dir/$tag.manifest" ] || not_found DescribeImages
    digest=$(standin_digest_of "$dir/$tag.manifest")
    case "$query|$output" in
      'imageDetails[0].imageDigest|text') echo "$digest" ;;
      '|json') printf '{"imageDetails":[{"repositoryName":"%s","imageDigest":"%s","imageTags":["%s"]}]}\n' "$repository" "$digest" "$tag" ;;
      *) refuse "describe-images: --query '$query' --output $output is not emulated" ;;
    esac
    ;;
  batch-get-image)
    [ -n "$repository" ] && [ -n "$tag" ] || refuse 'batch-get-image needs --repository-name and --image-ids'
    [ "$output" = text ] || refuse 'batch-get-image is emulated for --output text only'
    # BatchGetImage reports a missing image under "failures" and succeeds; the text output of an empty query is None.
    case "$query" in
      'images[0].imageManifest') file="$dir/$tag.manifest" ;;
      'images[0].imageManifestMediaType') file="$dir/$tag.media-type" ;;
      *) refuse "batch-get-image: --query '$query' is not emulated" ;;
    esac
    if [ -f "$file" ]; then
      cat "$file"
    else
      printf 'None'
    fi
    # The CLI's text output ends every value with a newline; a caller that keeps it changes the manifest's digest.
    printf '\n'
    ;;
  put-image)
    [ -n "$repository" ] && [ -n "$new_tag" ] && [ -n "$manifest" ] || refuse 'put-image needs --repository-name, --image-tag and --image-manifest'
    body=$(mktemp)
    case "$manifest" in
      file://*)
        [ -f "${manifest#file://}" ] || refuse "Error parsing parameter '--image-manifest': Unable to load paramfile $manifest"
        cp "${manifest#file://}" "$body" ;;
      *) printf '%s' "$manifest" > "$body" ;;
    esac
    if [ -n "$digest" ] && [ "$digest" != "$(standin_digest_of "$body")" ]; then
      echo "An error occurred (ImageDigestDoesNotMatchException) when calling the PutImage operation: Invalid parameter at 'imageDigest' failed to satisfy constraint: 'digest does not match the manifest'" >&2
      rm -f "$body"
      exit 254
    fi
    standin_put_tag "$repository" "$new_tag" "$body" "$media_type" PutImage || { rm -f "$body"; exit 254; }
    printf '{"image":{"repositoryName":"%s","imageId":{"imageDigest":"%s","imageTag":"%s"}}}\n' "$repository" "$(standin_digest_of "$body")" "$new_tag"
    rm -f "$body"
    ;;
  *) refuse "ecr $operation is not emulated" ;;
esac
