import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface EcsDeployRoleProps {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly artifactBucket: s3.IBucket;
  readonly artifactKey: kms.IKey;
}

/**
 * The role the ECS standard deploy action runs as, granted exactly what that action does:
 * read the image definitions, register a revision of this one task family, tag it, update this one service,
 * and pass this service's task and execution roles to ECS tasks — nothing on `*` that can be scoped.
 *
 * aws-cdk-lib's EcsDeployAction adds `ecs:*`-style grants on `*` to a mutable role, so the action receives
 * `role.withoutPolicyUpdates()` and the policy below is the whole of it.
 */
export class EcsDeployRole extends Construct {
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: EcsDeployRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cluster = props.service.cluster;
    const ecsArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const taskDefinitionRevisions = ecsArn('task-definition', `${props.taskDefinition.family}:*`);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Runs the app pipeline ECS deploy action for one service',
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'UpdateThisService',
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [props.service.serviceArn],
      }),
      new iam.PolicyStatement({
        sid: 'RegisterThisTaskFamily',
        actions: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'],
        resources: [taskDefinitionRevisions],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeTaskDefinitionsAcceptsOnlyStar',
        actions: ['ecs:DescribeTaskDefinition'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'WatchTheDeploymentTasks',
        actions: ['ecs:DescribeTasks'],
        resources: [ecsArn('task', `${cluster.clusterName}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ListTasksInThisCluster',
        actions: ['ecs:ListTasks'],
        // Without a container instance (Fargate) ListTasks is authorized on `*`; the condition keeps it to this cluster.
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyThisServicesRolesToEcsTasks',
        actions: ['iam:PassRole'],
        resources: [props.taskDefinition.taskRole.roleArn, props.taskDefinition.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadImageDefinitions',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [props.artifactBucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptImageDefinitions',
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [props.artifactKey.keyArn],
      }),
    ];
    new iam.Policy(this, 'Policy', { roles: [this.role], statements });
  }
}
