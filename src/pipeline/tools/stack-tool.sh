#!/usr/bin/env bash
# stack-tool: what the meta-pipeline does to its stacks around a deploy, through each account's CDK bootstrap
# deploy role (cdk bootstrap --trust lets the toolchain account assume it; it may describe, delete and protect
# stacks). See stack-tool.ts for who runs it and why.
#
#   stack-tool recover ROLE_ARN REGION STACK   deletes STACK when its first create failed (ROLLBACK_COMPLETE)
#   stack-tool protect ROLE_ARN REGION STACK   turns termination protection on
set -euo pipefail

fail() { echo "stack-tool: $*" >&2; exit 1; }

# Runs the rest of the command line with the credentials of ROLE_ARN, in a subshell so they go no further.
as_role() {
  local role=$1 credentials
  shift
  credentials=$(aws sts assume-role --role-arn "$role" --role-session-name meta-pipeline --output text \
    --query 'Credentials.[AccessKeyId, SecretAccessKey, SessionToken]')
  (
    read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<< "$credentials"
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
    "$@"
  )
}

status_of() {
  local region=$1 stack=$2 out err
  err=$(mktemp)
  if out=$(aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
      --query 'Stacks[0].StackStatus' --output text 2> "$err"); then
    printf '%s\n' "$out"
  elif grep -q 'does not exist' "$err"; then
    echo NONE
  else
    cat "$err" >&2
    rm -f "$err"
    return 1
  fi
  rm -f "$err"
}

# A stack whose first create rolled back holds nothing (its named resources are RetainExceptOnCreate) and
# can never be updated: CodePipeline's CloudFormation action refuses it. Deleting it lets this run create it.
recover() {
  local region=$1 stack=$2 status
  status=$(status_of "$region" "$stack")
  if [ "$status" != ROLLBACK_COMPLETE ]; then
    echo "$stack ($region): $status"
    return 0
  fi
  echo "$stack ($region): its first create failed and rolled back; deleting it so this run can create it again"
  aws cloudformation delete-stack --region "$region" --stack-name "$stack"
  aws cloudformation wait stack-delete-complete --region "$region" --stack-name "$stack"
  echo "$stack ($region): deleted"
}

protect() {
  local region=$1 stack=$2
  aws cloudformation update-termination-protection --region "$region" --stack-name "$stack" --enable-termination-protection > /dev/null
  echo "$stack ($region): termination protection on"
}

command=${1:-}
[ $# -eq 0 ] || shift
case "$command" in
  recover) [ $# -eq 3 ] || fail 'usage: recover ROLE_ARN REGION STACK'; as_role "$1" recover "$2" "$3" ;;
  protect) [ $# -eq 3 ] || fail 'usage: protect ROLE_ARN REGION STACK'; as_role "$1" protect "$2" "$3" ;;
  *) fail "unknown command '$command': recover or protect" ;;
esac
