/**
 * Invokes a stage's in-VPC check function (src/stages/check) from CodeBuild in the toolchain account and
 * fails unless the service answered its greeting. Both pipelines run it after deploying a stage.
 *
 * The function may take up to its 90 s timeout while the service starts. The AWS CLI reads for 60 s by
 * default and then retries the call, which invokes the function again and ends in "Read timeout" instead
 * of the check's own answer; so the read timeout is longer than the function's and the call is made once.
 * The one line the check reports is left in CHECK_RESULT (an exported variable of the app pipeline's
 * check action, which the next stage's approval quotes).
 *
 * The function runs on deploys only, so weeks can pass between two calls. Lambda makes a VPC function that
 * long idle Inactive, and the first call after that fails with ResourceNotReadyException while Lambda
 * restores its network interfaces, without running the function. Only that error is retried, every
 * CHECK_NOT_READY_WAIT seconds (30 unless set) for about five minutes; any other failure ends the step at once.
 */
export function serviceCheckCommands(region: string, functionArn: string): string[] {
  const invoke = `AWS_MAX_ATTEMPTS=1 aws lambda invoke --region ${region} --function-name ${functionArn} --cli-read-timeout 150 --cli-connect-timeout 10 `
    + '--cli-binary-format raw-in-base64-out --payload \'{}\' check-result.json > invoke-result.json 2> invoke-error.txt';
  return [
    `for attempt in 1 2 3 4 5 6 7 8 9 10 11; do if ${invoke}; then break; fi; `
      + 'if grep -q ResourceNotReadyException invoke-error.txt && [ "$attempt" -lt 11 ]; then '
      + 'echo "The check function is not ready yet (Lambda restores an idle function before it runs again); trying again in ${CHECK_NOT_READY_WAIT:-30} s"; '
      + 'sleep "${CHECK_NOT_READY_WAIT:-30}"; else cat invoke-error.txt >&2; exit 1; fi; done',
    'CHECK_RESULT=$(jq -r \'if .ok == true then "answered \\(.url) (app version \\(.version), attempt \\(.attempt))" else "FAILED: \\(.errorMessage // tojson)" end\' check-result.json)',
    'echo "Service check: ${CHECK_RESULT}"',
    'jq -e \'.ok == true\' check-result.json > /dev/null',
  ];
}
