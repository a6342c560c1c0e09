import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

export interface Assemblies {
  readonly root: string;
  readonly base: string;
  readonly head: string;
  /** A second, independent synthesis of the base app, for the no-change case. */
  readonly baseAgain: string;
}

/**
 * Two real cloud assemblies of a CDK Pipelines-like shape (stacks inside a
 * Stage, so templates sit in a nested `assembly-Prod/` directory).
 */
export function synthAssemblies(): Assemblies {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-diff-'));
  const base = path.join(root, 'base');
  const head = path.join(root, 'head');
  const baseAgain = path.join(root, 'base-again');
  synth(base, false);
  synth(head, true);
  synth(baseAgain, false);
  return { root, base, head, baseAgain };
}

function synth(outdir: string, isHead: boolean): void {
  // Template validation is not under test here and would triple the synth time.
  const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: false });
  const stage = new Stage(app, 'Prod');
  buildStackA(new Stack(stage, 'A'), isHead);
  if (isHead) {
    const topic = new sns.Topic(new Stack(stage, 'C'), 'Alerts');
    topic.grantPublish(new iam.ServicePrincipal('events.amazonaws.com'));
  } else {
    new sqs.Queue(new Stack(stage, 'B'), 'Jobs');
  }
  app.synth();
}

function buildStackA(stack: Stack, isHead: boolean): void {
  const bucket = new s3.Bucket(stack, 'Data', { versioned: isHead });
  const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'] });
  const sg = new ec2.SecurityGroup(stack, 'Web', { vpc });
  if (isHead) {
    new sns.Topic(stack, 'Events');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    // A role's first grant: a trust statement, and a new default policy with a statement and a `Roles` attachment.
    bucket.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(8080));
    new ec2.CfnSecurityGroupIngress(stack, 'AdminHttps', {
      groupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '198.51.100.0/24',
    });
  } else {
    new sqs.Queue(stack, 'Scratch');
  }
}
