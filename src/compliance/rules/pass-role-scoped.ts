import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isObject } from './cfn-template';
import {
  Statement,
  allowStatementsOf,
  containsWildcard,
  describeValue,
  holdsPolicyStatements,
  statementAllowsAction,
} from './iam-statements';

/**
 * Operators under which `iam:PassedToService` works as an allow-list. `StringLike` counts only when no
 * value holds a wildcard: it then compares exactly like `StringEquals`. Left out on purpose:
 * - `...IfExists`: the condition holds whenever the key is absent from the request;
 * - `ForAllValues:`: holds for an empty or absent key, and the key is single-valued anyway;
 * - negated operators (`StringNotEquals`, ...): they deny a few services and allow every other.
 */
const ALLOW_LIST_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike']);

/**
 * A statement that allows `iam:PassRole` (by name, by a wildcard such as `iam:Pass*` or `*`, or by a
 * `NotAction` that leaves it in) names the roles it may pass by explicit ARN and limits the services it
 * may pass them to with `iam:PassedToService`.
 *
 * Findings: `Resource::<resource>` for each resource that is `*` or has a wildcard in its literal parts
 * (`arn:aws:iam::123456789012:role/*`, `arn:aws:iam::*:role/app*`); `NotResource` for a statement that
 * uses it; `Condition::iam:PassedToService` when that condition is missing, under another operator, or
 * has a wildcard in a value. A reference such as `{"Fn::GetAtt": ["TaskRole1234", "Arn"]}` or an
 * `Fn::ImportValue` names one role and is explicit; so does a `Ref` to a template parameter, whose value
 * only the deployment knows (keep role ARNs out of parameters for this rule to mean something).
 */
export function PassRoleScoped(node: CfnResource): NagRuleResult {
  if (!holdsPolicyStatements(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const statements = allowStatementsOf(node).filter((statement) => statementAllowsAction(statement, 'iam:PassRole'));
  if (statements.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  for (const statement of statements) {
    if (statement.notResources) {
      findings.add('NotResource');
    }
    for (const resource of statement.resources ?? []) {
      if (containsWildcard(resource)) {
        findings.add(`Resource::${describeValue(resource)}`);
      }
    }
    if (!limitsPassedToService(statement)) {
      findings.add('Condition::iam:PassedToService');
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

function limitsPassedToService(statement: Statement): boolean {
  return Object.entries(statement.conditions).some(([operator, block]) => {
    if (!ALLOW_LIST_OPERATORS.has(operator.toLowerCase()) || !isObject(block)) {
      return false;
    }
    return Object.entries(block).some(([key, value]) => {
      // Condition keys are case-insensitive in IAM.
      if (key.toLowerCase() !== 'iam:passedtoservice') {
        return false;
      }
      const services = Array.isArray(value) ? value : [value];
      return services.length > 0 && services.every((service) => service !== '' && !containsWildcard(service));
    });
  });
}
