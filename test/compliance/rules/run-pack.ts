import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PlatformChecks } from '../../../src/compliance/platform-checks';

/** The rule and finding ids PlatformChecks reports for everything under `scope`, sorted. */
export function findings(scope: IConstruct): string[] {
  return new PlatformChecks().validateScope(scope).violations.map((violation) => violation.ruleName).sort();
}

/** The rules of the pack about IAM statements and roles (the others judge retention, runtimes, notifications). */
export const IAM_RULES = ['PassRoleScoped', 'EcsNoWildcardActions', 'EcsWritesScoped', 'EcsDeployRoleComplete'];

/** The findings of the IAM rules only, for fixtures whose other resources (a bucket a library retains) are not the point. */
export function iamFindings(scope: IConstruct): string[] {
  return findings(scope).filter((id) => IAM_RULES.some((rule) => id === `PlatformChecks-${rule}` || id.startsWith(`PlatformChecks-${rule}[`)));
}

/** The ids of one rule only, e.g. `findingsOf(stack, 'PassRoleScoped')`. */
export function findingsOf(scope: IConstruct, rule: string): string[] {
  return findings(scope).filter((id) => id === `PlatformChecks-${rule}` || id.startsWith(`PlatformChecks-${rule}[`));
}

/** The construct paths a finding is reported on. */
export function pathsOf(scope: IConstruct, ruleName: string): string[] {
  const violation = new PlatformChecks().validateScope(scope).violations.find((v) => v.ruleName === ruleName);
  return (violation?.violatingResources ?? []).flatMap((resource) => resource.constructPath ?? []);
}

/** A stack in an app of its own; aws-cdk-lib's CloudFormation schema check is not what these fixtures are about. */
export function newStack(id = 'Test'): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), id, { env: { account: '123456789012', region: 'eu-west-1' } });
}
