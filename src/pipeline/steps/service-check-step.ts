import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep } from 'aws-cdk-lib/pipelines';
import { BASH } from './bash';
import type { StageConfig } from '../../config';
import { serviceCheckCommands } from '../../delivery/specs/service-check-commands';

/**
 * After the meta-pipeline deploys a stage's infrastructure, invokes that stage's in-VPC check function (the
 * only place its private service address resolves) and fails the pipeline unless the service answered.
 */
export function serviceCheckStep(scope: Stack, stage: StageConfig, functionName: string): CodeBuildStep {
  const functionArn = scope.formatArn({
    partition: 'aws', service: 'lambda', account: stage.account, region: stage.region, resource: 'function', resourceName: functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return new CodeBuildStep(`${stage.name}-ServiceCheck`, {
    partialBuildSpec: BASH,
    commands: serviceCheckCommands(stage.region, functionArn),
    rolePolicyStatements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] })],
  });
}
