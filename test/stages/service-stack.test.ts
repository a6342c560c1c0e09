import { Match, Template } from 'aws-cdk-lib/assertions';
import { APP_CONTAINER_NAME, APP_PORT } from '../../src/app-contract';
import { NODE_MAJOR } from '../../src/toolchain/node-major';
import { sharedSynth, type SynthesizedPlatform } from '../support/synth-app';

let synth: SynthesizedPlatform;
const service: Record<string, Template> = {};

beforeAll(() => {
  synth = sharedSynth('example');
  for (const stage of ['dev', 'prod']) service[stage] = Template.fromJSON(synth.template(`${stage}/Service`));
});

function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function onlyResource(template: Template, type: string): any {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0][1];
}

function statementsOf(template: Template): any[] {
  return [
    ...resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement),
    ...resourcesOf(template, 'AWS::IAM::Role').flatMap(([, role]) => (role.Properties.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement)),
  ];
}

describe('network', () => {
  test.each([['dev', 2], ['prod', 3]])('%s: private subnets only, one per configured AZ, no IGW or NAT', (stage, azs) => {
    const template = service[stage];
    template.resourceCountIs('AWS::EC2::Subnet', azs);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    // AZs come from Fn::GetAZs at deploy time, so synth needs no lookup.
    template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } });
  });

  test('interface endpoints for ECR, logs and, with the client, Session Manager; an S3 gateway', () => {
    const services = (stage: string) => resourcesOf(service[stage], 'AWS::EC2::VPCEndpoint')
      .map(([, endpoint]) => JSON.stringify(endpoint.Properties.ServiceName).match(/\.(ecr\.api|ecr\.dkr|logs|ssm|ssmmessages|ec2messages|s3)"/)?.[1])
      .sort();
    expect(services('dev')).toEqual(['ec2messages', 'ecr.api', 'ecr.dkr', 'logs', 's3', 'ssm', 'ssmmessages']);
    expect(services('prod')).toEqual(['ecr.api', 'ecr.dkr', 'logs', 's3']);
    service.prod.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: Match.anyValue() });
  });

  test('endpoint security group admits HTTPS only from the tasks and the client', () => {
    const template = service.dev;
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    const endpointGroup = Object.keys(groups).find((id) => id.startsWith('NetworkEndpointSecurityGroup'))!;
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, rule]) => rule.Properties)
      .filter((rule) => JSON.stringify(rule.GroupId).includes(endpointGroup));
    expect(ingress.map((rule) => [rule.FromPort, rule.ToPort])).toEqual([[443, 443], [443, 443]]);
    const sources = ingress.map((rule) => rule.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(sources).toEqual([expect.stringMatching(/^AppSecurityGroup/), expect.stringMatching(/^ClientSecurityGroup/)]);
    expect(groups[endpointGroup].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('VPC flow logs go to an encrypted log group kept as long as the stage keeps its logs', () => {
    service.prod.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    service.prod.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
  });
});

describe('service', () => {
  test('task definition: one container, the shared name, the stage\'s live tag in the release repository, sized from configuration', () => {
    const task = onlyResource(service.prod, 'AWS::ECS::TaskDefinition').Properties;
    expect(task.Cpu).toBe('512');
    expect(task.Memory).toBe('1024');
    expect(task.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(task.ContainerDefinitions).toHaveLength(1);
    const container = task.ContainerDefinitions[0];
    expect(container.Name).toBe(APP_CONTAINER_NAME);
    // The toolchain account's repository, in the stage's own region: the VPC endpoint reaches no other region.
    expect(container.Image).toEqual({ 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/hello-codepipeline:live-prod']] });
    expect(container.PortMappings).toEqual([{ ContainerPort: APP_PORT, Protocol: 'tcp' }]);
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.User).toBe('1000');
    expect(container.HealthCheck.Command.join(' ')).toContain(`${APP_PORT}/healthz`);
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.Environment).toBeUndefined();
  });

  test('the execution role, named so the release repository can let exactly it pull, may pull only from that repository', () => {
    const [id, role] = resourcesOf(service.dev, 'AWS::IAM::Role').find(([, candidate]) => candidate.Properties.RoleName === 'hello-codepipeline-dev-execution')!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } },
    ]);
    const statements = resourcesOf(service.dev, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(id))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
    const pull = statements.find((statement) => [statement.Action].flat().includes('ecr:BatchGetImage'));
    expect(pull.Resource).toBe('arn:aws:ecr:eu-west-1:111111111111:repository/hello-codepipeline');
    expect(onlyResource(service.dev, 'AWS::ECS::TaskDefinition').Properties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
  });

  test('Fargate service: named for the app pipeline, private, no public IP, circuit breaker with rollback, no DesiredCount', () => {
    const ecsService = onlyResource(service.dev, 'AWS::ECS::Service').Properties;
    expect(ecsService.ServiceName).toBe('hello-codepipeline');
    expect(onlyResource(service.dev, 'AWS::ECS::Cluster').Properties.ClusterName).toBe('hello-codepipeline-dev');
    expect(ecsService.LaunchType).toBe('FARGATE');
    expect(ecsService.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    expect(ecsService.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    // A template DesiredCount would undo autoscaling on every infrastructure deploy.
    expect(ecsService.DesiredCount).toBeUndefined();
    expect(ecsService.ServiceRegistries).toHaveLength(1);
  });

  test('the service is created only once its execution role may pull the image and write the logs', () => {
    const [, ecsService] = resourcesOf(service.dev, 'AWS::ECS::Service')[0];
    const executionRole = resourcesOf(service.dev, 'AWS::IAM::Role').find(([, role]) => role.Properties.RoleName === 'hello-codepipeline-dev-execution')![0];
    const executionPolicy = resourcesOf(service.dev, 'AWS::IAM::Policy').find(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref === executionRole))![0];
    expect(ecsService.DependsOn).toContain(executionPolicy);
  });

  // The subnets are isolated: before the endpoints exist, a task can neither pull its image nor log.
  test.each(['dev', 'prod'])('%s: the service is created only once the endpoints its tasks pull and log through, and the rule into them, exist', (stage) => {
    const [, ecsService] = resourcesOf(service[stage], 'AWS::ECS::Service')[0];
    const endpoints = resourcesOf(service[stage], 'AWS::EC2::VPCEndpoint')
      .filter(([, endpoint]) => /\.(ecr\.api|ecr\.dkr|logs|s3)"/.test(JSON.stringify(endpoint.Properties.ServiceName)))
      .map(([id]) => id);
    expect(endpoints).toHaveLength(4);
    const appIngress = resourcesOf(service[stage], 'AWS::EC2::SecurityGroupIngress')
      .filter(([, rule]) => JSON.stringify(rule.Properties.SourceSecurityGroupId).includes('AppSecurityGroup') && JSON.stringify(rule.Properties.GroupId).includes('EndpointSecurityGroup'))
      .map(([id]) => id);
    expect(appIngress).toHaveLength(1);
    expect(ecsService.DependsOn).toEqual(expect.arrayContaining([...endpoints, ...appIngress]));
  });

  test.each([['dev', 1, 2], ['prod', 2, 6]])('%s: CPU target tracking between min %i and max %i tasks', (stage, min, max) => {
    service[stage].hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: min, MaxCapacity: max });
    service[stage].hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
    });
  });

  test('stable address through Cloud Map: app.<stage>.internal', () => {
    service.dev.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'dev.internal' });
    service.prod.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'prod.internal' });
    service.dev.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'app' });
    service.dev.hasOutput('ServiceAddress', { Value: `http://app.dev.internal:${APP_PORT}/` });
  });

  test('app port open only to the client and the post-deploy check', () => {
    const ingress = resourcesOf(service.dev, 'AWS::EC2::SecurityGroupIngress')
      .map(([, rule]) => rule.Properties)
      .filter((rule) => rule.FromPort === APP_PORT);
    expect(ingress.map((rule) => rule.SourceSecurityGroupId['Fn::GetAtt'][0]).sort())
      .toEqual([expect.stringMatching(/^ClientSecurityGroup/), expect.stringMatching(/^ServiceCheckSecurityGroup/)]);
    expect(JSON.stringify(service.dev.toJSON())).not.toContain('0.0.0.0/0","FromPort":8080');
  });

  test('container insights on the cluster', () => {
    service.dev.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: Match.stringLikeRegexp('enabled|enhanced') }],
    });
  });
});

describe('the role the app pipeline deploys a stage with', () => {
  const deployRole = (stage: string) => resourcesOf(service[stage], 'AWS::IAM::Role').find(([, role]) => role.Properties.RoleName === `hello-codepipeline-${stage}-deploy`)!;
  const deployStatements = (stage: string): any[] => {
    const policies = resourcesOf(service[stage], 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(deployRole(stage)[0]));
    expect(policies).toHaveLength(1);
    return policies[0][1].Properties.PolicyDocument.Statement;
  };

  test.each(['dev', 'prod'])('%s: only the app pipeline\'s role, in the toolchain account, may assume it', (stage) => {
    expect(deployRole(stage)[1].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        // The account as principal and the role in a condition: a role ARN as principal is checked at create time (it must
        // exist) and turns into the role's unique id, so a recreated pipeline role would lose the trust without a word.
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/hello-codepipeline-release-pipeline' } },
      },
    ]);
  });

  test('exactly the ECS deploy actions, PassRole only on the task roles to ecs-tasks', () => {
    const statements = deployStatements('dev');
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual([
      'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition',
      'ecs:TagResource', 'ecs:UpdateService', 'iam:PassRole', 'kms:Decrypt', 'kms:DescribeKey', 's3:GetObject', 's3:GetObjectVersion',
    ]);
    const passRole = statements.find((statement) => statement.Action === 'iam:PassRole');
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(passRole.Resource.map((arn: any) => arn['Fn::GetAtt'][0]).sort())
      .toEqual([expect.stringMatching(/^AppExecutionRole/), expect.stringMatching(/^AppTaskTaskRole/)]);
    const update = statements.find((statement) => [statement.Action].flat().includes('ecs:UpdateService'));
    expect(update.Resource).not.toBe('*');
  });

  // The Service Authorization Reference lets RegisterTaskDefinition and TagResource name a task-definition ARN;
  // the revision a deploy registers does not exist yet, so every revision of this one family, and no other.
  test.each(['dev', 'prod'])('%s: registers and tags revisions of its own task family only', (stage) => {
    const family = onlyResource(service[stage], 'AWS::ECS::TaskDefinition').Properties.Family;
    expect(family).toEqual(expect.any(String));
    const register = deployStatements(stage).filter((statement) => [statement.Action].flat().some((action: string) => /RegisterTaskDefinition|TagResource/.test(action)));
    const account = stage === 'dev' ? '222222222222' : '333333333333';
    expect(register).toEqual([expect.objectContaining({
      Action: ['ecs:RegisterTaskDefinition', 'ecs:TagResource'],
      Resource: `arn:aws:ecs:eu-west-1:${account}:task-definition/${family}:*`,
    })]);
  });

  test('reads image definitions from the artifact store of its own region only, and decrypts nothing else', () => {
    const statements = deployStatements('prod');
    const read = statements.find((statement) => [statement.Action].flat().includes('s3:GetObject'));
    expect(read.Resource).toBe('arn:aws:s3:::hello-codepipeline-111111111111-eu-west-1/*');
    const decrypt = statements.find((statement) => [statement.Action].flat().includes('kms:Decrypt'));
    expect(decrypt.Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com' });
    expect(JSON.stringify(decrypt.Condition.StringLike)).toContain(':s3:::hello-codepipeline-111111111111-eu-west-1');
  });
});

describe('post-deploy check', () => {
  test('a function named for the stage, on the project\'s Node, invocable by the toolchain account', () => {
    const fn = resourcesOf(service.dev, 'AWS::Lambda::Function').find(([, candidate]) => candidate.Properties.FunctionName === 'hello-codepipeline-dev-check')![1];
    expect(fn.Properties.Runtime).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(fn.Properties.VpcConfig.SubnetIds).toBeDefined();
    service.dev.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: '111111111111' });
  });

  test('prod has no post-deploy check, so no check function either', () => {
    expect(resourcesOf(service.prod, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties.FunctionName)).not.toContain('hello-codepipeline-prod-check');
    expect(resourcesOf(service.prod, 'AWS::Lambda::Permission')).toEqual([]);
  });
});

describe('client', () => {
  test('dev: Graviton AL2023 from the public SSM parameter, IMDSv2, encrypted root, no inbound rule, no key pair', () => {
    const instance = onlyResource(service.dev, 'AWS::EC2::Instance').Properties;
    expect(instance.InstanceType).toMatch(/^t4g\./);
    expect(instance.KeyName).toBeUndefined();
    expect(instance.BlockDeviceMappings[0].Ebs.Encrypted).toBe(true);
    // Resolved by CloudFormation from the public SSM parameter at deploy time: no AMI lookup at synth.
    const parameterName = instance.ImageId.Ref;
    expect(synth.template('dev/Service').Parameters[parameterName]).toEqual({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: expect.stringMatching(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-[\w.-]+-arm64$/),
    });
    expect(instance.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpTokens: 'required' });
    // No launch template: its generated name would not carry the app's, and collide with another platform's.
    expect(resourcesOf(service.dev, 'AWS::EC2::LaunchTemplate')).toEqual([]);
    const groups = service.dev.findResources('AWS::EC2::SecurityGroup');
    const clientGroup = Object.entries(groups).find(([id]) => id.startsWith('ClientSecurityGroup'))![1];
    expect(clientGroup.Properties.SecurityGroupIngress).toBeUndefined();
    service.dev.hasOutput('ClientSessionCommand', { Value: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('aws ssm start-session')])]) }) });
  });

  test('prod: no client instance', () => {
    service.prod.resourceCountIs('AWS::EC2::Instance', 0);
    service.prod.templateMatches({ Outputs: Match.not(Match.objectLike({ ClientInstanceId: Match.anyValue() })) });
  });
});

describe('retention', () => {
  test('prod ("retain") keeps its logs and their key, but not after a failed first create, and asks for termination protection', () => {
    for (const type of ['AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
      for (const [, resource] of resourcesOf(service.prod, type)) {
        expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
        expect(resource.UpdateReplacePolicy).toBe('Retain');
      }
    }
    expect(synth.stack('prod/Service').terminationProtection).toBe(true);
  });

  test('dev ("destroy") deletes its logs with their key, and nothing is retained', () => {
    for (const [, resource] of Object.entries<any>(synth.template('dev/Service').Resources)) {
      expect(resource.DeletionPolicy ?? 'Delete').toBe('Delete');
    }
    expect(synth.stack('dev/Service').terminationProtection).toBeFalsy();
  });

  test('no IAM statement in a stage is broader than the deploy needs', () => {
    for (const stage of ['dev', 'prod']) {
      for (const statement of statementsOf(service[stage])) {
        const actions = [statement.Action].flat();
        expect(actions).not.toContain('*');
        expect(actions).not.toContain('ecs:*');
        if (actions.includes('iam:PassRole')) {
          expect([statement.Resource].flat()).not.toContain('*');
          expect(statement.Condition?.StringEquals?.['iam:PassedToService']).toBeDefined();
        }
      }
    }
  });
});
