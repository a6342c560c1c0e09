import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `stack-tool` (stack-tool.sh beside this file): what the meta-pipeline does to the stacks it deploys that
 * CodePipeline's CloudFormation action cannot: delete a stack whose first create rolled back (the action
 * refuses to update one), and turn on termination protection (the action cannot set it). It acts through
 * each account's CDK bootstrap deploy role, which `cdk bootstrap --trust` lets the toolchain assume.
 */
export const STACK_TOOL_SCRIPT = readFileSync(path.join(__dirname, 'stack-tool.sh'), 'utf8');

export function installStackToolCommand(): string {
  return `STACK_TOOL="$(mktemp -d)/stack-tool.sh"; cat > "$STACK_TOOL" <<'STACK_TOOL_SCRIPT'\n${STACK_TOOL_SCRIPT}STACK_TOOL_SCRIPT`;
}

/** The CDK bootstrap deploy role of an account and region. */
export function bootstrapDeployRoleArn(qualifier: string, account: string, region: string): string {
  return `arn:aws:iam::${account}:role/cdk-${qualifier}-deploy-role-${account}-${region}`;
}
