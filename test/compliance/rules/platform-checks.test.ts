import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { findings, newStack } from './run-pack';
import { PlatformChecks } from '../../../src/compliance/platform-checks';

/** A managed policy that every statement-level rule of the pack rejects. */
function everythingWrong() {
  const stack = newStack();
  const policy = new iam.ManagedPolicy(stack, 'Policy', {
    statements: [
      new iam.PolicyStatement({ actions: ['ecs:*'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }),
    ],
  });
  return { stack, policy };
}

describe('PlatformChecks', () => {
  test('is the PlatformChecks plugin and names its rules after the rule functions', () => {
    const pack = new PlatformChecks();
    expect(pack.name).toBe('PlatformChecks');
    expect(pack.readPackName).toBe('PlatformChecks');
    expect(findings(everythingWrong().stack)).toEqual([
      'PlatformChecks-EcsNoWildcardActions[Action::ecs:*]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:*]',
      'PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]',
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
  });

  test('reports every finding as an error, with the fix when verbose', () => {
    const report = new PlatformChecks(undefined, { verbose: true }).validateScope(everythingWrong().stack);
    expect(report.success).toBe(false);
    for (const violation of report.violations) {
      expect(violation.severity).toBe('error');
      expect(violation.description).toContain('Fix:');
    }
  });

  test('a finding can be acknowledged on its own by its full id', () => {
    const { stack, policy } = everythingWrong();
    Validations.of(policy).acknowledge({
      id: 'PlatformChecks-PassRoleScoped[Resource::*]',
      reason: 'test: the acknowledgement id format works for findings that contain ::',
    });
    expect(findings(stack)).not.toContain('PlatformChecks-PassRoleScoped[Resource::*]');
    expect(findings(stack)).toContain('PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]');
  });

  test('judges the tree as it is at each pass: what one pass rendered is not reused by the next', () => {
    const stack = newStack();
    const policy = new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: ['*'] })] });
    const pack = new PlatformChecks();
    expect(pack.validateScope(stack).violations).toEqual([]);
    policy.addStatements(new iam.PolicyStatement({ actions: ['ecs:*'], resources: ['*'] }));
    expect(pack.validateScope(stack).violations.map((violation) => violation.ruleName).sort()).toEqual([
      'PlatformChecks-EcsNoWildcardActions[Action::ecs:*]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:*]',
    ]);
  });

  test('within one pass, every rule sees each resource rendered once, the same for all', () => {
    const { stack } = everythingWrong();
    const rendered = jest.spyOn(Stack.prototype, 'resolve');
    let resolvedResources: number;
    try {
      findings(stack);
      resolvedResources = rendered.mock.calls.filter(([value]) => typeof value === 'object' && value !== null && 'Resources' in value).length;
    } finally {
      rendered.mockRestore();
    }
    // One CfnResource (the managed policy), however many rules read it.
    expect(resolvedResources).toBe(1);
  });

  test('fails synthesis when registered with Validations', () => {
    const { stack } = everythingWrong();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new PlatformChecks(app));
    expect(() => app.synth()).toThrow(/PlatformChecks-PassRoleScoped\[Resource::\*\]/);
  });
});
