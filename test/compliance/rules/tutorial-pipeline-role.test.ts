import * as path from 'path';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { NagRuleCompliance } from 'cdk-nag';
import { findings, newStack, pathsOf } from './run-pack';
import { EcsDeployRoleComplete } from '../../../src/compliance/rules/ecs-deploy-role-complete';

const TEMPLATE = path.join(__dirname, '..', '..', 'fixtures', 'tutorial-pipeline-role', 'template.yaml');

// Indexes into the tutorial role's one inline policy, as the fixture lists its statements.
const S3_STATEMENT = 'Policies.0.PolicyDocument.Statement.2';
const ECS_STATEMENT = 'Policies.0.PolicyDocument.Statement.3';
const PASS_ROLE_STATEMENT = 'Policies.0.PolicyDocument.Statement.4';

function includeTutorial() {
  const stack = newStack('Tutorial');
  const template = new CfnInclude(stack, 'Template', { templateFile: TEMPLATE });
  const role = template.getResource('CodePipelineServiceRole');
  const pipeline = template.getResource('Pipeline');
  return { stack, role, pipeline };
}

describe('the tutorial\'s pipeline role, as plain CloudFormation', () => {
  test('fails the pack on ecs:* and on PassRole on *, and only there', () => {
    const { stack, role } = includeTutorial();
    expect(findings(stack)).toEqual([
      'PlatformChecks-EcsNoWildcardActions[Action::ecs:*]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:*]',
      'PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]',
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
    expect(pathsOf(stack, 'PlatformChecks-PassRoleScoped[Resource::*]')).toEqual([role.node.path]);
  });

  test('is complete for the ECS deploy action, found through the pipeline role and a literal service name', () => {
    const { pipeline } = includeTutorial();
    expect(EcsDeployRoleComplete(pipeline)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('still fails PassRoleScoped on its resource with the StringLike condition the tutorial text suggests', () => {
    const { stack, role } = includeTutorial();
    role.addPropertyOverride(`${PASS_ROLE_STATEMENT}.Condition`, {
      StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(findings(stack).filter((id) => id.startsWith('PlatformChecks-PassRoleScoped'))).toEqual([
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
  });

  test('trimming ecs:* to a list without RegisterTaskDefinition fails EcsDeployRoleComplete', () => {
    const { stack, role, pipeline } = includeTutorial();
    role.addPropertyOverride(`${ECS_STATEMENT}.Action`, [
      'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:TagResource', 'ecs:UpdateService',
    ]);
    expect(findings(stack)).toEqual([
      'PlatformChecks-EcsDeployRoleComplete[ecs:RegisterTaskDefinition]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:TagResource]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:UpdateService]',
      'PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]',
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
    expect(pathsOf(stack, 'PlatformChecks-EcsDeployRoleComplete[ecs:RegisterTaskDefinition]')).toEqual([pipeline.node.path]);
  });

  test('EcsDeployRoleComplete follows the action to the service\'s execution role and to the artifact bucket', () => {
    const { stack, role } = includeTutorial();
    role.addPropertyOverride(`${PASS_ROLE_STATEMENT}.Resource`, 'arn:aws:iam::123456789012:role/some-other-role');
    role.addPropertyOverride(`${S3_STATEMENT}.Resource`, { 'Fn::Sub': 'arn:aws:s3:::${BucketName}' });
    expect(findings(stack).filter((id) => id.startsWith('PlatformChecks-EcsDeployRoleComplete'))).toEqual([
      'PlatformChecks-EcsDeployRoleComplete[iam:PassRole(TaskExecutionRole)]',
      'PlatformChecks-EcsDeployRoleComplete[s3:GetObject(BucketName)]',
    ]);
  });
});
