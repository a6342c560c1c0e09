#!/usr/bin/env bash
# Stand-in for curl: records the call (the test reads the request from the arguments) and answers nothing.
set -u
. "$(dirname "$0")/standin-lib.sh"
standin_record curl "$@"
if [ "${STANDIN_CURL_FAILS:-0}" = 1 ]; then
  echo 'curl: (22) The requested URL returned error: 403' >&2
  exit 22
fi
