import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { APP_GREETING, APP_PORT } from '../../app-contract';
import { encryptedLogGroup, type LogSettings } from '../../logs/log-settings';
import { lambdaNodeRuntime } from '../../toolchain/node-runtime';

export interface ServiceCheckProps {
  readonly functionName: string;
  readonly vpc: ec2.IVpc;
  readonly serviceAddress: string;
  /** The toolchain account, whose pipelines invoke the check after deploying the stage. */
  readonly invokerAccount: string;
  readonly logs: LogSettings;
}

/**
 * A function in the stage's private subnets that proves the service answers its greeting on its stable
 * address. Both pipelines invoke it after deploying the stage (the meta-pipeline after infrastructure, the app pipeline
 * after a release); a failure stops the promotion to the next stage.
 */
export class ServiceCheck extends Construct {
  public readonly function: lambda.Function;
  public readonly securityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: ServiceCheckProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Post-deploy service check: out to the app only',
      allowAllOutbound: false,
    });
    const logGroup = encryptedLogGroup(this, 'Logs', props.logs);
    // Its own role instead of the AWS managed Lambda policies: logs go to this function's group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Post-deploy service check function',
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'LambdaVpcNetworkInterfaces',
      // Lambda attaches the function to the subnets through these; EC2 authorizes the Describe calls on `*` only.
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));
    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: `GET http://${props.serviceAddress}:${APP_PORT}/ must answer the app greeting`,
      runtime: lambdaNodeRuntime(),
      role,
      architecture: lambda.Architecture.ARM_64,
      handler: 'handler.handler',
      code: lambda.Code.fromAsset(path.join(__dirname), { exclude: ['*.ts'] }),
      timeout: Duration.seconds(90),
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      logGroup,
      environment: {
        SERVICE_URL: `http://${props.serviceAddress}:${APP_PORT}/`,
        EXPECTED_BODY: APP_GREETING,
      },
    });
    this.function.addPermission('InvokedByToolchain', {
      principal: new iam.AccountPrincipal(props.invokerAccount),
      action: 'lambda:InvokeFunction',
    });
  }
}
