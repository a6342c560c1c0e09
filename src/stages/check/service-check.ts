import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaNodeRuntime } from '../../toolchain/node-runtime';
import { APP_GREETING, APP_PORT } from '../app-constants';

export interface ServiceCheckProps {
  readonly functionName: string;
  readonly vpc: ec2.IVpc;
  readonly serviceAddress: string;
  /** The account whose pipeline invokes the check after deploying the stage. */
  readonly invokerAccount: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly logEncryptionKey: kms.IKey;
}

/**
 * A function in the stage's private subnets that proves the service answers its greeting on its stable
 * address. The meta-pipeline invokes it after deploying the stage; a failure stops the promotion.
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
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy, encryptionKey: props.logEncryptionKey });
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
