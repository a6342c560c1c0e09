import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { newStack } from './run-pack';
import { renderResource, renderStack } from '../../../src/compliance/rules/cfn-template';
import {
  actionPatternCoversPrefix,
  actionPatternReachesPrefix,
  allowStatementsOf,
  containsWildcard,
  describeValue,
  flattenForStructure,
  globMatches,
  statementAllowsAction,
  statementsAttachedToRole,
} from '../../../src/compliance/rules/iam-statements';

const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('globMatches', () => {
  test.each([
    ['iam:PassRole', 'iam:PassRole', true],
    ['iam:*', 'iam:PassRole', true],
    ['iam:Pass*', 'iam:PassRole', true],
    ['iam:P*', 'iam:PassRole', true],
    ['*', 'iam:PassRole', true],
    ['iam:PassRol?', 'iam:PassRole', true],
    ['iam:PassRole?', 'iam:PassRole', false],
    ['iam:Get*', 'iam:PassRole', false],
    ['iam:Pass.ole', 'iam:PassRole', false],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value, true)).toBe(expected);
  });

  test('actions ignore case, resources do not', () => {
    expect(globMatches('IAM:passrole', 'iam:PassRole', true)).toBe(true);
    expect(globMatches('arn:aws:iam::1:role/App', 'arn:aws:iam::1:role/app', false)).toBe(false);
  });
});

describe('action patterns against a service prefix', () => {
  test.each(['*', 'ecs:*', 'e*', 'ec?:*', '*:Describe*', 'ecs:Update*', 'ECS:*Service'])('%s reaches ecs:', (pattern) => {
    expect(actionPatternReachesPrefix(pattern, 'ecs:')).toBe(true);
  });
  test.each(['iam:*', 's3:Get*', 'ecr:*', 'ec2:*', 'ecs'])('%s does not reach ecs:', (pattern) => {
    expect(actionPatternReachesPrefix(pattern, 'ecs:')).toBe(false);
  });
  test.each(['*', 'ecs:*', 'e*', 'ECS:**'])('%s covers every ecs: action', (pattern) => {
    expect(actionPatternCoversPrefix(pattern, 'ecs:')).toBe(true);
  });
  test.each(['ecs:Update*', 'ecs:', 'iam:*', 'ecs:?'])('%s does not cover every ecs: action', (pattern) => {
    expect(actionPatternCoversPrefix(pattern, 'ecs:')).toBe(false);
  });
});

describe('values that may be intrinsics', () => {
  test.each([
    ['*', true],
    ['arn:aws:iam::123456789012:role/app', false],
    [{ 'Fn::GetAtt': ['Role1234', 'Arn'] }, false],
    [{ 'Fn::ImportValue': 'shared-role-arn' }, false],
    [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']] }, true],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app' }, false],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/app-*' }, true],
    [{ 'Fn::Sub': ['arn:aws:iam::1:role/${Name}', { Name: '*' }] }, true],
    [{ 'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Role1234', 'Arn'] }, '*'] }, true],
  ])('containsWildcard(%j) is %s', (value, expected) => {
    expect(containsWildcard(value)).toBe(expected);
  });

  test('describeValue renders references like cdk-nag does and has no spaces', () => {
    expect(describeValue({ 'Fn::GetAtt': ['Role1234', 'Arn'] })).toBe('<Role1234.Arn>');
    expect(describeValue({ 'Fn::GetAtt': 'Role1234.Arn' })).toBe('<Role1234.Arn>');
    expect(describeValue({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${!Literal} x' }))
      .toBe('arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${Literal}_x');
  });

  test('flattenForStructure keeps the ARN separators readable', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':1:service/*']] };
    expect(flattenForStructure(arn)).toBe('arn:REF:ecs:REF:1:service/*');
  });
});

describe('statement extraction', () => {
  test('reads inline role policies, policies, managed policies and role policies, in every shape', () => {
    const stack = newStack();
    const role = new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: TRUST,
      policies: [{ policyName: 'inline', policyDocument: { Statement: { Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*' } } }],
    });
    // The L1 class insists on an object; CloudFormation also takes the document as a JSON string.
    const policy = new CfnResource(stack, 'Policy', {
      type: 'AWS::IAM::Policy',
      properties: {
        PolicyName: 'p',
        Roles: [role.ref],
        PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['ecs:DescribeTasks'], Resource: ['*'] }] }),
      },
    });
    const managed = new iam.CfnManagedPolicy(stack, 'Managed', {
      policyDocument: { Statement: [{ Effect: 'Deny', NotAction: 'ecs:*', NotResource: 'arn:aws:ecs:*:*:*' }] },
    });
    const rolePolicy = new iam.CfnRolePolicy(stack, 'RolePolicy', {
      roleName: role.ref,
      policyName: 'rp',
      policyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' }] },
    });

    expect(allowStatementsOf(role)).toEqual([
      { effect: 'Allow', actions: ['ecs:ListTasks'], notActions: undefined, resources: ['*'], notResources: undefined, conditions: {} },
    ]);
    expect(allowStatementsOf(policy)[0].actions).toEqual(['ecs:DescribeTasks']);
    expect(allowStatementsOf(managed)).toEqual([]);
    expect(allowStatementsOf(rolePolicy)[0].actions).toEqual(['ecs:UpdateService']);
  });

  test('sees property overrides, which are what the template will hold', () => {
    const stack = newStack();
    const policy = new iam.CfnPolicy(stack, 'Policy', {
      policyName: 'p',
      policyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*' }] },
    });
    policy.addPropertyOverride('PolicyDocument.Statement.0.Action', 'ecs:*');
    expect(allowStatementsOf(policy)[0].actions).toEqual(['ecs:*']);
  });

  test('collects every statement attached to a role', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      inlinePolicies: { inline: new iam.PolicyDocument({ statements: [statement('ecs:ListTasks')] }) },
    });
    role.addToPolicy(statement('ecs:DescribeTasks'));
    role.addManagedPolicy(new iam.ManagedPolicy(stack, 'Attached', { statements: [statement('ecs:DescribeServices')] }));
    new iam.ManagedPolicy(stack, 'ListsRole', { roles: [role], statements: [statement('ecs:UpdateService')] });
    new iam.CfnRolePolicy(stack, 'RolePolicy', {
      roleName: role.roleName,
      policyName: 'rp',
      policyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*' }] },
    });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    other.addToPolicy(statement('ecs:RegisterTaskDefinition'));

    const template = renderStack(stack);
    const rendered = renderResource(role.node.defaultChild as iam.CfnRole)!;
    const actions = statementsAttachedToRole(rendered, template).flatMap((s) => s.actions);
    expect(actions.sort()).toEqual(['ecs:DescribeServices', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:TagResource', 'ecs:UpdateService']);
  });

  test('statementAllowsAction honours NotAction and ignores Deny', () => {
    const allow = { effect: 'Allow', notActions: ['iam:*'], conditions: {} };
    expect(statementAllowsAction(allow, 'ecs:UpdateService')).toBe(true);
    expect(statementAllowsAction(allow, 'iam:PassRole')).toBe(false);
    expect(statementAllowsAction({ effect: 'Deny', actions: ['*'], conditions: {} }, 'ecs:UpdateService')).toBe(false);
  });
});

function statement(action: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [action], resources: ['*'] });
}
