import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from 'cdk-nag';
import { findingsOf, newStack } from './run-pack';
import {
  ECS_SCOPABLE_WRITE_ACTIONS,
  ECS_WILDCARD_ONLY_ACTIONS,
  EcsWritesScoped,
} from '../../../src/compliance/rules/ecs-writes-scoped';

function withStatements(...statements: object[]) {
  const stack = newStack();
  const policy = new iam.CfnPolicy(stack, 'Policy', {
    policyName: 'deploy',
    roles: ['deployer'],
    policyDocument: { Version: '2012-10-17', Statement: statements },
  });
  return { stack, policy };
}

const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';

describe('PlatformChecks-EcsWritesScoped', () => {
  test('passes for writes on named resources and wildcard-only actions on *', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Deployer', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:ListClusters', 'ecs:DeregisterTaskDefinition'],
      resources: ['*'],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: 'web:*' })],
    }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [SERVICE_ARN] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask'], resources: ['arn:aws:ecs:eu-west-1:123456789012:task/prod/*'] }));

    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual([]);
  });

  test('the tutorial statement, ecs:* on *, fails', () => {
    const { stack } = withStatements({ Effect: 'Allow', Action: 'ecs:*', Resource: '*' });
    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual(['PlatformChecks-EcsWritesScoped[Action::ecs:*]']);
  });

  test('each write that accepts an ARN fails on *, named as written', () => {
    const { stack } = withStatements({
      Effect: 'Allow',
      Action: ['ecs:UpdateService', 'ecs:RegisterTaskDefinition', 'ecs:TagResource', 'ecs:CreateCluster', 'ecs:DescribeServices'],
      Resource: '*',
    });
    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual([
      'PlatformChecks-EcsWritesScoped[Action::ecs:CreateCluster]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:RegisterTaskDefinition]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:TagResource]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:UpdateService]',
    ]);
  });

  test('a wildcard fails when it reaches a write, not when it reaches only reads', () => {
    expect(findingsOf(withStatements({ Effect: 'Allow', Action: ['ecs:Update*', '*'], Resource: '*' }).stack, 'EcsWritesScoped'))
      .toEqual(['PlatformChecks-EcsWritesScoped[Action::*]', 'PlatformChecks-EcsWritesScoped[Action::ecs:Update*]']);
    expect(findingsOf(withStatements({ Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*' }).stack, 'EcsWritesScoped'))
      .toEqual([]);
  });

  test('an ECS action missing from both lists counts as a write unless it reads', () => {
    const { stack } = withStatements({ Effect: 'Allow', Action: ['ecs:FrobnicateService', 'ecs:GetFrobnication'], Resource: '*' });
    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual(['PlatformChecks-EcsWritesScoped[Action::ecs:FrobnicateService]']);
  });

  test.each([
    'arn:aws:ecs:*:*:*',
    'arn:aws:ecs:eu-west-1:123456789012:*',
    'arn:aws:ecs:eu-west-1:123456789012:service/*',
    'arn:aws:ecs:eu-west-1:123456789012:service*',
    'arn:aws:*:eu-west-1:123456789012:service/prod/web',
    'arn:aws:ecs:eu-west-1:123456789012:task-definition/*:3',
    { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/*' },
  ])('%j is not scoped', (resource) => {
    const { stack } = withStatements({ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: [SERVICE_ARN, resource] });
    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual(['PlatformChecks-EcsWritesScoped[Action::ecs:UpdateService]']);
  });

  test.each([
    'arn:aws:ecs:eu-west-1:123456789012:service/prod/*',
    'arn:aws:ecs:*:123456789012:service/prod/web',
    'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:*',
    'arn:aws:s3:::artifacts/*',
    { 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/${Cluster}/*' },
    { Ref: 'Service1234' },
  ])('%j is scoped', (resource) => {
    const { stack } = withStatements({ Effect: 'Allow', Action: ['ecs:UpdateService', 'ecs:RegisterTaskDefinition'], Resource: resource });
    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual([]);
  });

  test('NotResource and a NotAction that leaves writes in fail', () => {
    expect(findingsOf(withStatements({ Effect: 'Allow', Action: 'ecs:UpdateService', NotResource: SERVICE_ARN }).stack, 'EcsWritesScoped'))
      .toEqual(['PlatformChecks-EcsWritesScoped[Action::ecs:UpdateService]']);
    expect(findingsOf(withStatements({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }).stack, 'EcsWritesScoped'))
      .toEqual(['PlatformChecks-EcsWritesScoped[NotAction]']);
    expect(findingsOf(withStatements({ Effect: 'Allow', NotAction: 'ecs:*', Resource: '*' }).stack, 'EcsWritesScoped'))
      .toEqual([]);
  });

  test('Deny statements and other resources are not judged', () => {
    const { stack, policy } = withStatements({ Effect: 'Deny', Action: 'ecs:*', Resource: '*' });
    expect(findingsOf(stack, 'EcsWritesScoped')).toEqual([]);
    expect(EcsWritesScoped(policy)).toBe(NagRuleCompliance.COMPLIANT);
  });

  describe('the action lists', () => {
    test('hold the facts the team measured (Service Authorization Reference, 2026)', () => {
      expect(ECS_SCOPABLE_WRITE_ACTIONS).toEqual(expect.arrayContaining(['ecs:UpdateService', 'ecs:TagResource', 'ecs:RegisterTaskDefinition']));
      expect(ECS_WILDCARD_ONLY_ACTIONS).toContain('ecs:DescribeTaskDefinition');
      expect(ECS_WILDCARD_ONLY_ACTIONS).toContain('ecs:DeregisterTaskDefinition');
    });

    test('do not overlap and hold only ECS actions', () => {
      expect(ECS_SCOPABLE_WRITE_ACTIONS.filter((action) => ECS_WILDCARD_ONLY_ACTIONS.includes(action))).toEqual([]);
      expect([...ECS_SCOPABLE_WRITE_ACTIONS, ...ECS_WILDCARD_ONLY_ACTIONS].filter((action) => !/^ecs:[A-Z][A-Za-z]+$/.test(action)))
        .toEqual([]);
    });
  });
});
