import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NODE_MAJOR } from './node-major';

/**
 * The Lambda runtime of the project's Node major, named rather than "latest" so an aws-cdk-lib upgrade
 * never moves a function to a Node the rest of the project does not run on.
 */
export function lambdaNodeRuntime(): lambda.Runtime {
  const runtime = lambda.Runtime.ALL.find((candidate) => candidate.name === `nodejs${NODE_MAJOR}.x`);
  if (!runtime) throw new Error(`aws-cdk-lib knows no Lambda runtime nodejs${NODE_MAJOR}.x: upgrade aws-cdk-lib or change NODE_MAJOR`);
  return runtime;
}

/**
 * The build spec fragment that makes a CodeBuild curated image switch to the project's Node major before
 * any command runs. Without it each image runs its own default (Node 18 on aws/codebuild/standard:7.0).
 */
export function codeBuildNodeRuntime(): { phases: { install: { 'runtime-versions': { nodejs: number } } } } {
  return { phases: { install: { 'runtime-versions': { nodejs: NODE_MAJOR } } } };
}
