import { App, CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagRuleCompliance } from 'cdk-nag';
import { findingsOf, iamFindings, newStack } from './run-pack';
import { EcsDeployRoleComplete } from '../../../src/compliance/rules/ecs-deploy-role-complete';

const TO_ECS_TASKS = { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } };
const READS = ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks'];

interface DeployApp {
  readonly stack: Stack;
  readonly deployer: iam.Role;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly service: ecs.FargateService;
  readonly pipeline: codepipeline.Pipeline;
}

/** A Fargate service and a pipeline whose ECS deploy action runs as `deployer`, immutable unless asked. */
function deployApp(options: { mutableRole?: boolean; stack?: Stack; role?: iam.IRole } = {}): DeployApp {
  const stack = options.stack ?? newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    maxAzs: 1,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const executionRole = new iam.Role(stack, 'ExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDef', { family: 'web', executionRole });
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable') });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    assignPublicIp: true,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  });
  const deployer = new iam.Role(stack, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
  const source = new codepipeline.Artifact('Source');
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    stages: [
      {
        stageName: 'Source',
        actions: [new actions.S3SourceAction({
          actionName: 'Source',
          bucket: new s3.Bucket(stack, 'SourceBucket', { versioned: true }),
          bucketKey: 'image.zip',
          output: source,
        })],
      },
      {
        stageName: 'Deploy',
        actions: [new actions.EcsDeployAction({
          actionName: 'Deploy',
          service,
          input: source,
          role: options.role ?? (options.mutableRole ? deployer : deployer.withoutPolicyUpdates()),
        })],
      },
    ],
  });
  return { stack, deployer, taskDefinition, service, pipeline };
}

type Grant = 'reads' | 'register' | 'update' | 'passTaskRole' | 'passExecutionRole' | 'artifacts';

/** The least-privilege grants of the deploy role, each of which a test can leave out. */
function grant(app: DeployApp, leaveOut: Grant[] = []): void {
  const { stack, deployer, taskDefinition, service, pipeline } = app;
  const add = (name: Grant, statement: () => iam.PolicyStatement) => {
    if (!leaveOut.includes(name)) deployer.addToPolicy(statement());
  };
  add('reads', () => new iam.PolicyStatement({ actions: READS, resources: ['*'] }));
  add('register', () => new iam.PolicyStatement({
    actions: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: 'web:*' })],
  }));
  add('update', () => new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [service.serviceArn] }));
  add('passTaskRole', () => new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [taskDefinition.taskRole.roleArn], conditions: TO_ECS_TASKS }));
  add('passExecutionRole', () => new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [taskDefinition.executionRole!.roleArn], conditions: TO_ECS_TASKS }));
  if (!leaveOut.includes('artifacts')) {
    pipeline.artifactBucket.grantRead(deployer);
  }
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function pipelineResource(pipeline: codepipeline.Pipeline): CfnResource {
  return pipeline.node.defaultChild as CfnResource;
}

describe('PlatformChecks-EcsDeployRoleComplete', () => {
  test('a complete least-privilege role passes all four IAM rules', () => {
    const app = deployApp();
    grant(app);
    expect(iamFindings(app.stack)).toEqual([]);
    expect(EcsDeployRoleComplete(pipelineResource(app.pipeline))).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('a role without ecs:RegisterTaskDefinition fails with that finding only', () => {
    const app = deployApp();
    grant(app, ['register']);
    app.deployer.addToPolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: [app.stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: 'web:*' })],
    }));
    expect(iamFindings(app.stack)).toEqual(['PlatformChecks-EcsDeployRoleComplete[ecs:RegisterTaskDefinition]']);
  });

  test('a role without PassRole fails once per role of the service', () => {
    const app = deployApp();
    grant(app, ['passTaskRole', 'passExecutionRole']);
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toEqual([
      `PlatformChecks-EcsDeployRoleComplete[iam:PassRole(${logicalId(app.stack, app.taskDefinition.executionRole as iam.Role)})]`,
      `PlatformChecks-EcsDeployRoleComplete[iam:PassRole(${logicalId(app.stack, app.taskDefinition.taskRole as iam.Role)})]`,
    ].sort());
  });

  test('PassRole on the task role only fails for the execution role', () => {
    const app = deployApp();
    grant(app, ['passExecutionRole']);
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toEqual([
      `PlatformChecks-EcsDeployRoleComplete[iam:PassRole(${logicalId(app.stack, app.taskDefinition.executionRole as iam.Role)})]`,
    ]);
  });

  test('PassRole limited to another service does not count', () => {
    const app = deployApp();
    grant(app, ['passTaskRole', 'passExecutionRole']);
    app.deployer.addToPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [app.taskDefinition.taskRole.roleArn, app.taskDefinition.executionRole!.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }));
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toHaveLength(2);
  });

  test('PassRole on a role path wildcard that covers the roles counts', () => {
    const app = deployApp();
    grant(app, ['passTaskRole', 'passExecutionRole']);
    app.deployer.addToPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [app.stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' })],
      conditions: TO_ECS_TASKS,
    }));
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toEqual([]);
    expect(findingsOf(app.stack, 'PassRoleScoped')).toHaveLength(1);
  });

  test('a role that cannot read the artifact bucket fails', () => {
    const app = deployApp();
    grant(app, ['artifacts']);
    // Without the feature flag that turns them off, CodePipeline encrypts artifacts with a KMS key.
    const bucket = app.pipeline.artifactBucket as s3.Bucket;
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toEqual([
      `PlatformChecks-EcsDeployRoleComplete[kms:Decrypt(${logicalId(app.stack, bucket.encryptionKey as unknown as iam.Role)})]`,
      `PlatformChecks-EcsDeployRoleComplete[s3:GetObject(${logicalId(app.stack, bucket)})]`,
    ]);
  });

  test('an empty role fails for every permission', () => {
    const app = deployApp();
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toHaveLength(11);
  });

  test('aws-cdk-lib\'s own grants on a mutable role are complete, and too broad for the other rules', () => {
    const app = deployApp({ mutableRole: true });
    expect(findingsOf(app.stack, 'EcsDeployRoleComplete')).toEqual([]);
    expect(findingsOf(app.stack, 'PassRoleScoped')).toEqual([
      'PlatformChecks-PassRoleScoped[Condition::iam:PassedToService]',
      'PlatformChecks-PassRoleScoped[Resource::*]',
    ]);
    expect(findingsOf(app.stack, 'EcsWritesScoped')).toEqual([
      'PlatformChecks-EcsWritesScoped[Action::ecs:RegisterTaskDefinition]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:TagResource]',
      'PlatformChecks-EcsWritesScoped[Action::ecs:UpdateService]',
    ]);
  });

  test('is not applicable to a role imported by ARN', () => {
    const stack = newStack();
    const imported = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/deployer', { mutable: false });
    const app = deployApp({ stack, role: imported });
    expect(EcsDeployRoleComplete(pipelineResource(app.pipeline))).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(findingsOf(stack, 'EcsDeployRoleComplete')).toEqual([]);
  });

  test('is not applicable to a role of another stack', () => {
    const cdkApp = new App({ builtinCloudFormationValidation: false });
    const env = { account: '123456789012', region: 'eu-west-1' };
    const roles = new Stack(cdkApp, 'Roles', { env });
    const role = new iam.Role(roles, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
    const app = deployApp({ stack: new Stack(cdkApp, 'Pipeline', { env }), role: role.withoutPolicyUpdates() });
    // Synthesis turns the reference into an Fn::ImportValue; before it, the reference reads as an
    // Fn::GetAtt of the other stack's logical id, which here is also the id of this stack's own Deployer.
    cdkApp.synth();
    expect(EcsDeployRoleComplete(pipelineResource(app.pipeline))).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });

  test('is not applicable to other resources or to pipelines without an ECS deploy action', () => {
    const stack = newStack();
    const role = new CfnResource(stack, 'Role', { type: 'AWS::IAM::Role', properties: {} });
    const pipeline = l1Pipeline(stack, { Stages: [{ Name: 'Source', Actions: [] }] });
    expect(EcsDeployRoleComplete(role)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(EcsDeployRoleComplete(pipeline)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});

describe('PlatformChecks-EcsDeployRoleComplete on L1 resources', () => {
  /**
   * Two services named "web" in two clusters, the pipeline role (the action has none) with its
   * permissions spread over an inline policy, a role policy and an attached managed policy, and a KMS key
   * on the artifact store.
   */
  function l1App(options: { taskRoleArn?: unknown; passRoleResource?: unknown; decrypt?: boolean; serviceName?: string } = {}) {
    const stack = newStack();
    resource(stack, 'Blue', 'AWS::ECS::Cluster', {});
    resource(stack, 'Green', 'AWS::ECS::Cluster', {});
    resource(stack, 'TaskRole', 'AWS::IAM::Role', { AssumeRolePolicyDocument: {} });
    resource(stack, 'BlueTasks', 'AWS::ECS::TaskDefinition', { TaskRoleArn: 'arn:aws:iam::123456789012:role/blue-task' });
    resource(stack, 'GreenTasks', 'AWS::ECS::TaskDefinition', {
      TaskRoleArn: options.taskRoleArn ?? { 'Fn::GetAtt': ['TaskRole', 'Arn'] },
    });
    resource(stack, 'BlueService', 'AWS::ECS::Service', { ServiceName: 'web', Cluster: { Ref: 'Blue' }, TaskDefinition: { Ref: 'BlueTasks' } });
    resource(stack, 'GreenService', 'AWS::ECS::Service', { ServiceName: 'web', Cluster: { Ref: 'Green' }, TaskDefinition: { Ref: 'GreenTasks' } });
    resource(stack, 'Artifacts', 'AWS::S3::Bucket', { BucketName: 'artifacts-123' });
    resource(stack, 'Key', 'AWS::KMS::Key', {});
    resource(stack, 'Reads', 'AWS::IAM::ManagedPolicy', { PolicyDocument: document({ Effect: 'Allow', Action: READS, Resource: '*' }) });
    resource(stack, 'PipelineRole', 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {},
      ManagedPolicyArns: [{ Ref: 'Reads' }, 'arn:aws:iam::aws:policy/AdministratorAccess'],
      Policies: [{
        PolicyName: 'deploy',
        PolicyDocument: document(
          { Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition', 'ecs:TagResource', 'ecs:UpdateService'], Resource: 'arn:aws:ecs:eu-west-1:123456789012:*/*' },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::artifacts-123/*' },
        ),
      }],
    });
    resource(stack, 'PassRolePolicy', 'AWS::IAM::RolePolicy', {
      RoleName: { Ref: 'PipelineRole' },
      PolicyName: 'pass',
      PolicyDocument: document(
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: options.passRoleResource ?? { 'Fn::GetAtt': ['TaskRole', 'Arn'] }, Condition: TO_ECS_TASKS },
        ...(options.decrypt ? [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] : []),
      ),
    });
    const pipeline = greenPipeline(stack, {
      ArtifactStore: { Type: 'S3', Location: { Ref: 'Artifacts' }, EncryptionKey: { Id: { 'Fn::GetAtt': ['Key', 'Arn'] }, Type: 'KMS' } },
    }, { ServiceName: options.serviceName ?? 'web' });
    return { stack, pipeline };
  }

  test('finds the role\'s permissions in every kind of policy and the service by literal name and cluster', () => {
    const { pipeline } = l1App({ decrypt: true });
    expect(EcsDeployRoleComplete(pipeline)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('needs kms:Decrypt on the artifact store key', () => {
    const { stack } = l1App();
    expect(findingsOf(stack, 'EcsDeployRoleComplete')).toEqual(['PlatformChecks-EcsDeployRoleComplete[kms:Decrypt(Key)]']);
  });

  test('checks PassRole on a task role given as an ARN', () => {
    const taskRoleArn = 'arn:aws:iam::123456789012:role/green-task';
    const missing = l1App({ decrypt: true, taskRoleArn });
    expect(findingsOf(missing.stack, 'EcsDeployRoleComplete')).toEqual([`PlatformChecks-EcsDeployRoleComplete[iam:PassRole(${taskRoleArn})]`]);
    const covered = l1App({ decrypt: true, taskRoleArn, passRoleResource: 'arn:aws:iam::123456789012:role/green-*' });
    expect(EcsDeployRoleComplete(covered.pipeline)).toBe(NagRuleCompliance.COMPLIANT);
  });

  test('does not take a wildcard that misses the generated role name as covering it', () => {
    const { stack } = l1App({ decrypt: true, passRoleResource: 'arn:aws:iam::123456789012:role/app-*' });
    expect(findingsOf(stack, 'EcsDeployRoleComplete')).toEqual(['PlatformChecks-EcsDeployRoleComplete[iam:PassRole(TaskRole)]']);
  });

  test('asks only for some s3:GetObject and kms:Decrypt when the artifact store comes from another stack', () => {
    const imported = (name: string) => ({ 'Fn::ImportValue': name });
    const withImportedStore = (stack: Stack) => greenPipeline(stack, {
      ArtifactStore: { Type: 'S3', Location: imported('artifacts-name'), EncryptionKey: { Id: imported('artifacts-key-arn'), Type: 'KMS' } },
    });
    // The role reads arn:aws:s3:::artifacts-123/* and decrypts with the stack's own key: neither is the
    // imported store, but the template cannot show that.
    expect(EcsDeployRoleComplete(withImportedStore(l1App({ decrypt: true }).stack))).toBe(NagRuleCompliance.COMPLIANT);
    const withoutDecrypt = l1App({ decrypt: false }).stack;
    withImportedStore(withoutDecrypt);
    expect(findingsOf(withoutDecrypt, 'EcsDeployRoleComplete')).toEqual([
      'PlatformChecks-EcsDeployRoleComplete[kms:Decrypt(<Import:artifacts-key-arn>)]',
    ]);
  });

  test('reads the artifact store of the action\'s region in a multi-region pipeline', () => {
    const stores = {
      ArtifactStores: [
        { Region: 'eu-west-1', ArtifactStore: { Type: 'S3', Location: { Ref: 'Artifacts' } } },
        { Region: 'us-east-1', ArtifactStore: { Type: 'S3', Location: 'replica-bucket' } },
      ],
    };
    const home = l1App().stack;
    expect(EcsDeployRoleComplete(greenPipeline(home, stores))).toBe(NagRuleCompliance.COMPLIANT);
    const remote = l1App().stack;
    greenPipeline(remote, stores, {}, { Region: 'us-east-1' });
    expect(findingsOf(remote, 'EcsDeployRoleComplete')).toEqual(['PlatformChecks-EcsDeployRoleComplete[s3:GetObject(replica-bucket)]']);
  });

  test('matches a KMS key ARN pattern against the stack\'s own key', () => {
    const { stack } = l1App();
    resource(stack, 'KeyPolicy', 'AWS::IAM::RolePolicy', {
      RoleName: { Ref: 'PipelineRole' },
      PolicyName: 'key',
      PolicyDocument: document({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' } }),
    });
    expect(findingsOf(stack, 'EcsDeployRoleComplete')).toEqual([]);
  });

  test('requires some PassRole when the service is not in the template', () => {
    const { stack } = l1App({ decrypt: true, serviceName: 'elsewhere' });
    expect(findingsOf(stack, 'EcsDeployRoleComplete')).toEqual([]);
    stack.node.tryRemoveChild('PassRolePolicy');
    resource(stack, 'DecryptPolicy', 'AWS::IAM::RolePolicy', {
      RoleName: { Ref: 'PipelineRole' },
      PolicyName: 'decrypt',
      PolicyDocument: document({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }),
    });
    expect(findingsOf(stack, 'EcsDeployRoleComplete')).toEqual(['PlatformChecks-EcsDeployRoleComplete[iam:PassRole]']);
  });
});

function resource(stack: Stack, id: string, type: string, properties: Record<string, unknown>): CfnResource {
  const cfn = new CfnResource(stack, id, { type, properties });
  cfn.overrideLogicalId(id);
  return cfn;
}

/**
 * (Re)places the pipeline of an `l1App` stack: the pipeline role runs one ECS deploy action to the service
 * named "web" in the Green cluster.
 */
function greenPipeline(stack: Stack, stores: object, configuration: object = {}, action: object = {}): CfnResource {
  stack.node.tryRemoveChild('Pipeline');
  return l1Pipeline(stack, {
    RoleArn: { 'Fn::GetAtt': ['PipelineRole', 'Arn'] },
    ...stores,
    Stages: [{
      Name: 'Deploy',
      Actions: [{
        Name: 'Deploy',
        ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'ECS', Version: '1' },
        Configuration: { ClusterName: { Ref: 'Green' }, ServiceName: 'web', FileName: 'imagedefinitions.json', ...configuration },
        InputArtifacts: [{ Name: 'Image' }],
        ...action,
      }],
    }],
  });
}

function l1Pipeline(stack: Stack, properties: Record<string, unknown>): CfnResource {
  return resource(stack, 'Pipeline', 'AWS::CodePipeline::Pipeline', properties);
}

function document(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements };
}
