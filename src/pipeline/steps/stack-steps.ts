import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep } from 'aws-cdk-lib/pipelines';
import { BASH } from './bash';
import { bootstrapDeployRoleArn, installStackToolCommand } from '../tools/stack-tool';

function stackToolStep(id: string, command: 'recover' | 'protect', stacks: readonly Stack[], qualifier: string): CodeBuildStep {
  const roleOf = (stack: Stack) => bootstrapDeployRoleArn(qualifier, stack.account, stack.region);
  return new CodeBuildStep(id, {
    partialBuildSpec: BASH,
    commands: [
      installStackToolCommand(),
      ...stacks.map((stack) => `bash "$STACK_TOOL" ${command} ${roleOf(stack)} ${stack.region} ${stack.stackName}`),
    ],
    rolePolicyStatements: [
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...new Set(stacks.map(roleOf))].sort() }),
    ],
  });
}

/**
 * Before anything deploys, deletes every stack of the platform whose first create rolled back
 * (ROLLBACK_COMPLETE): CodePipeline's CloudFormation action refuses to update such a stack, so one failed
 * first deploy would otherwise fail every later run until someone deleted it by hand.
 */
export function recoverFailedCreatesStep(stacks: readonly Stack[], qualifier: string): CodeBuildStep {
  return stackToolStep('RecoverFailedCreates', 'recover', stacks, qualifier);
}

/**
 * After everything deployed, turns on termination protection for every stack that asks for it (retention
 * "retain"): CodePipeline's CloudFormation action cannot set it, so the stacks' own flag would be a promise
 * nothing keeps. No step when no stack asks for it.
 */
export function protectStacksStep(stacks: readonly Stack[], qualifier: string): CodeBuildStep[] {
  const protectedStacks = stacks.filter((stack) => stack.terminationProtection);
  return protectedStacks.length > 0 ? [stackToolStep('ProtectStacks', 'protect', protectedStacks, qualifier)] : [];
}
