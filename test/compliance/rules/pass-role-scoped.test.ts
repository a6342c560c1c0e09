import { CfnResource, Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance } from 'cdk-nag';
import { findingsOf, newStack, pathsOf } from './run-pack';
import { PassRoleScoped } from '../../../src/compliance/rules/pass-role-scoped';

const TO_ECS_TASKS = { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } };

/** A stack with one task role and one policy holding the given statements. */
function withStatements(...statements: object[]) {
  const stack = newStack();
  const taskRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const policy = new iam.CfnPolicy(stack, 'Policy', {
    policyName: 'deploy',
    roles: ['deployer'],
    policyDocument: { Version: '2012-10-17', Statement: statements },
  });
  return { stack, taskRole, policy };
}

function passRole(resource: unknown, extra: object = { Condition: TO_ECS_TASKS }) {
  return { Effect: 'Allow', Action: 'iam:PassRole', Resource: resource, ...extra };
}

describe('PlatformChecks-PassRoleScoped', () => {
  test('passes for explicit role ARNs passed only to ecs-tasks', () => {
    const stack = newStack();
    const taskRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const deployer = new iam.Role(stack, 'Deployer', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    deployer.addToPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [
        taskRole.roleArn,
        'arn:aws:iam::123456789012:role/app-execution',
        Fn.importValue('shared-execution-role-arn'),
        stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'service-role/app-task' }),
      ],
      conditions: TO_ECS_TASKS,
    }));

    expect(findingsOf(stack, 'PassRoleScoped')).toEqual([]);
    expect(PassRoleScoped(deployer.node.findChild('DefaultPolicy').node.defaultChild as CfnResource))
      .toBe(NagRuleCompliance.COMPLIANT);
  });

  test('the tutorial statement, PassRole on * with only a StringLike condition, fails on its resource', () => {
    const { stack, policy } = withStatements(passRole('*', { Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }));
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual(['PlatformChecks-PassRoleScoped[Resource::*]']);
    expect(pathsOf(stack, 'PlatformChecks-PassRoleScoped[Resource::*]')).toEqual([policy.node.path]);
  });

  test('the tutorial template statement, PassRole on * without a condition, fails twice', () => {
    const { stack } = withStatements(passRole('*', {}));
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual([
      'PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]',
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
  });

  test.each([
    ['arn:aws:iam::123456789012:role/*', 'arn:aws:iam::123456789012:role/*'],
    ['arn:aws:iam::*:role/app*', 'arn:aws:iam::*:role/app*'],
    ['arn:aws:iam::123456789012:role/service-role/?pp', 'arn:aws:iam::123456789012:role/service-role/?pp'],
    [
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']] },
      'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*',
    ],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app-*' }, 'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/app-*'],
  ])('a wildcard in the role name or path fails: %j', (resource, described) => {
    const { stack } = withStatements(passRole(resource));
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual([`PlatformChecks-PassRoleScoped[Resource::${described}]`]);
  });

  test('a wildcard among explicit ARNs fails on that one only', () => {
    const { stack, taskRole } = withStatements();
    new iam.Policy(stack, 'Mixed', {
      roles: [taskRole],
      statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [taskRole.roleArn, '*'], conditions: TO_ECS_TASKS })],
    });
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual(['PlatformChecks-PassRoleScoped[Resource::*]']);
  });

  test.each(['iam:*', 'iam:Pass*', 'iam:P*', 'iam:PassRol?', '*', 'IAM:passrole'])('allowing PassRole through %s is judged', (action) => {
    const { stack } = withStatements({ Effect: 'Allow', Action: [action], Resource: '*' });
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual([
      'PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]',
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
  });

  test('a NotAction that leaves PassRole in is judged; one that excludes it is not', () => {
    expect(findingsOf(withStatements({ Effect: 'Allow', NotAction: ['s3:*'], Resource: '*' }).stack, 'PassRoleScoped'))
      .toContain('PlatformChecks-PassRoleScoped[Resource::*]');
    expect(findingsOf(withStatements({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' }).stack, 'PassRoleScoped'))
      .toEqual([]);
  });

  test('NotResource is as broad as *', () => {
    const { stack } = withStatements({ Effect: 'Allow', Action: 'iam:PassRole', NotResource: 'arn:aws:iam::123456789012:role/admin', Condition: TO_ECS_TASKS });
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual(['PlatformChecks-PassRoleScoped[NotResource]']);
  });

  test('an Fn::If with * in one branch fails', () => {
    const { stack } = withStatements(passRole({ 'Fn::If': ['IsProd', 'arn:aws:iam::123456789012:role/app', '*'] }));
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual(['PlatformChecks-PassRoleScoped[Resource::<Fn::If>]']);
  });

  test.each([
    ['StringEqualsIfExists', { StringEqualsIfExists: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }],
    ['ForAllValues:StringEquals', { 'ForAllValues:StringEquals': { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }],
    ['StringNotEquals', { StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }],
    ['StringLike with a wildcard', { StringLike: { 'iam:PassedToService': 'ecs-*.amazonaws.com' } }],
    ['StringEquals with a wildcard', { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', '*'] } }],
    ['an empty list', { StringEquals: { 'iam:PassedToService': [] } }],
    ['another key only', { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } }],
  ])('the condition fails with %s', (_, condition) => {
    const { stack, taskRole } = withStatements();
    new iam.Policy(stack, 'Conditioned', {
      roles: [taskRole],
      statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [taskRole.roleArn], conditions: condition })],
    });
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual(['PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]']);
  });

  test.each([
    ['StringEquals with two services', { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'] } }],
    ['StringLike without a wildcard', { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }],
    ['the key in another case', { StringEquals: { 'IAM:PassedToService': 'ecs-tasks.amazonaws.com' } }],
    ['an intrinsic service name', { StringEquals: { 'iam:PassedToService': { 'Fn::Sub': 'ecs-tasks.${AWS::URLSuffix}' } } }],
  ])('the condition passes with %s', (_, condition) => {
    const { stack, taskRole } = withStatements();
    new iam.Policy(stack, 'Conditioned', {
      roles: [taskRole],
      statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [taskRole.roleArn], conditions: condition })],
    });
    expect(findingsOf(stack, 'PassRoleScoped')).toEqual([]);
  });

  test('reads inline role policies and managed policies too, and ignores Deny', () => {
    const stack = newStack();
    new iam.Role(stack, 'Inline', {
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      inlinePolicies: { pass: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'], conditions: TO_ECS_TASKS })] }) },
    });
    new iam.ManagedPolicy(stack, 'Managed', {
      statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'], conditions: TO_ECS_TASKS })],
    });
    new iam.ManagedPolicy(stack, 'Denies', {
      statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['iam:PassRole'], resources: ['*'] })],
    });
    expect(pathsOf(stack, 'PlatformChecks-PassRoleScoped[Resource::*]').sort()).toEqual(['Test/Inline/Resource', 'Test/Managed/Resource']);
  });

  test('is not applicable to statements without PassRole or to other resources', () => {
    const { policy } = withStatements({ Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: '*' });
    expect(PassRoleScoped(policy)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    const stack = newStack();
    expect(PassRoleScoped(new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket' }))).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});
