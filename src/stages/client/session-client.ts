import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface SessionClientProps {
  readonly vpc: ec2.IVpc;
}

/**
 * A small Graviton instance to curl the app from inside the VPC, reached only through Session Manager:
 * no inbound rule, no key pair, IMDSv2 only. The AMI is resolved from the public SSM parameter at deploy time.
 */
export class SessionClient extends Construct {
  public readonly instance: ec2.Instance;
  public readonly securityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: SessionClientProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Session Manager client: no inbound rules; out to the app and the VPC endpoints only',
      allowAllOutbound: false,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Session Manager client instance',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      securityGroup: this.securityGroup,
      role,
      // IMDSv2 on the instance itself: `requireImdsv2` would add a launch template whose generated name
      // carries no app name, and collide with another platform's in the same account and region.
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpEndpoint: true,
      associatePublicIpAddress: false,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });
  }
}
