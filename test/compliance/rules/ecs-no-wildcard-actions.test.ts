import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from 'cdk-nag';
import { findingsOf, newStack, pathsOf } from './run-pack';
import { EcsNoWildcardActions } from '../../../src/compliance/rules/ecs-no-wildcard-actions';

function withStatements(...statements: object[]) {
  const stack = newStack();
  const policy = new iam.CfnManagedPolicy(stack, 'Policy', { policyDocument: { Version: '2012-10-17', Statement: statements } });
  return { stack, policy };
}

describe('PlatformChecks-EcsNoWildcardActions', () => {
  test('passes for ECS actions listed by name', () => {
    const { stack, policy } = withStatements({
      Effect: 'Allow',
      Action: ['ecs:DescribeServices', 'ecs:UpdateService', 'iam:*', 's3:Get*'],
      Resource: '*',
    });
    expect(findingsOf(stack, 'EcsNoWildcardActions')).toEqual([]);
    expect(EcsNoWildcardActions(policy)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('the tutorial statement, ecs:* on *, fails', () => {
    const { stack, policy } = withStatements({ Effect: 'Allow', Action: 'ecs:*', Resource: '*' });
    expect(findingsOf(stack, 'EcsNoWildcardActions')).toEqual(['PlatformChecks-EcsNoWildcardActions[Action::ecs:*]']);
    expect(pathsOf(stack, 'PlatformChecks-EcsNoWildcardActions[Action::ecs:*]')).toEqual([policy.node.path]);
  });

  test.each(['ecs:Update*', 'ecs:*Service', 'ecs:Describe?ervices', 'ECS:*', '*', 'e*', '*:Describe*'])(
    '%s fails, whatever its resource',
    (action) => {
      const { stack } = withStatements({
        Effect: 'Allow',
        Action: ['ecs:ListTasks', action],
        Resource: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
      });
      expect(findingsOf(stack, 'EcsNoWildcardActions')).toEqual([`PlatformChecks-EcsNoWildcardActions[Action::${action}]`]);
    },
  );

  test('one finding per wildcard, across statements', () => {
    const { stack } = withStatements(
      { Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*' },
      { Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' },
    );
    expect(findingsOf(stack, 'EcsNoWildcardActions')).toEqual([
      'PlatformChecks-EcsNoWildcardActions[Action::ecs:Describe*]',
      'PlatformChecks-EcsNoWildcardActions[Action::ecs:List*]',
    ]);
  });

  test('an Allow with a NotAction that leaves ECS in fails; one that excludes ECS passes', () => {
    expect(findingsOf(withStatements({ Effect: 'Allow', NotAction: ['iam:*', 'ecs:DeleteCluster'], Resource: '*' }).stack, 'EcsNoWildcardActions'))
      .toEqual(['PlatformChecks-EcsNoWildcardActions[NotAction]']);
    expect(findingsOf(withStatements({ Effect: 'Allow', NotAction: ['iam:*', 'ecs:*'], Resource: '*' }).stack, 'EcsNoWildcardActions'))
      .toEqual([]);
  });

  test('Deny statements are not judged', () => {
    const { stack } = withStatements({ Effect: 'Deny', Action: 'ecs:*', Resource: '*' });
    expect(findingsOf(stack, 'EcsNoWildcardActions')).toEqual([]);
  });
});
