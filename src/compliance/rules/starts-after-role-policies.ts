import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asList, getAttOf, isObject, refTarget, renderResource, renderStack, type RenderedResource } from './cfn-template';

/**
 * What starts working the moment CloudFormation creates it waits for the policies of the roles it works as.
 * A CodePipeline starts its first run when it is created; an ECS service starts its tasks, which pull the
 * image and write logs as the execution role. CloudFormation creates a role's policy beside the resources
 * that use the role, not before them, so without a DependsOn the first run fails, or the first tasks do and
 * the circuit breaker rolls the stack back, for a permission that arrives a moment later.
 *
 * Roles considered: a pipeline's own and its actions' (`RoleArn`), an ECS service's task definition's
 * execution and task roles; each one found in the same template, by logical id or by a literal role ARN
 * whose name a policy of the template attaches to. Findings: `DependsOn::<policy logical id>`.
 */
export function StartsAfterRolePolicies(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::CodePipeline::Pipeline' && node.cfnResourceType !== 'AWS::ECS::Service') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = renderResource(node);
  if (!resource) return NagRuleCompliance.NOT_APPLICABLE;
  const template = renderStack(Stack.of(node));
  const roles = resource.type === 'AWS::CodePipeline::Pipeline' ? pipelineRoles(resource) : serviceRoles(resource, template);
  const policies = [...template.values()].filter((candidate) => candidate.type === 'AWS::IAM::Policy'
    && asList(candidate.properties.Roles).some((role) => roles.some((wanted) => sameRole(role, wanted))));
  const missing = policies.filter((policy) => !resource.dependsOn.includes(policy.logicalId));
  return missing.length > 0 ? missing.map((policy) => `DependsOn::${policy.logicalId}`) : NagRuleCompliance.COMPLIANT;
}

/** A role as a resource of the template (its logical id) or as a role name (from a literal ARN). */
type RoleReference = { readonly logicalId: string } | { readonly name: string };

function roleReference(value: unknown): RoleReference | undefined {
  const getAtt = getAttOf(value);
  if (getAtt && getAtt[1] === 'Arn') return { logicalId: getAtt[0] };
  if (typeof value === 'string') {
    const name = /^arn:[\w-]+:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(value)?.[1];
    if (name) return { name };
  }
  return undefined;
}

function pipelineRoles(pipeline: RenderedResource): RoleReference[] {
  const actions = asList(pipeline.properties.Stages).filter(isObject).flatMap((stage) => asList(stage.Actions)).filter(isObject);
  return [pipeline.properties.RoleArn, ...actions.map((action) => action.RoleArn)]
    .map(roleReference).filter((role): role is RoleReference => role !== undefined);
}

function serviceRoles(service: RenderedResource, template: ReadonlyMap<string, RenderedResource>): RoleReference[] {
  const taskDefinition = template.get(refTarget(service.properties.TaskDefinition) ?? '');
  if (!taskDefinition) return [];
  return [taskDefinition.properties.ExecutionRoleArn, taskDefinition.properties.TaskRoleArn]
    .map(roleReference).filter((role): role is RoleReference => role !== undefined);
}

function sameRole(attached: unknown, wanted: RoleReference): boolean {
  return 'logicalId' in wanted ? refTarget(attached) === wanted.logicalId : attached === wanted.name;
}
