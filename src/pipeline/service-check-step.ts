import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep } from 'aws-cdk-lib/pipelines';
import type { StageConfig } from '../config';

/**
 * After a stage deploys, invokes that stage's in-VPC check function (the only place its private service
 * address resolves) and fails the pipeline unless the service answered its greeting.
 */
export function serviceCheckStep(stage: StageConfig, functionName: string): CodeBuildStep {
  const functionArn = `arn:aws:lambda:${stage.region}:${stage.account}:function:${functionName}`;
  return new CodeBuildStep(`${stage.name}-ServiceCheck`, {
    commands: [
      `aws lambda invoke --region ${stage.region} --function-name ${functionArn} --cli-binary-format raw-in-base64-out --payload '{}' check-result.json`,
      'cat check-result.json',
      'node -e "const r = require(\'./check-result.json\'); if (r.ok !== true) { console.error(r.errorMessage || r); process.exit(1); }"',
    ],
    rolePolicyStatements: [
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn] }),
    ],
  });
}
