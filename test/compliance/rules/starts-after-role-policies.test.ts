import { type App, type Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { findingsOf, newStack } from './run-pack';
import { waitForRolePolicies } from '../../../src/iam/wait-for-policies';

const RULE = 'StartsAfterRolePolicies';

/** The rule's findings once the app is synthesized: construct dependencies become DependsOn only then. */
function findingsAfterSynth(stack: Stack): string[] {
  (stack.node.root as App).synth({ force: true });
  return findingsOf(stack, RULE);
}

function pipelineFixture() {
  const stack = newStack();
  const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'app');
  const source = new codepipeline.Artifact();
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    stages: [
      { stageName: 'Source', actions: [new actions.CodeCommitSourceAction({ actionName: 'Source', repository, output: source, trigger: actions.CodeCommitTrigger.NONE })] },
      { stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve' })] },
    ],
  });
  return { stack, pipeline };
}

describe(`PlatformChecks-${RULE}`, () => {
  test('a pipeline fails until it waits for its action roles\' policies: its first run starts when it is created', () => {
    const { stack, pipeline } = pipelineFixture();
    // aws-cdk-lib makes the pipeline wait for its own role's policy, not for its actions'.
    expect(findingsAfterSynth(stack)).toEqual([expect.stringMatching(/^PlatformChecks-StartsAfterRolePolicies\[DependsOn::PipelineSourceCodePipelineActionRoleDefaultPolicy\w+\]$/)]);
    waitForRolePolicies(pipeline);
    expect(findingsAfterSynth(stack)).toEqual([]);
  });

  test('a role known only by its ARN counts too, through a policy the template attaches to it by name', () => {
    const stack = newStack();
    const policy = new iam.CfnPolicy(stack, 'PipelineRolePolicy', {
      policyName: 'pipeline',
      roles: ['app-pipeline'],
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
    });
    const pipeline = new codepipeline.CfnPipeline(stack, 'Pipeline', {
      roleArn: 'arn:aws:iam::123456789012:role/app-pipeline',
      artifactStore: { type: 'S3', location: 'artifacts' },
      stages: [
        {
          name: 'Source',
          actions: [{
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
            configuration: { S3Bucket: 'sources', S3ObjectKey: 'app.zip', PollForSourceChanges: false },
            outputArtifacts: [{ name: 'app' }],
          }],
        },
        { name: 'Approve', actions: [{ name: 'Approve', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' } }] },
      ],
    });
    expect(findingsAfterSynth(stack)).toEqual(['PlatformChecks-StartsAfterRolePolicies[DependsOn::PipelineRolePolicy]']);
    pipeline.node.addDependency(policy);
    expect(findingsAfterSynth(stack)).toEqual([]);
  });

  test('an ECS service fails until it waits for its execution role\'s policy: its tasks pull and log as that role', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Images', 'app'), 'live') });
    const service = new ecs.FargateService(stack, 'Service', { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }), taskDefinition });
    expect(findingsAfterSynth(stack)).toEqual([expect.stringMatching(/^PlatformChecks-StartsAfterRolePolicies\[DependsOn::TaskExecutionRoleDefaultPolicy\w+\]$/)]);
    service.node.addDependency(taskDefinition.executionRole!.node.findChild('DefaultPolicy'));
    expect(findingsAfterSynth(stack)).toEqual([]);
  });

  test('other resources are not judged', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(findingsAfterSynth(stack)).toEqual([]);
  });
});
