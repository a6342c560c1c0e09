import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { APP_CONTAINER_NAME, APP_HEALTH_PATH, APP_PORT, SERVICE_DISCOVERY_NAME } from '../../app-contract';
import type { CpuArchitecture, StageConfig } from '../../config';
import type { StageNames } from '../../config/physical-names';
import { encryptedLogGroup, type LogSettings } from '../../logs/log-settings';

export interface AppServiceProps {
  readonly stageName: string;
  readonly names: StageNames;
  readonly vpc: ec2.IVpc;
  /** The release's repository in this stage's region (toolchain account). */
  readonly imageRepository: ecr.IRepository;
  readonly sizing: StageConfig['service'];
  readonly cpuArchitecture: CpuArchitecture;
  readonly logs: LogSettings;
}

/**
 * The app on Fargate in the private subnets, reachable at a stable private DNS name.
 * The task definition names the stage's `live-<stage>` tag, never a commit: whenever CloudFormation
 * registers a new revision it gets the digest the app pipeline last deployed to this stage
 * (docs/adr/0002-first-deploy-and-no-rollback.md). Cluster, service and execution role have fixed names:
 * the app pipeline, in another account and deployed from another stack, finds them by name.
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
      clusterName: props.names.cluster,
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: namespaceName, type: servicediscovery.NamespaceType.DNS_PRIVATE, vpc: props.vpc },
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      executionRole: new iam.Role(this, 'ExecutionRole', {
        roleName: props.names.executionRole,
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: 'Pulls the app image from the release repository and writes the app logs',
      }),
      cpu: props.sizing.cpu,
      memoryLimitMiB: props.sizing.memoryMiB,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: props.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      },
    });
    const logGroup = encryptedLogGroup(this, 'Logs', props.logs);
    this.taskDefinition.addContainer(APP_CONTAINER_NAME, {
      containerName: APP_CONTAINER_NAME,
      image: ecs.ContainerImage.fromEcrRepository(props.imageRepository, props.names.liveTag),
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
      serviceName: props.names.service,
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

    // aws-cdk-lib makes the service wait for the task role, not for the execution role's policy: on a first
    // create, tasks could start before they may pull the image or write logs, and the circuit breaker would
    // roll the stack back.
    const executionPolicy = this.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (!executionPolicy) throw new Error('the execution role has no policy: the task definition grants it the image pull and the logs');
    this.service.node.addDependency(executionPolicy);

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
