import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG, type PlatformConfigInput } from '../../src/config';
import { BUILD_COMMANDS, INSTALL_COMMANDS } from '../../src/pipeline/build-commands';
import { exampleSynth, type SynthesizedPlatform, synthPlatform } from '../support/synth-app';

interface Action { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: any }
interface PipelineStage { Name: string; Actions: Action[] }

function pipelineStages(synth: SynthesizedPlatform): PipelineStage[] {
  const pipelines = Template.fromJSON(synth.template('DeliveryPipeline')).findResources('AWS::CodePipeline::Pipeline');
  const [pipeline] = Object.values(pipelines);
  return pipeline.Properties.Stages;
}

/** The stage's actions in execution order: by RunOrder, then name. */
function actionsOf(stage: PipelineStage): string[] {
  return [...stage.Actions].sort((a, b) => a.RunOrder - b.RunOrder || a.Name.localeCompare(b.Name)).map((action) => `${action.RunOrder}:${action.Name}`);
}

/** Three stages, all in the toolchain account: both shapes a user may choose, in one synth. */
const THREE_STAGES_ONE_ACCOUNT: PlatformConfigInput = {
  ...EXAMPLE_CONFIG,
  stages: [
    { ...EXAMPLE_CONFIG.stages[0], account: EXAMPLE_CONFIG.toolchain.account },
    { ...EXAMPLE_CONFIG.stages[1], name: 'staging', account: EXAMPLE_CONFIG.toolchain.account, requiresApproval: false, postDeployCheck: true, appRepository: { name: 'hello-codepipeline' } },
    { ...EXAMPLE_CONFIG.stages[1], account: EXAMPLE_CONFIG.toolchain.account },
  ],
};

describe('meta-pipeline of the example configuration', () => {
  let synth: SynthesizedPlatform;
  let stages: PipelineStage[];
  let template: Template;
  beforeAll(() => {
    synth = exampleSynth();
    stages = pipelineStages(synth);
    template = Template.fromJSON(synth.template('DeliveryPipeline'));
  });

  test('V2 pipeline in the toolchain account and region', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2', Name: 'fargate-delivery-platform' });
    const artifact = synth.assembly.getStackArtifact('DeliveryPipeline');
    expect(artifact.environment).toMatchObject({ account: '111111111111', region: 'eu-west-1' });
  });

  test('source is the CodeConnections connection on the configured repository and branch', () => {
    const source = stages[0].Actions[0];
    expect(source.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
    expect(source.Configuration).toMatchObject({
      ConnectionArn: EXAMPLE_CONFIG.source.connectionArn,
      FullRepositoryId: EXAMPLE_CONFIG.source.repository,
      BranchName: 'main',
    });
  });

  test('stages: source, build, self-mutation, then the configured stages in order', () => {
    expect(stages.map((stage) => stage.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'dev', 'prod']);
    expect(stages[2].Actions[0].Name).toBe('SelfMutate');
  });

  test('dev is checked from inside its VPC after deploying, before prod starts', () => {
    const dev = actionsOf(stages[4]);
    expect(dev[dev.length - 1]).toMatch(/:dev-ServiceCheck$/);
    expect(dev.filter((name) => /Deploy/.test(name)).length).toBeGreaterThan(0);
  });

  test('prod waits for a manual approval before any of its deploy actions', () => {
    const prod = [...stages[5].Actions].sort((a, b) => a.RunOrder - b.RunOrder);
    expect(prod[0].ActionTypeId.Category).toBe('Approval');
    expect(prod[0].Name).toBe('PromoteTo-prod');
    const firstDeploy = prod.find((action) => action.ActionTypeId.Category === 'Deploy')!;
    expect(firstDeploy.RunOrder).toBeGreaterThan(prod[0].RunOrder);
    expect(prod[0].Configuration.CustomData).toMatch(/dev-ServiceCheck/);
  });

  test('the synth step runs the project\'s own install and build commands with the pinned CLI', () => {
    const projects = template.findResources('AWS::CodeBuild::Project');
    const synthProject = Object.values(projects).find((project) => project.Properties.Description?.includes('Synth'))
      ?? Object.values(projects).find((project) => JSON.stringify(project.Properties.Source.BuildSpec).includes('projen build'))!;
    const spec = JSON.parse(synthProject.Properties.Source.BuildSpec);
    expect(spec.phases.install.commands).toEqual([...INSTALL_COMMANDS]);
    expect(spec.phases.build.commands).toEqual([...BUILD_COMMANDS]);
    expect(spec.artifacts['secondary-artifacts']).toBeDefined();
    const selfMutation = Object.values(projects).find((project) => JSON.stringify(project.Properties.Source.BuildSpec).includes('cdk -a'))!;
    const locked = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package-lock.json'), 'utf8')).packages['node_modules/aws-cdk'].version;
    expect(JSON.stringify(selfMutation.Properties.Source.BuildSpec)).toContain(`aws-cdk@${locked}`);
  });

  test('artifact bucket is encrypted with a rotating KMS key; assets publish through one project', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineArtifactsBucketEncryptionKey'), 'Arn'] } } }] },
    });
    expect(stages[3].Actions.length).toBeLessThanOrEqual(2);
  });

  test('failures and approvals are notified', () => {
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed'],
    });
  });

  test('stage stacks use the configured bootstrap qualifier', () => {
    const dev = synth.assembly.getNestedAssembly('assembly-DeliveryPipeline-dev').stacks;
    for (const stack of dev) expect(stack.assumeRoleArn).toContain('cdk-hnb659fds-deploy-role-222222222222');
  });
});

describe('three stages in a single account', () => {
  let synth: SynthesizedPlatform;
  let stages: PipelineStage[];
  beforeAll(() => {
    synth = synthPlatform(THREE_STAGES_ONE_ACCOUNT);
    stages = pipelineStages(synth);
  });

  test('stages keep their order; only prod asks for approval; dev and staging are checked', () => {
    expect(stages.map((stage) => stage.Name).slice(4)).toEqual(['dev', 'staging', 'prod']);
    const approvals = stages.filter((stage) => stage.Actions.some((action) => action.ActionTypeId.Category === 'Approval')).map((stage) => stage.Name);
    expect(approvals).toEqual(['prod']);
    const checked = stages.filter((stage) => stage.Actions.some((action) => action.Name.endsWith('-ServiceCheck'))).map((stage) => stage.Name);
    expect(checked).toEqual(['dev', 'staging']);
    const prod = stages.find((stage) => stage.Name === 'prod')!;
    expect(prod.Actions.find((action) => action.ActionTypeId.Category === 'Approval')!.Configuration.CustomData).toMatch(/staging-ServiceCheck/);
  });

  test('every stage stack deploys to the toolchain account', () => {
    const accounts = synth.assembly.nestedAssemblies.flatMap((nested) => nested.nestedAssembly.stacks.map((stack) => stack.environment.account));
    expect(accounts).toHaveLength(6);
    expect(new Set(accounts)).toEqual(new Set(['111111111111']));
  });
});
