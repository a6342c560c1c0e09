import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  Statement,
  actionMatches,
  allowStatementsOf,
  containsWildcard,
  describeValue,
  flattenForStructure,
  holdsPolicyStatements,
} from './iam-statements';

/*
 * Source: IAM Service Authorization Reference, "Actions, resources, and condition keys for Amazon Elastic
 * Container Service",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 * (machine-readable: https://servicereference.us-east-1.amazonaws.com/v1/ecs/ecs.json).
 *
 * The stored copy of that page available to us only shows its opening, not the actions table, so every
 * entry below was verified against the same table as scraped into iann0036/iam-dataset
 * (aws/iam_definition.json at commit f9b3c62b28278da14c5c2af4f5e41e22292155de, which already lists the
 * recent Express Gateway and daemon actions). The team's facts from FIELD-NOTES (2026 data) agree with
 * it: UpdateService takes the service ARN, TagResource resource ARNs, RegisterTaskDefinition a
 * task-definition ARN (it used to need "*"), DescribeTaskDefinition only "*". Nothing below rests on
 * FIELD-NOTES alone. Also worth knowing: CreateCluster and CreateCapacityProvider now take cluster and
 * capacity-provider ARNs (older copies of the reference list no resource type for either), while
 * DeregisterTaskDefinition still takes only "*".
 */

/** ECS actions that change state and accept a resource ARN; the comments name the resource types. */
export const ECS_SCOPABLE_WRITE_ACTIONS: readonly string[] = [
  'AllowVendedLogDeliveryForResource', // cluster (optional)
  'ContinueServiceDeployment', // service, service-deployment
  'CreateCapacityProvider', // capacity-provider
  'CreateCluster', // cluster
  'CreateDaemon', // daemon
  'CreateExpressGatewayService', // service
  'CreateService', // service
  'CreateTaskSet', // task-set
  'DeleteAttributes', // container-instance
  'DeleteCapacityProvider', // capacity-provider
  'DeleteCluster', // cluster
  'DeleteDaemon', // daemon
  'DeleteDaemonTaskDefinition', // daemon-task-definition
  'DeleteExpressGatewayService', // service
  'DeleteService', // service
  'DeleteTaskDefinitions', // task-definition
  'DeleteTaskSet', // task-set
  'DeregisterContainerInstance', // cluster
  'ExecuteCommand', // cluster, task
  'Poll', // container-instance
  'PutAttributes', // container-instance
  'PutClusterCapacityProviders', // cluster
  'PutSystemLogEvents', // cluster, container-instance
  'RegisterContainerInstance', // cluster
  'RegisterDaemonTaskDefinition', // daemon-task-definition
  'RegisterTaskDefinition', // task-definition
  'RunTask', // task-definition
  'StartTask', // task-definition
  'StartTelemetrySession', // container-instance
  'StopServiceDeployment', // service, service-deployment
  'StopTask', // task
  'SubmitAttachmentStateChanges', // cluster
  'SubmitContainerStateChange', // cluster
  'SubmitTaskStateChange', // cluster
  'TagResource', // any ECS resource type (optional)
  'UntagResource', // any ECS resource type (optional)
  'UpdateCapacityProvider', // capacity-provider
  'UpdateCluster', // cluster
  'UpdateClusterSettings', // cluster
  'UpdateContainerAgent', // container-instance
  'UpdateContainerInstancesState', // container-instance
  'UpdateDaemon', // daemon
  'UpdateExpressGatewayService', // service
  'UpdateService', // service
  'UpdateServicePrimaryTaskSet', // service
  'UpdateTaskProtection', // task
  'UpdateTaskSet', // task-set
].map((action) => `ecs:${action}`);

/** ECS actions that accept only `Resource: "*"`; granting them on `*` is the only way and not a finding. */
export const ECS_WILDCARD_ONLY_ACTIONS: readonly string[] = [
  'DeleteAccountSetting', // Write
  'DeregisterTaskDefinition', // Write
  'DescribeTaskDefinition', // Read
  'DiscoverPollEndpoint', // Write
  'ListAccountSettings', // Read
  'ListClusters', // List
  'ListDaemonTaskDefinitions', // List
  'ListDaemons', // List (narrow with the ecs:cluster condition key)
  'ListServices', // List (narrow with the ecs:cluster condition key)
  'ListServicesByNamespace', // List (narrow with the ecs:namespace condition key)
  'ListTaskDefinitionFamilies', // List
  'ListTaskDefinitions', // List
  'PutAccountSetting', // Write
  'PutAccountSettingDefault', // Write
].map((action) => `ecs:${action}`);

/**
 * ECS actions that change state and support resource-level permissions are granted on named clusters,
 * services, task definitions, tasks (or the other ECS resource types), not on `*`.
 *
 * A resource counts as unscoped when it is `*`, when the statement uses `NotResource`, or when it is an
 * ARN whose service or resource type is a wildcard (`arn:aws:ecs:*:*:*`) or whose first name segment is
 * (`arn:aws:ecs:eu-west-1:123456789012:service/*`). A wildcard after a named cluster or family
 * (`task/my-cluster/*`, `task-definition/web:*`) is scoped: task ids and revisions are not known in advance.
 * ARNs of other services are ignored; ECS actions never apply to them.
 *
 * An explicit ECS action missing from both lists above is treated as a scopable write unless it reads
 * (`Describe`, `List`, `Get`): a new write action should fail here until someone checks the reference.
 *
 * Findings: `Action::<pattern>` for each action entry, as written, that grants a scopable write on an
 * unscoped resource; `NotAction` for an Allow statement with `NotAction` that leaves such a write in.
 */
export function EcsWritesScoped(node: CfnResource): NagRuleResult {
  if (!holdsPolicyStatements(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  for (const statement of allowStatementsOf(node)) {
    if (!hasUnscopedEcsResource(statement)) {
      continue;
    }
    for (const pattern of statement.actions ?? []) {
      if (grantsScopableWrite(pattern)) {
        findings.add(`Action::${describeValue(pattern)}`);
      }
    }
    const notActions = statement.notActions;
    if (notActions && ECS_SCOPABLE_WRITE_ACTIONS.some((action) => !notActions.some((p) => actionMatches(p, action)))) {
      findings.add('NotAction');
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

function grantsScopableWrite(pattern: unknown): boolean {
  if (typeof pattern !== 'string') {
    return false;
  }
  if (/[*?]/.test(pattern)) {
    return ECS_SCOPABLE_WRITE_ACTIONS.some((action) => actionMatches(pattern, action));
  }
  const [service, name = ''] = pattern.split(':');
  if (service.toLowerCase() !== 'ecs' || ECS_WILDCARD_ONLY_ACTIONS.some((action) => actionMatches(pattern, action))) {
    return false;
  }
  return !/^(describe|list|get)/i.test(name);
}

function hasUnscopedEcsResource(statement: Statement): boolean {
  return statement.notResources !== undefined || (statement.resources ?? []).some(isUnscopedForEcs);
}

function isUnscopedForEcs(resource: unknown): boolean {
  if (!containsWildcard(resource)) {
    return false;
  }
  const text = flattenForStructure(resource);
  // arn:partition:service:region:account:resource, where the resource part may itself hold ':'.
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return true;
  }
  const service = parts[2];
  if (/[*?]/.test(service)) {
    return true;
  }
  if (service.toLowerCase() !== 'ecs' && service !== 'REF') {
    return false;
  }
  const [resourceType, firstName = ''] = parts.slice(5).join(':').split('/');
  return /[*?]/.test(resourceType) || /[*?]/.test(firstName.split(':')[0]);
}
