import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { StageConfig } from '../../config';
import { APP_CONTAINER_NAME, APP_HEALTH_PATH, APP_PORT, LIVE_IMAGE_TAG, SERVICE_DISCOVERY_NAME } from '../app-constants';

export interface AppServiceProps {
  readonly stageName: string;
  readonly vpc: ec2.IVpc;
  readonly imageRepository: ecr.IRepository;
  readonly sizing: StageConfig['service'];
  readonly cpuArchitecture: StageConfig['cpuArchitecture'];
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly logEncryptionKey: kms.IKey;
}

/**
 * The app on Fargate in the private subnets, reachable at a stable private DNS name.
 * The task definition names the `live` tag, never a commit: whenever CloudFormation registers a new
 * revision it gets the image the app pipeline last deployed (docs/adr/0002-first-deploy-and-no-rollback.md).
 */
export class AppService extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly securityGroup: ec2.SecurityGroup;
  /** `app.<stage>.internal`: the same name whichever tasks are running. */
  public readonly address: string;

  public constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const namespaceName = `${props.stageName}.internal`;
    this.address = `${SERVICE_DISCOVERY_NAME}.${namespaceName}`;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: namespaceName, type: servicediscovery.NamespaceType.DNS_PRIVATE, vpc: props.vpc },
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.sizing.cpu,
      memoryLimitMiB: props.sizing.memoryMiB,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: props.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy, encryptionKey: props.logEncryptionKey });
    this.taskDefinition.addContainer(APP_CONTAINER_NAME, {
      containerName: APP_CONTAINER_NAME,
      image: ecs.ContainerImage.fromEcrRepository(props.imageRepository, LIVE_IMAGE_TAG),
      portMappings: [{ containerPort: APP_PORT, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      readonlyRootFilesystem: true,
      user: '1000',
      memoryLimitMiB: props.sizing.memoryMiB,
      healthCheck: {
        // busybox wget ships in the alpine base image; the app answers /healthz without doing work.
        command: ['CMD-SHELL', `wget -q -O /dev/null http://127.0.0.1:${APP_PORT}${APP_HEALTH_PATH} || exit 1`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      stopTimeout: Duration.seconds(30),
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `App tasks: port ${APP_PORT} only from the security groups let in`,
      allowAllOutbound: false,
    });
    // ECR layers come from S3 through the gateway endpoint, whose prefix list id is unknown until deploy.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to VPC endpoints and the S3 gateway; no route leaves the VPC');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      cloudMapOptions: { name: SERVICE_DISCOVERY_NAME, dnsRecordType: servicediscovery.DnsRecordType.A, dnsTtl: Duration.seconds(10) },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      // DesiredCount stays out of the template so a CloudFormation update never undoes autoscaling.
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.sizing.minTasks, maxCapacity: props.sizing.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
  }

  /** Lets `peer` call the app on its port. */
  public allowAppTrafficFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(APP_PORT), description);
    peer.addEgressRule(this.securityGroup, ec2.Port.tcp(APP_PORT), `${description} (to the app)`);
  }
}
