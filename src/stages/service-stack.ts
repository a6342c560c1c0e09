import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { APP_PORT } from './app-constants';
import { ServiceCheck } from './check/service-check';
import { SessionClient } from './client/session-client';
import { AppPipeline } from './delivery/app-pipeline';
import { EcsDeployRole } from './delivery/ecs-deploy-role';
import { FirstImage } from './delivery/first-image';
import { ImageBuildProject } from './delivery/image-build-project';
import { NotificationTopic } from '../notifications/notification-topic';
import { PromoteProject } from './delivery/promote-project';
import { LogEncryptionKey } from './log-encryption-key';
import { PrivateNetwork } from './network/private-network';
import { AppService } from './service/app-service';
import type { StatefulStack } from './stateful/stateful-stack';

export interface ServiceStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly stateful: StatefulStack;
  /** Account of the meta-pipeline, allowed to invoke the post-deploy check. */
  readonly toolchainAccount: string;
  readonly notificationEmails: readonly string[];
}

/** The stage's stateless part: network, service, app pipeline and client. It composes constructs only. */
export class ServiceStack extends Stack {
  public readonly checkFunctionName: string;
  private readonly azCount: number;

  public constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    this.azCount = props.stage.availabilityZones;
    const { stage, stateful } = props;
    const logRetention = stage.retention.logDays as logs.RetentionDays;
    const removalPolicy = stage.retention.statefulResources === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logEncryptionKey = new LogEncryptionKey(this, 'LogEncryption', { removalPolicy }).key;
    const common = { logRetention, removalPolicy, logEncryptionKey };
    const imageRepository = stateful.images.repository;
    // Imported by name so the push rule lives here, not in the stateful stack (which would depend on this one).
    const sourceRepository = codecommit.Repository.fromRepositoryName(this, 'SourceRepository', stateful.source.repository.repositoryName);

    const network = new PrivateNetwork(this, 'Network', {
      ...common,
      availabilityZones: stage.availabilityZones,
      sessionManagerEndpoints: stage.clientInstance,
    });
    const build = new ImageBuildProject(this, 'ImageBuild', {
      ...common,
      imageRepository,
      cpuArchitecture: stage.cpuArchitecture,
      dockerHub: stage.dockerHubCredentials,
      encryptionKey: stateful.artifacts.artifactKey,
    });
    const firstImage = new FirstImage(this, 'FirstImage', {
      logRetention,
      logEncryptionKey,
      buildProject: build.project,
      sourceRepository,
      branch: stage.appRepository.branch,
      timeout: Duration.hours(1),
    });

    const app = new AppService(this, 'App', {
      ...common,
      stageName: stage.name,
      vpc: network.vpc,
      imageRepository,
      sizing: stage.service,
      cpuArchitecture: stage.cpuArchitecture,
    });
    app.service.node.addDependency(firstImage.ready);
    network.allowEndpointAccessFrom(app.securityGroup, 'App tasks');

    const deployRole = new EcsDeployRole(this, 'DeployRole', {
      service: app.service,
      taskDefinition: app.taskDefinition,
      artifactBucket: stateful.artifacts.artifactBucket,
      artifactKey: stateful.artifacts.artifactKey,
    });
    const promote = new PromoteProject(this, 'Promote', {
      ...common,
      imageRepository,
      cpuArchitecture: stage.cpuArchitecture,
      encryptionKey: stateful.artifacts.artifactKey,
    });
    const notifications = new NotificationTopic(this, 'Notifications', { emails: props.notificationEmails });
    const appPipeline = new AppPipeline(this, 'AppPipeline', {
      pipelineName: `${stage.appRepository.name}-${stage.name}`,
      sourceRepository,
      branch: stage.appRepository.branch,
      artifactBucket: stateful.artifacts.artifactBucket,
      buildProject: build.project,
      promoteProject: promote.project,
      service: app.service,
      deployRole: deployRole.role.withoutPolicyUpdates(),
      notifications: notifications.topic,
    });

    // Lambda names allow letters, digits, '-' and '_' only, 64 at most.
    this.checkFunctionName = `${stage.appRepository.name.replace(/[^a-z0-9_-]/g, '-').slice(0, 40)}-${stage.name}-check`;
    const check = new ServiceCheck(this, 'ServiceCheck', {
      ...common,
      functionName: this.checkFunctionName,
      vpc: network.vpc,
      serviceAddress: app.address,
      invokerAccount: props.toolchainAccount,
    });
    app.allowAppTrafficFrom(check.securityGroup, 'Post-deploy service check');

    new CfnOutput(this, 'CodeCommitCloneUrlHttps', { value: stateful.source.repository.repositoryCloneUrlHttp });
    new CfnOutput(this, 'CodeCommitCloneUrlGrc', { value: stateful.source.repository.repositoryCloneUrlGrc });
    new CfnOutput(this, 'EcrRepositoryUri', { value: imageRepository.repositoryUri });
    new CfnOutput(this, 'ServiceAddress', { value: `http://${app.address}:${APP_PORT}/` });
    new CfnOutput(this, 'AppPipelineConsoleUrl', {
      value: `https://${this.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${appPipeline.pipeline.pipelineName}/view?region=${this.region}`,
    });

    if (stage.clientInstance) {
      const client = new SessionClient(this, 'Client', { vpc: network.vpc });
      network.allowEndpointAccessFrom(client.securityGroup, 'Session Manager client');
      app.allowAppTrafficFrom(client.securityGroup, 'Session Manager client');
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
