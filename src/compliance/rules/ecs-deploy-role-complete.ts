import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  RenderedResource,
  asList,
  getAttOf,
  isObject,
  refTarget,
  renderResource,
  renderStack,
} from './cfn-template';
import {
  Statement,
  describeValue,
  globMatches,
  isAllow,
  statementAllowsAction,
  statementsAttachedToRole,
} from './iam-statements';
import { ResourceCoverage } from './resource-coverage';

/**
 * What the CodePipeline ECS standard deploy action calls with the role it runs as. Sources: the team's
 * FIELD-NOTES, and aws-cdk-lib 2.276.0's own `EcsDeployAction`, which grants exactly these seven ECS
 * actions (aws-codepipeline-actions/lib/ecs/deploy-action.js). AWS documents them in the section
 * "Service role permissions: Amazon ECS standard action" of
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html (the stored copy
 * we could search shows that section's title, not its list).
 */
export const ECS_DEPLOY_ACTIONS: readonly string[] = [
  'ecs:DescribeServices',
  'ecs:DescribeTaskDefinition',
  'ecs:DescribeTasks',
  'ecs:ListTasks',
  'ecs:RegisterTaskDefinition',
  'ecs:TagResource',
  'ecs:UpdateService',
];

/** The deploy action registers a task definition revision, which passes its roles to ECS tasks. */
const PASSED_TO_SERVICE = 'ecs-tasks.amazonaws.com';

/** Stands for the key of the input artifact, which CodePipeline picks at run time. */
const ARTIFACT_OBJECT = '__artifact_object__';

/**
 * Each ECS standard deploy action of a pipeline runs as a role that can do everything the action does:
 * the seven ECS calls above, `iam:PassRole` on the task role and execution role of the service it deploys
 * (with `iam:PassedToService` allowing `ecs-tasks.amazonaws.com` if it is limited), `s3:GetObject` on the
 * pipeline's artifact bucket (it reads imagedefinitions.json from there) and `kms:Decrypt` on the
 * artifact store's key when there is one. A missing permission fails the deployment only at run time,
 * after the pipeline has been shipped; aws-cdk-lib grants these itself, except when it is handed an
 * immutable role (`role.withoutPolicyUpdates()`), which is exactly when they are most easily forgotten.
 *
 * The role is the action's `RoleArn`, or the pipeline's when the action has none. Its permissions are
 * every Allow statement attached to it in this template (see `statementsAttachedToRole`); a wildcard
 * grants, since how broad a grant may be is for the other rules. ECS actions are checked by action only:
 * the ARN of the revision the action registers (and of the tasks it starts) is not in the template.
 * Deny statements and permissions boundaries are not evaluated.
 *
 * Not applicable when no action's role can be read from this template: a role imported by ARN, from
 * another stack (`Fn::ImportValue`) or from a parameter. One template cannot show what such a role may
 * do; the stack that defines the role is where to check it. (Synthesis turns a reference to another
 * stack into an `Fn::ImportValue` before validation plugins run; a `validateScope` call before synthesis
 * still sees it as an `Fn::GetAtt` of the other stack's logical id.) When the deployed service or its task
 * definition is not in this template, `iam:PassRole` is required without checking which roles it covers.
 *
 * Findings, one per missing permission: `ecs:<Action>`, `iam:PassRole(<role>)` (or `iam:PassRole` when the
 * roles are unknown), `s3:GetObject(<bucket>)`, `kms:Decrypt(<key>)`. A role, bucket or key that another
 * stack exports only needs the permission granted on some resource: its ARN in the policy cannot be
 * related to the name or output the pipeline uses.
 */
export function EcsDeployRoleComplete(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::CodePipeline::Pipeline') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const pipeline = renderResource(node);
  const deployActions = pipeline ? ecsDeployActionsOf(pipeline) : [];
  if (!pipeline || deployActions.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }

  const stack = Stack.of(node);
  const template = renderStack(stack);
  const coverage = new ResourceCoverage(stack, template);
  const findings = new Set<string>();
  let verifiedActions = 0;

  for (const action of deployActions) {
    const role = roleOf(action.RoleArn ?? pipeline.properties.RoleArn, template);
    if (!role) {
      continue;
    }
    verifiedActions += 1;
    const statements = statementsAttachedToRole(role, template).filter(isAllow);
    // A target from another stack is only asked to be granted somewhere: see ResourceCoverage.canVerify.
    const can = (permission: string, target?: unknown, condition?: (statement: Statement) => boolean) =>
      statements.some((statement) =>
        statementAllowsAction(statement, permission) &&
        (target === undefined || !coverage.canVerify(target) || coverage.covers(statement, target)) &&
        (condition === undefined || condition(statement)));

    for (const permission of ECS_DEPLOY_ACTIONS) {
      if (!can(permission)) {
        findings.add(permission);
      }
    }

    const passesToEcsTasks = (statement: Statement) => passedToServiceAllows(statement, PASSED_TO_SERVICE, coverage);
    const taskRoles = taskRolesOf(action, template);
    if (taskRoles === undefined) {
      if (!can('iam:PassRole', undefined, passesToEcsTasks)) {
        findings.add('iam:PassRole');
      }
    } else {
      for (const taskRole of taskRoles) {
        if (!can('iam:PassRole', taskRole, passesToEcsTasks)) {
          findings.add(`iam:PassRole(${describeTarget(taskRole)})`);
        }
      }
    }

    const store = artifactStoreOf(pipeline, action.Region ?? (Token.isUnresolved(stack.region) ? undefined : stack.region));
    if (store?.Location !== undefined) {
      const objects = objectsOf(store.Location);
      if (!can('s3:GetObject', objects)) {
        findings.add(`s3:GetObject(${describeTarget(store.Location)})`);
      }
    }
    const key = isObject(store?.EncryptionKey) ? store.EncryptionKey.Id : undefined;
    if (key !== undefined && !can('kms:Decrypt', key)) {
      findings.add(`kms:Decrypt(${describeTarget(key)})`);
    }
  }

  if (verifiedActions === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

interface PipelineAction {
  readonly RoleArn?: unknown;
  readonly Region?: unknown;
  readonly Configuration?: Record<string, unknown>;
}

function ecsDeployActionsOf(pipeline: RenderedResource): PipelineAction[] {
  return asList(pipeline.properties.Stages)
    .flatMap((stage) => (isObject(stage) ? asList(stage.Actions) : []))
    .filter(isObject)
    .filter((action) => {
      const type = action.ActionTypeId;
      return isObject(type) && type.Category === 'Deploy' && type.Owner === 'AWS' && type.Provider === 'ECS';
    })
    .map((action) => ({
      RoleArn: action.RoleArn,
      Region: action.Region,
      Configuration: isObject(action.Configuration) ? action.Configuration : {},
    }));
}

/** The role of this template an ARN points at; undefined for a role defined anywhere else. */
function roleOf(roleArn: unknown, template: Map<string, RenderedResource>): RenderedResource | undefined {
  const getAtt = getAttOf(roleArn);
  const role = getAtt && getAtt[1] === 'Arn' ? template.get(getAtt[0]) : undefined;
  return role?.type === 'AWS::IAM::Role' ? role : undefined;
}

/**
 * The `TaskRoleArn` and `ExecutionRoleArn` of the task definition of the service the action deploys, as
 * written (a `Fn::GetAtt`, an ARN, an import); undefined when the service or its task definition is not
 * in this template.
 */
function taskRolesOf(action: PipelineAction, template: Map<string, RenderedResource>): unknown[] | undefined {
  const service = deployedService(action.Configuration ?? {}, template);
  const taskDefinition = service ? template.get(refTarget(service.properties.TaskDefinition) ?? '') : undefined;
  if (taskDefinition?.type !== 'AWS::ECS::TaskDefinition') {
    return undefined;
  }
  return [taskDefinition.properties.TaskRoleArn, taskDefinition.properties.ExecutionRoleArn].filter(
    (role) => role !== undefined,
  );
}

/**
 * Finds the service by `ServiceName` (`Fn::GetAtt [Service, Name]`, a `Ref`, or a literal equal to the
 * service's `ServiceName`), using `ClusterName` only to choose between services of the same name.
 */
function deployedService(
  configuration: Record<string, unknown>,
  template: Map<string, RenderedResource>,
): RenderedResource | undefined {
  const serviceName = configuration.ServiceName;
  const referenced = getAttOf(serviceName)?.[0] ?? refTarget(serviceName);
  const candidates = [...template.values()].filter(
    (resource) =>
      resource.type === 'AWS::ECS::Service' &&
      (referenced !== undefined
        ? resource.logicalId === referenced
        : typeof serviceName === 'string' && resource.properties.ServiceName === serviceName),
  );
  if (candidates.length <= 1) {
    return candidates[0];
  }
  const inCluster = candidates.filter((service) => isCluster(service.properties.Cluster, configuration.ClusterName, template));
  return inCluster.length === 1 ? inCluster[0] : undefined;
}

function isCluster(serviceCluster: unknown, clusterName: unknown, template: Map<string, RenderedResource>): boolean {
  const clusterId = refTarget(clusterName);
  if (clusterId !== undefined) {
    return refTarget(serviceCluster) === clusterId || getAttOf(serviceCluster)?.[0] === clusterId;
  }
  if (typeof clusterName !== 'string') {
    return false;
  }
  if (typeof serviceCluster === 'string') {
    return serviceCluster === clusterName || serviceCluster.endsWith(`:cluster/${clusterName}`);
  }
  const cluster = template.get(refTarget(serviceCluster) ?? getAttOf(serviceCluster)?.[0] ?? '');
  return cluster?.properties.ClusterName === clusterName;
}

/**
 * The artifact store the action reads from: the pipeline's `ArtifactStore`, or, for a multi-region
 * pipeline, the `ArtifactStores` entry of the action's region (the stack's, when the action names none).
 * Undefined when that region cannot be told from the template, rather than guessing.
 */
function artifactStoreOf(pipeline: RenderedResource, region: unknown): Record<string, unknown> | undefined {
  const single = pipeline.properties.ArtifactStore;
  if (isObject(single)) {
    return single;
  }
  const stores = asList(pipeline.properties.ArtifactStores).filter(isObject);
  const store = stores.find((entry) => region !== undefined && entry.Region === region);
  return isObject(store?.ArtifactStore) ? store.ArtifactStore : undefined;
}

/** The ARN of an object in the bucket that `Location` names. */
function objectsOf(location: unknown): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', location, `/${ARTIFACT_OBJECT}`]] };
}

function describeTarget(target: unknown): string {
  const getAtt = getAttOf(target);
  return getAtt ? getAtt[0] : refTarget(target) ?? describeValue(target);
}

/**
 * Whether the statement's `iam:PassedToService` conditions, if any, let the role be passed to `service`.
 * Conditions on other keys are assumed to hold: they cannot be evaluated from a template.
 */
function passedToServiceAllows(statement: Statement, service: string, coverage: ResourceCoverage): boolean {
  return Object.entries(statement.conditions).every(([operator, block]) => {
    if (!isObject(block)) {
      return true;
    }
    return Object.entries(block).every(([key, value]) => {
      if (key.toLowerCase() !== 'iam:passedtoservice') {
        return true;
      }
      const base = operator.toLowerCase().replace(/^for(any|all)value:/, '').replace(/ifexists$/, '');
      const ignoreCase = base.includes('ignorecase');
      const matches = asList(value).some((expected) => {
        if (typeof expected === 'string' && !base.includes('like')) {
          return ignoreCase ? expected.toLowerCase() === service : expected === service;
        }
        // An intrinsic such as `ecs-tasks.${AWS::URLSuffix}`: its pseudo parameters may be anything.
        return globMatches(coverage.asPattern(expected), service, ignoreCase);
      });
      switch (base) {
        case 'stringequals':
        case 'stringequalsignorecase':
        case 'stringlike':
          return matches;
        case 'stringnotequals':
        case 'stringnotequalsignorecase':
        case 'stringnotlike':
          return !matches;
        default:
          return true;
      }
    });
  });
}
