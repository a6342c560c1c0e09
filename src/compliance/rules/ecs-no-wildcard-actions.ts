import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  actionPatternCoversPrefix,
  actionPatternReachesPrefix,
  allowStatementsOf,
  describeValue,
  holdsPolicyStatements,
} from './iam-statements';

const ECS = 'ecs:';

/**
 * No Allow statement grants ECS actions by wildcard: `ecs:*`, `ecs:Update*`, `ecs:*Service`, `*`, or any
 * other pattern with `*` or `?` that matches an `ecs:` action (`e*`, `*:Describe*`). A wildcard silently
 * grows as ECS adds actions, and `ecs:*` includes `ecs:ExecuteCommand`, `ecs:DeleteCluster` and every
 * other write.
 *
 * Findings: `Action::<pattern>` for each such pattern, as written; `NotAction` for an Allow statement
 * whose `NotAction` leaves ECS actions in, since it grants every action it does not list.
 */
export function EcsNoWildcardActions(node: CfnResource): NagRuleResult {
  if (!holdsPolicyStatements(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  for (const statement of allowStatementsOf(node)) {
    for (const pattern of statement.actions ?? []) {
      if (typeof pattern === 'string' && /[*?]/.test(pattern) && actionPatternReachesPrefix(pattern, ECS)) {
        findings.add(`Action::${describeValue(pattern)}`);
      }
    }
    if (statement.notActions && !statement.notActions.some((pattern) => actionPatternCoversPrefix(pattern, ECS))) {
      findings.add('NotAction');
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}
