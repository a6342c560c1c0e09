import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface EcsDeployRoleProps {
  readonly roleName: string;
  /** The app pipeline's role in the toolchain account: the one principal that may assume this role. */
  readonly pipelineRole: { readonly account: string; readonly arn: string };
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The app pipeline's artifact bucket in this stage's region, where the deploy action reads image definitions. */
  readonly artifactBucketName: string;
}

/**
 * The role the app pipeline's ECS standard deploy action assumes in this stage's account, granted exactly
 * what that action does: read the image definitions, register a revision of this one task family, tag it,
 * update this one service, and pass this service's task and execution roles to ECS tasks.
 *
 * Scopes follow the IAM Service Authorization Reference for Amazon ECS (machine-readable copy read through
 * iann0036/iam-dataset, 2026): RegisterTaskDefinition and TagResource accept a `task-definition` ARN, which
 * ends in a revision number that does not exist until the deploy registers it, so `<family>:*` is the
 * narrowest ARN that can match; UpdateService and DescribeServices take the service ARN, DescribeTasks task
 * ARNs, ListTasks a container instance (none on Fargate: `*`, held to the cluster by `ecs:cluster`), and
 * DescribeTaskDefinition no resource at all. TagResource could also be held to `ecs:CreateAction =
 * RegisterTaskDefinition`; whether the deploy action ever tags outside a registration is not documented,
 * and a deploy that fails on it at run time would be worse than the margin it buys.
 */
export class EcsDeployRole extends Construct {
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: EcsDeployRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cluster = props.service.cluster;
    const ecsArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const artifacts = stack.formatArn({ service: 's3', region: '', account: '', resource: props.artifactBucketName });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      // The toolchain account, held to the pipeline's role by its ARN: a condition keeps working if that role is
      // ever recreated, where a principal would keep the old role's id until this stack changed.
      assumedBy: new iam.AccountPrincipal(props.pipelineRole.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': props.pipelineRole.arn } }),
      description: 'The app pipeline ECS deploy action for this stage\'s one service',
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
        resources: [ecsArn('task-definition', `${props.taskDefinition.family}:*`)],
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
        resources: [`${artifacts}/*`],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptImageDefinitions',
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        // The artifact key is created in the toolchain account after this stage, so its ARN cannot be named
        // here (aws-cdk-lib's own cross-account key grants write "*" too). What it unlocks is held to S3 in
        // this region decrypting objects of the artifact bucket; the key's policy names this role.
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [artifacts, `${artifacts}/*`] },
        },
      }),
    ];
    new iam.Policy(this, 'Policy', { roles: [this.role], statements });
  }
}
