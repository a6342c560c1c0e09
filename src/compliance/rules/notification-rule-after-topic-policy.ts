import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asList, isObject, referencedLogicalIds, refTarget, renderResource, renderStack } from './cfn-template';

/**
 * A CodeStar notification rule that targets an SNS topic of its own template waits for the topic policies
 * that let CodeStar Notifications publish to it. CloudFormation otherwise creates rule and policy side by
 * side, and when the rule comes first its creation fails with "Invalid request provided" (aws/aws-cdk#29484):
 * a failed first deploy that only a retry would fix.
 *
 * Findings: `DependsOn::<topic policy logical id>` for each policy of a target topic the rule does not
 * depend on; `TopicPolicy::none` when nothing in the template lets the topic be published to.
 */
export function NotificationRuleAfterTopicPolicy(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::CodeStarNotifications::NotificationRule') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const rule = renderResource(node);
  const template = renderStack(Stack.of(node));
  const topics = asList(rule?.properties.Targets).filter(isObject)
    .filter((target) => target.TargetType === 'SNS')
    .map((target) => refTarget(target.TargetAddress))
    .filter((id): id is string => id !== undefined && template.get(id)?.type === 'AWS::SNS::Topic');
  if (!rule || topics.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings: string[] = [];
  for (const topic of topics) {
    const policies = [...template.values()]
      .filter((resource) => resource.type === 'AWS::SNS::TopicPolicy' && referencedLogicalIds(resource.properties.Topics).has(topic));
    if (policies.length === 0) findings.push('TopicPolicy::none');
    for (const policy of policies) {
      if (!rule.dependsOn.includes(policy.logicalId)) findings.push(`DependsOn::${policy.logicalId}`);
    }
  }
  return findings.length > 0 ? [...new Set(findings)] : NagRuleCompliance.COMPLIANT;
}
