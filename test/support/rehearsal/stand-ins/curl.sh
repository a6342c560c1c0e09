#!/usr/bin/env bash
# Stand-in for curl: records the call and serves the only URLs the build specs fetch, the pre-signed layer
# URLs the aws stand-in hands out for the fake registry. Anything else fails, as the network does here.
set -u
. "${0%/*}/standin-lib.sh"
standin_record curl "$@"
output='' url=''
while [ $# -gt 0 ]; do
  case "$1" in
    --output|-o) output=${2:-}; shift 2 ;;
    --fail|--silent|--show-error|--location|-f|-s|-S|-L|-fsSL) shift ;;
    -*) echo "curl stand-in: unexpected option $1" >&2; exit 2 ;;
    *) url=$1; shift ;;
  esac
done
case "$url" in
  https://standin-ecr-layers.invalid/*)
    path=${url#https://standin-ecr-layers.invalid/}
    path=${path%%\?*}
    region=${path%%/*}
    rest=${path#*/}
    standin_repository_into blob "$region" "${rest%%/blobs/*}"
    blob="$blob/blobs/${rest##*/blobs/}"
    [ -f "$blob" ] || { echo 'curl: (22) The requested URL returned error: 404' >&2; exit 22; }
    if [ -n "$output" ]; then cp "$blob" "$output"; else cat "$blob"; fi ;;
  *) echo "curl: (6) Could not resolve host: ${url#*//}" >&2; exit 6 ;;
esac
