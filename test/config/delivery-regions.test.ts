import { App, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import { AWS_REGIONS, DELIVERY_REGIONS } from '../../src/config/aws-names';

/** Whether aws-cdk-lib's CloudFormation validation knows the resource types the platform needs in `region`. */
function hasDeliveryServices(region: string): boolean {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, 'Probe', { env: { account: '111111111111', region } });
  new codecommit.CfnRepository(stack, 'Repository', { repositoryName: 'probe' });
  new codestarnotifications.CfnNotificationRule(stack, 'Rule', {
    name: 'probe',
    detailType: 'FULL',
    eventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed'],
    resource: `arn:aws:codepipeline:${region}:111111111111:probe`,
    targets: [{ targetType: 'SNS', targetAddress: `arn:aws:sns:${region}:111111111111:probe` }],
  });
  try {
    app.synth();
    return true;
  } catch (error) {
    return !/does not exist in/.test(String((error as Error).message));
  }
}

test('DELIVERY_REGIONS are exactly the regions with CodeCommit and CodeStar Notifications', () => {
  expect(AWS_REGIONS.filter(hasDeliveryServices)).toEqual([...DELIVERY_REGIONS].sort());
});
