import { Match, Template } from 'aws-cdk-lib/assertions';
import { APP_CONTAINER_NAME, APP_PORT, LIVE_IMAGE_TAG } from '../../src/stages/app-constants';
import { exampleSynth, type SynthesizedPlatform } from '../support/synth-app';

let synth: SynthesizedPlatform;
const service: Record<string, Template> = {};
const stateful: Record<string, Template> = {};

beforeAll(() => {
  synth = exampleSynth();
  for (const stage of ['dev', 'prod']) {
    service[stage] = Template.fromJSON(synth.template(`${stage}/Service`));
    stateful[stage] = Template.fromJSON(synth.template(`${stage}/Stateful`));
  }
});

function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function onlyResource(template: Template, type: string): any {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0][1];
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

  test('VPC flow logs go to an encrypted log group', () => {
    service.prod.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    service.prod.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
  });
});

describe('service', () => {
  test('task definition: one container, the shared name, the live tag, sized from configuration', () => {
    const task = onlyResource(service.prod, 'AWS::ECS::TaskDefinition').Properties;
    expect(task.Cpu).toBe('512');
    expect(task.Memory).toBe('1024');
    expect(task.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(task.ContainerDefinitions).toHaveLength(1);
    const container = task.ContainerDefinitions[0];
    expect(container.Name).toBe(APP_CONTAINER_NAME);
    expect(JSON.stringify(container.Image)).toContain(`:${LIVE_IMAGE_TAG}`);
    expect(container.PortMappings).toEqual([{ ContainerPort: APP_PORT, Protocol: 'tcp' }]);
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.User).toBe('1000');
    expect(container.HealthCheck.Command.join(' ')).toContain(`${APP_PORT}/healthz`);
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.Environment).toBeUndefined();
  });

  test('Fargate service: private, no public IP, circuit breaker with rollback, no DesiredCount in the template', () => {
    const ecsService = onlyResource(service.dev, 'AWS::ECS::Service').Properties;
    expect(ecsService.LaunchType).toBe('FARGATE');
    expect(ecsService.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    expect(ecsService.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    // A template DesiredCount would undo autoscaling on every infrastructure deploy.
    expect(ecsService.DesiredCount).toBeUndefined();
    expect(ecsService.ServiceRegistries).toHaveLength(1);
  });

  test('the service is created only after the first image exists', () => {
    const [, ecsService] = resourcesOf(service.dev, 'AWS::ECS::Service')[0];
    const waitCondition = resourcesOf(service.dev, 'AWS::CloudFormation::WaitCondition')[0][0];
    expect(ecsService.DependsOn).toContain(waitCondition);
    const start = onlyResource(service.dev, 'Custom::FirstImageBuild');
    const create = JSON.parse(JSON.stringify(start.Properties.Create));
    expect(JSON.stringify(create)).toContain('PUBLISH_LIVE_TAG');
    expect(start.Properties.Update).toBeUndefined();
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
    service.dev.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } });
    const groups = service.dev.findResources('AWS::EC2::SecurityGroup');
    const clientGroup = Object.entries(groups).find(([id]) => id.startsWith('ClientSecurityGroup'))![1];
    expect(clientGroup.Properties.SecurityGroupIngress).toBeUndefined();
    service.dev.hasOutput('ClientSessionCommand', { Value: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('aws ssm start-session')])]) }) });
  });

  test('prod: no client instance', () => {
    service.prod.resourceCountIs('AWS::EC2::Instance', 0);
  });
});

describe('registry, source and build', () => {
  test('ECR: scan on push, KMS, immutable commit tags with live as the one exception, bounded lifecycle', () => {
    const repository = onlyResource(stateful.prod, 'AWS::ECR::Repository').Properties;
    expect(repository.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(repository.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS' });
    expect(repository.ImageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(repository.ImageTagMutabilityExclusionFilters).toEqual([{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: LIVE_IMAGE_TAG }]);
    const rules = JSON.parse(repository.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules.some((rule: any) => rule.selection.countType === 'imageCountMoreThan' && rule.selection.countNumber === 50)).toBe(true);
    // The image `live` names is selected first, so the count rule can never expire it.
    expect(rules[0]).toMatchObject({ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: [LIVE_IMAGE_TAG] } });
  });

  test('CodeCommit repository named from configuration, seeded from container/ on the configured branch', () => {
    const repository = onlyResource(stateful.dev, 'AWS::CodeCommit::Repository').Properties;
    expect(repository.RepositoryName).toBe('hello-codepipeline');
    expect(repository.Code.BranchName).toBe('main');
    expect(repository.Code.S3).toBeDefined();
  });

  test('image build: ARM64, privileged for docker, layer cache, logs with retention, output encrypted', () => {
    const projects = resourcesOf(service.dev, 'AWS::CodeBuild::Project').map(([, project]) => project.Properties);
    const build = projects.find((project) => project.Source.BuildSpec.includes('imagedefinitions.json'))!;
    expect(build.Environment.Type).toBe('ARM_CONTAINER');
    expect(build.Environment.PrivilegedMode).toBe(true);
    expect(build.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] });
    expect(build.LogsConfig.CloudWatchLogs.Status).toBe('ENABLED');
    expect(build.EncryptionKey).toBeDefined();
    const spec = JSON.parse(build.Source.BuildSpec);
    for (const phase of ['pre_build', 'build', 'post_build']) expect(spec.phases[phase]['on-failure']).toBe('ABORT');
    expect(spec.env.variables.CONTAINER_NAME).toBe(APP_CONTAINER_NAME);
  });
});

describe('app pipeline', () => {
  test('V2: CodeCommit source on push (EventBridge), build, ECS deploy with a timeout, then promote', () => {
    const pipeline = onlyResource(service.dev, 'AWS::CodePipeline::Pipeline').Properties;
    expect(pipeline.PipelineType).toBe('V2');
    const stages = pipeline.Stages.map((stage: any) => [stage.Name, stage.Actions.map((action: any) => action.ActionTypeId.Provider)]);
    expect(stages).toEqual([['Source', ['CodeCommit']], ['Build', ['CodeBuild']], ['Deploy', ['ECS', 'CodeBuild']]]);
    const source = pipeline.Stages[0].Actions[0];
    expect(source.Configuration).toMatchObject({ BranchName: 'main', PollForSourceChanges: false });
    const deploy = pipeline.Stages[2].Actions[0];
    expect(deploy.Configuration.DeploymentTimeout).toBe(30);
    expect(deploy.Configuration.FileName).toBe('imagedefinitions.json');
    expect(deploy.RoleArn).toBeDefined();
    const promote = pipeline.Stages[2].Actions[1];
    expect(promote.RunOrder).toBeGreaterThan(deploy.RunOrder);
    service.dev.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.codecommit'], detail: Match.objectLike({ referenceName: ['main'] }) }),
    });
  });

  test('deploy role: exactly the ECS deploy actions, PassRole only on the task roles to ecs-tasks', () => {
    const policies = resourcesOf(service.dev, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('DeployRolePolicy'));
    expect(policies).toHaveLength(1);
    const statements: any[] = policies[0][1].Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual([
      'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition',
      'ecs:TagResource', 'ecs:UpdateService', 'iam:PassRole', 'kms:Decrypt', 'kms:DescribeKey', 's3:GetObject', 's3:GetObjectVersion',
    ]);
    const passRole = statements.find((statement) => statement.Action === 'iam:PassRole');
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(passRole.Resource.map((arn: any) => arn['Fn::GetAtt'][0]).sort())
      .toEqual([expect.stringMatching(/^AppTaskExecutionRole/), expect.stringMatching(/^AppTaskTaskRole/)]);
    const update = statements.find((statement) => [statement.Action].flat().includes('ecs:UpdateService'));
    expect(update.Resource).not.toBe('*');
  });

  test('artifact bucket: KMS, SSL only, versioned, lifecycle, access logs', () => {
    const buckets = resourcesOf(stateful.prod, 'AWS::S3::Bucket');
    const artifacts = buckets.find(([id]) => id === 'ArtifactsD26CF9E8')![1].Properties;
    expect(artifacts.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(artifacts.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(90);
    expect(artifacts.LoggingConfiguration).toBeDefined();
    stateful.prod.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('failures and approvals are notified through an encrypted topic', () => {
    service.dev.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    service.dev.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: Match.arrayWith(['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed']),
    });
  });
});

describe('no IAM statement in a stage is broader than the deploy needs', () => {
  test.each(['dev', 'prod'])('%s', (stage) => {
    for (const template of [service[stage], stateful[stage]]) {
      const statements = [
        ...resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement),
        ...resourcesOf(template, 'AWS::IAM::Role').flatMap(([, role]) => (role.Properties.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement)),
      ];
      for (const statement of statements) {
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

describe('outputs', () => {
  test('clone URLs, ECR URI, service address and the pipeline console URL', () => {
    for (const output of ['CodeCommitCloneUrlHttps', 'CodeCommitCloneUrlGrc', 'EcrRepositoryUri', 'ServiceAddress', 'AppPipelineConsoleUrl']) {
      service.prod.hasOutput(output, {});
    }
    service.prod.templateMatches({ Outputs: Match.not(Match.objectLike({ ClientInstanceId: Match.anyValue() })) });
  });
});

describe('stateful resources', () => {
  // Renaming any of these ids replaces the resource, and with it the git history, the images or the artifacts.
  const PINNED_LOGICAL_IDS: Record<string, string> = {
    'AWS::CodeCommit::Repository': 'SourceRepository74575110',
    'AWS::ECR::Repository': 'ImagesRepository2D0F5B9C',
    'AWS::KMS::Key': 'ArtifactsArtifactKeyBBBC0358',
  };

  test.each(Object.entries(PINNED_LOGICAL_IDS))('%s keeps logical id %s', (type, logicalId) => {
    for (const stage of ['dev', 'prod']) {
      expect(Object.keys(stateful[stage].findResources(type))).toEqual([logicalId]);
    }
  });

  test('bucket logical ids are pinned', () => {
    expect(Object.keys(stateful.prod.findResources('AWS::S3::Bucket')).sort()).toEqual(['ArtifactsAccessLogs4D97777C', 'ArtifactsD26CF9E8']);
  });

  test('prod retains every stateful resource on deletion and update-replace, behind termination protection', () => {
    for (const type of ['AWS::CodeCommit::Repository', 'AWS::ECR::Repository', 'AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const [, resource] of resourcesOf(stateful.prod, type)) {
        expect(resource.DeletionPolicy).toBe('Retain');
        expect(resource.UpdateReplacePolicy).toBe('Retain');
      }
    }
    expect(synth.stack('prod/Stateful').terminationProtection).toBe(true);
  });

  test('dev, configured "destroy", deletes them with the stack', () => {
    onlyResource(stateful.dev, 'AWS::ECR::Repository');
    expect(onlyResource(stateful.dev, 'AWS::ECR::Repository').DeletionPolicy).toBe('Delete');
    expect(onlyResource(stateful.dev, 'AWS::ECR::Repository').Properties.EmptyOnDelete).toBe(true);
    expect(synth.stack('dev/Stateful').terminationProtection).toBeFalsy();
  });
});
