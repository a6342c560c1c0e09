import { type App, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { findingsOf, newStack } from './run-pack';
import { logSettingsFor } from '../../../src/logs/log-settings';
import { PrivateNetwork } from '../../../src/stages/network/private-network';

const RULE = 'StartsAfterEndpoints';

/** The rule's findings once the app is synthesized: construct dependencies become DependsOn only then. */
function findingsAfterSynth(stack: Stack): string[] {
  (stack.node.root as App).synth({ force: true });
  return findingsOf(stack, RULE);
}

function service(stack: Stack, vpc: ec2.IVpc, assignPublicIp = false): { service: ecs.FargateService; securityGroup: ec2.SecurityGroup } {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Images', 'app'), 'live') });
  const securityGroup = new ec2.SecurityGroup(stack, 'AppSecurityGroup', { vpc, allowAllOutbound: false });
  const fargate = new ecs.FargateService(stack, 'Service', {
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    taskDefinition,
    securityGroups: [securityGroup],
    assignPublicIp,
    vpcSubnets: { subnetType: assignPublicIp ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_ISOLATED },
  });
  fargate.node.addDependency(taskDefinition.executionRole!.node.findChild('DefaultPolicy'));
  return { service: fargate, securityGroup };
}

describe(`PlatformChecks-${RULE}`, () => {
  test('a service in private subnets fails until it waits for the endpoints it pulls and logs through, and the rule that lets it in', () => {
    const stack = newStack();
    const network = new PrivateNetwork(stack, 'Network', {
      availabilityZones: 2,
      logs: logSettingsFor(stack, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      sessionManagerEndpoints: false,
    });
    const app = service(stack, network.vpc);
    network.allowEndpointAccessFrom(app.securityGroup, 'app');
    const waitedFor = findingsAfterSynth(stack).map((finding) => /\[DependsOn::(\w+)\]$/.exec(finding)?.[1] ?? finding);
    expect(waitedFor.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      // The ingress rule from the app's security group into the endpoints'.
      expect.stringMatching(/^NetworkEndpointSecurityGroupfromTestAppSecurityGroup/),
      'NetworkVpcEcrApi', 'NetworkVpcEcrDocker', 'NetworkVpcLogs', 'NetworkVpcS3',
    ]);
    app.service.node.addDependency(network.endpointsReady);
    expect(findingsAfterSynth(stack)).toEqual([]);
  });

  test('endpoints of other services, or of another VPC, are not asked for', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    vpc.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS });
    const other = new ec2.Vpc(stack, 'Other', { natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    other.addInterfaceEndpoint('EcrApi', { service: ec2.InterfaceVpcEndpointAwsService.ECR });
    service(stack, vpc);
    expect(findingsAfterSynth(stack)).toEqual([]);
  });

  test('a service with public IPs is not judged: it reaches AWS without endpoints', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    vpc.addInterfaceEndpoint('EcrApi', { service: ec2.InterfaceVpcEndpointAwsService.ECR });
    service(stack, vpc, true);
    expect(findingsAfterSynth(stack)).toEqual([]);
  });
});
