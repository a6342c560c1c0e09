/**
 * Invokes a stage's in-VPC check function (src/stages/check) from CodeBuild in the toolchain account and
 * fails unless the service answered its greeting. Both pipelines run it after deploying a stage.
 *
 * The function may take up to its 90 s timeout while the service starts. The AWS CLI reads for 60 s by
 * default and then retries the call, which invokes the function again and ends in "Read timeout" instead
 * of the check's own answer; so the read timeout is longer than the function's and the call is made once.
 * The one line the check reports is left in CHECK_RESULT (an exported variable of the app pipeline's
 * check action, which the next stage's approval quotes).
 */
export function serviceCheckCommands(region: string, functionArn: string): string[] {
  return [
    `AWS_MAX_ATTEMPTS=1 aws lambda invoke --region ${region} --function-name ${functionArn} --cli-read-timeout 150 --cli-connect-timeout 10 `
      + '--cli-binary-format raw-in-base64-out --payload \'{}\' check-result.json > invoke-result.json',
    'CHECK_RESULT=$(jq -r \'if .ok == true then "answered \\(.url) (app version \\(.version), attempt \\(.attempt))" else "FAILED: \\(.errorMessage // tojson)" end\' check-result.json)',
    'echo "Service check: ${CHECK_RESULT}"',
    'jq -e \'.ok == true\' check-result.json > /dev/null',
  ];
}
