import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { APP_PORT } from '../app-contract';
import type { PlatformConfig, StageConfig } from '../config';
import { ServiceCheck } from './check/service-check';
import { SessionClient } from './client/session-client';
import { EcsDeployRole } from './deploy/ecs-deploy-role';
import { PrivateNetwork } from './network/private-network';
import { AppService } from './service/app-service';
import { releaseNames, stageNames } from '../config/physical-names';
import { logSettingsFor } from '../logs/log-settings';
import { removalPolicyFor } from '../retention';

export interface ServiceStackProps extends StackProps {
  readonly config: PlatformConfig;
  readonly stage: StageConfig;
}

/**
 * One stage of the app: network, service, the role the app pipeline deploys it with, the post-deploy check
 * and the client. It composes constructs only. The image comes from the release in the toolchain account
 * (src/release); the app pipeline that deploys it is there too (src/delivery).
 */
export class ServiceStack extends Stack {
  public readonly app: AppService;
  /** The post-deploy check's function, when the stage has one (`postDeployCheck`). */
  public readonly checkFunctionName?: string;
  private readonly azCount: number;

  public constructor(scope: Construct, id: string, props: ServiceStackProps) {
    const retain = props.stage.retention.statefulResources === 'retain';
    // CDK Pipelines cannot set this itself; the meta-pipeline's Protect step applies it (src/pipeline/steps).
    super(scope, id, { ...props, terminationProtection: retain });
    this.azCount = props.stage.availabilityZones;
    const { config, stage } = props;
    const names = stageNames(config.app.name, stage.name);
    const release = releaseNames(config.app.name);
    const logs = logSettingsFor(this, {
      retention: stage.retention.logDays as logs.RetentionDays,
      removalPolicy: removalPolicyFor(stage.retention.statefulResources),
    });

    const network = new PrivateNetwork(this, 'Network', {
      logs,
      availabilityZones: stage.availabilityZones,
      sessionManagerEndpoints: stage.clientInstance,
    });
    const imageRepository = ecr.Repository.fromRepositoryAttributes(this, 'ReleaseImages', {
      repositoryName: release.repository,
      repositoryArn: this.formatArn({ service: 'ecr', account: config.toolchain.account, resource: 'repository', resourceName: release.repository }),
    });
    this.app = new AppService(this, 'App', {
      logs,
      names,
      stageName: stage.name,
      vpc: network.vpc,
      imageRepository,
      sizing: stage.service,
      cpuArchitecture: config.app.cpuArchitecture,
    });
    network.allowEndpointAccessFrom(this.app.securityGroup, 'App tasks');
    this.app.service.node.addDependency(network.endpointsReady);

    new EcsDeployRole(this, 'DeployRole', {
      roleName: names.deployRole,
      pipelineRole: {
        account: config.toolchain.account,
        arn: this.formatArn({ service: 'iam', region: '', account: config.toolchain.account, resource: 'role', resourceName: release.pipelineRole }),
      },
      service: this.app.service,
      taskDefinition: this.app.taskDefinition,
      artifactBucketName: release.artifactBucket(config.toolchain.account, stage.region),
    });

    // Only where something calls it: an unused in-VPC function would still hold network interfaces and an
    // invoke permission for the toolchain account.
    if (stage.postDeployCheck) {
      this.checkFunctionName = names.checkFunction;
      const check = new ServiceCheck(this, 'ServiceCheck', {
        logs,
        functionName: names.checkFunction,
        vpc: network.vpc,
        serviceAddress: this.app.address,
        invokerAccount: config.toolchain.account,
      });
      this.app.allowAppTrafficFrom(check.securityGroup, 'Post-deploy service check');
    }

    new CfnOutput(this, 'ServiceAddress', { value: `http://${this.app.address}:${APP_PORT}/` });
    new CfnOutput(this, 'RunningImage', { value: `${imageRepository.repositoryUriForTag(names.liveTag)}` });

    if (stage.clientInstance) {
      const client = new SessionClient(this, 'Client', { vpc: network.vpc });
      network.allowEndpointAccessFrom(client.securityGroup, 'Session Manager client');
      this.app.allowAppTrafficFrom(client.securityGroup, 'Session Manager client');
      new CfnOutput(this, 'ClientInstanceId', { value: client.instance.instanceId });
      new CfnOutput(this, 'ClientSessionCommand', {
        value: `aws ssm start-session --region ${this.region} --target ${client.instance.instanceId}`,
      });
    }
  }

  /**
   * AZs chosen by CloudFormation (Fn::GetAZs) at deploy time. Stack's own getter would ask for an
   * `availability-zones` context lookup, which needs AWS credentials at synth, for any env-specific stack.
   */
  public get availabilityZones(): string[] {
    return Array.from({ length: this.azCount }, (_, index) => Fn.select(index, Fn.getAzs()));
  }
}
