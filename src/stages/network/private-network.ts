import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import { encryptedLogGroup, type LogSettings } from '../../logs/log-settings';

export interface PrivateNetworkProps {
  readonly availabilityZones: number;
  readonly logs: LogSettings;
  /** Adds the endpoints Session Manager needs (ssm, ssmmessages, ec2messages). */
  readonly sessionManagerEndpoints: boolean;
}

/**
 * A VPC with private subnets only: no internet gateway, no NAT. AWS services are reached through
 * endpoints whose security group admits HTTPS only from the security groups that were let in.
 */
export class PrivateNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /**
   * Everything a task in these subnets needs to pull its image and write its logs: the endpoints, and the
   * security group with the rules that let its callers in. CloudFormation creates them in parallel with
   * whatever refers to the VPC alone, so a service created that early would start tasks that cannot pull,
   * and its circuit breaker would roll the first deploy back. Depend on this.
   */
  public readonly endpointsReady: IDependable;
  private readonly endpointSecurityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const flowLogGroup = encryptedLogGroup(this, 'FlowLogs', props.logs);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      // The stack's AZs come from Fn::GetAZs at deploy time (ServiceStack.availabilityZones): no lookup at synth.
      maxAzs: props.availabilityZones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      flowLogs: {
        All: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from the app tasks and the client only',
      allowAllOutbound: false,
    });
    const ready = new DependencyGroup(this.endpointSecurityGroup);
    this.endpointsReady = ready;
    // ECR image layers are S3 objects: without this gateway endpoint no task could pull its image.
    ready.add(this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 }));

    const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    };
    if (props.sessionManagerEndpoints) {
      services.Ssm = ec2.InterfaceVpcEndpointAwsService.SSM;
      services.SsmMessages = ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES;
      services.Ec2Messages = ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES;
    }
    for (const [name, service] of Object.entries(services)) {
      ready.add(this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [this.endpointSecurityGroup],
      }));
    }
  }

  /** Lets `peer` reach the AWS service endpoints over HTTPS, and nothing else of the network. */
  public allowEndpointAccessFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.endpointSecurityGroup.addIngressRule(peer, ec2.Port.tcp(443), description);
    peer.addEgressRule(this.endpointSecurityGroup, ec2.Port.tcp(443), `${description} (endpoints)`);
  }
}
