import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG } from '../../src/config';
import { BUILD_COMMANDS, INSTALL_COMMANDS } from '../../src/pipeline/build-commands';
import { sharedSynth, type SynthesizedPlatform } from '../support/synth-app';

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

/** The build spec a CodeBuild action of the meta-pipeline runs. */
function specOf(template: Template, action: Action): any {
  const projectId = action.Configuration.ProjectName.Ref;
  const source = template.toJSON().Resources[projectId].Properties.Source.BuildSpec;
  return JSON.parse(source);
}

describe('meta-pipeline of the example configuration', () => {
  let synth: SynthesizedPlatform;
  let stages: PipelineStage[];
  let template: Template;
  beforeAll(() => {
    synth = sharedSynth('example');
    stages = pipelineStages(synth);
    template = Template.fromJSON(synth.template('DeliveryPipeline'));
  });

  const stage = (name: string) => stages.find((candidate) => candidate.Name === name)!;
  const action = (stageName: string, name: string) => stage(stageName).Actions.find((candidate) => candidate.Name === name)!;

  test('V2 pipeline in the toolchain account and region', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2', Name: 'hello-codepipeline-platform' });
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

  test('stages: source, build, self-mutation, the release, the configured stages in order, then the app pipeline', () => {
    expect(stages.map((candidate) => candidate.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'release', 'dev', 'prod', 'delivery']);
    expect(stages[2].Actions[0].Name).toBe('SelfMutate');
  });

  test('the release: failed first creates are cleared first, and new stages are seeded once it is deployed', () => {
    expect(actionsOf(stage('release'))).toEqual(['1:RecoverFailedCreates', '2:hello-codepipeline-release-Stateful.Deploy', '3:hello-codepipeline-release-Build.Deploy', '4:SeedNewStages']);
  });

  test('dev is checked from inside its VPC after deploying, before prod starts', () => {
    expect(actionsOf(stage('dev'))).toEqual(['1:hello-codepipeline-dev-Service.Deploy', '2:dev-ServiceCheck']);
  });

  test('the GitHub source may use the connection under the prefix of its ARN, and the older one', () => {
    const sourceRole = Object.entries<any>(template.findResources('AWS::IAM::Policy'))
      .map(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .find((statements) => statements.some((statement: any) => [statement.Action].flat().includes('codestar-connections:UseConnection')));
    const onConnection = sourceRole
      .filter((statement: any) => statement.Resource === EXAMPLE_CONFIG.source.connectionArn)
      .flatMap((statement: any) => [statement.Action].flat());
    expect(onConnection.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
  });

  test('prod waits for a manual approval that names dev\'s check, before any of its deploy actions', () => {
    expect(actionsOf(stage('prod'))).toEqual(['1:PromoteTo-prod', '2:hello-codepipeline-prod-Service.Deploy']);
    expect(action('prod', 'PromoteTo-prod').ActionTypeId.Category).toBe('Approval');
    expect(action('prod', 'PromoteTo-prod').Configuration.CustomData).toMatch(/dev-ServiceCheck/);
  });

  test('the app pipeline comes last, when every stage it deploys to exists; then every stack that asks for it is protected', () => {
    expect(actionsOf(stage('delivery'))).toEqual(['1:hello-codepipeline-delivery-Pipeline.Deploy', '2:ProtectStacks']);
  });

  test('RecoverFailedCreates looks at every stack of the platform, each through its account\'s bootstrap deploy role', () => {
    const spec = specOf(template, action('release', 'RecoverFailedCreates'));
    const recovers = spec.phases.build.commands.filter((command: string) => command.startsWith('bash "$STACK_TOOL" recover'));
    const role = (account: string) => `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-eu-west-1`;
    expect(recovers).toEqual([
      `bash "$STACK_TOOL" recover ${role('111111111111')} eu-west-1 hello-codepipeline-release-Stateful`,
      `bash "$STACK_TOOL" recover ${role('111111111111')} eu-west-1 hello-codepipeline-release-Build`,
      `bash "$STACK_TOOL" recover ${role('222222222222')} eu-west-1 hello-codepipeline-dev-Service`,
      `bash "$STACK_TOOL" recover ${role('333333333333')} eu-west-1 hello-codepipeline-prod-Service`,
      `bash "$STACK_TOOL" recover ${role('111111111111')} eu-west-1 hello-codepipeline-delivery-Pipeline`,
    ]);
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Action === 'sts:AssumeRole' && JSON.stringify(statement.Resource).includes('cdk-hnb659fds-deploy-role'));
    expect(statements.map((statement) => statement.Resource)).toContainEqual([role('111111111111'), role('222222222222'), role('333333333333')]);
  });

  test('ProtectStacks turns termination protection on exactly for the stacks whose retention is "retain"', () => {
    const spec = specOf(template, action('delivery', 'ProtectStacks'));
    const protects = spec.phases.build.commands.filter((command: string) => command.startsWith('bash "$STACK_TOOL" protect'));
    expect(protects.map((command: string) => command.split(' ').at(-1))).toEqual(['hello-codepipeline-release-Stateful', 'hello-codepipeline-release-Build', 'hello-codepipeline-prod-Service', 'hello-codepipeline-delivery-Pipeline']);
    const retained = synth.stacks().filter(({ artifact }) => artifact.terminationProtection).map(({ artifact }) => artifact.stackName);
    // The pipeline's own stack too; the CDK CLI that deploys it (first by hand, then in SelfMutate) sets its protection.
    expect(retained.sort()).toEqual([
      'hello-codepipeline-delivery-Pipeline', 'hello-codepipeline-platform-pipeline', 'hello-codepipeline-prod-Service',
      'hello-codepipeline-release-Build', 'hello-codepipeline-release-Stateful',
    ]);
  });

  test('SeedNewStages seeds dev from the first build and prod from what dev runs, and may only read, tag and build', () => {
    const spec = specOf(template, action('release', 'SeedNewStages'));
    const seeds: string[] = spec.phases.build.commands.filter((command: string) => command.includes('live-'));
    expect(seeds).toHaveLength(2);
    expect(seeds[0]).toContain('first-build hello-codepipeline-image-build https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/hello-codepipeline main');
    expect(seeds[1]).toContain('digest eu-west-1 hello-codepipeline live-dev');
    expect(seeds[1]).toContain('tag eu-west-1 hello-codepipeline "$DIGEST" live-prod');
  });

  test('the synth step runs the project\'s own install and build commands with the pinned CLI, on the project\'s Node', () => {
    const projects = template.findResources('AWS::CodeBuild::Project');
    const synthProject = Object.values(projects).find((project) => JSON.stringify(project.Properties.Source.BuildSpec).includes('projen build'))!;
    const spec = JSON.parse(synthProject.Properties.Source.BuildSpec);
    expect(spec.phases.install.commands).toEqual([...INSTALL_COMMANDS]);
    expect(spec.phases.build.commands).toEqual([...BUILD_COMMANDS]);
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: 24 });
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
    expect(stage('Assets').Actions.length).toBeLessThanOrEqual(2);
  });

  test('failures and approvals are notified, once the topic policy and the CodeStar Notifications service role exist', () => {
    const [[, rule]] = Object.entries<any>(template.findResources('AWS::CodeStarNotifications::NotificationRule'));
    expect(rule.Properties.EventTypeIds).toEqual(['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed']);
    expect(rule.Properties.Name).toBe('hello-codepipeline-platform-notifications');
    const topicPolicy = Object.keys(template.findResources('AWS::SNS::TopicPolicy'))[0];
    const serviceRole = Object.keys(template.findResources('Custom::ServiceLinkedRole'))[0];
    expect(rule.DependsOn).toEqual(expect.arrayContaining([topicPolicy, serviceRole]));
    const create = template.findResources('Custom::ServiceLinkedRole')[serviceRole].Properties.Create;
    expect(JSON.stringify(create)).toContain('codestar-notifications.amazonaws.com');
    // Already there in any account that ever had a notification rule: that is fine.
    expect(JSON.stringify(create)).toContain('InvalidInput');
  });

  test('stage stacks use the configured bootstrap qualifier', () => {
    for (const { path: stackPath, artifact } of synth.stacks().filter(({ path: candidate }) => candidate !== 'DeliveryPipeline')) {
      expect({ stackPath, role: artifact.assumeRoleArn }).toEqual({ stackPath, role: expect.stringContaining(`cdk-hnb659fds-deploy-role-${artifact.environment.account}`) });
    }
  });
});

describe('three stages, one in another region', () => {
  let synth: SynthesizedPlatform;
  let stages: PipelineStage[];
  beforeAll(() => {
    synth = sharedSynth('three-stages');
    stages = pipelineStages(synth);
  });

  test('stages keep their order; approvals and checks where configured', () => {
    expect(stages.map((stage) => stage.Name).slice(4)).toEqual(['release', 'dev', 'staging', 'prod', 'delivery']);
    const approvals = stages.filter((stage) => stage.Actions.some((action) => action.ActionTypeId.Category === 'Approval')).map((stage) => stage.Name);
    expect(approvals).toEqual(['staging', 'prod']);
    const checked = stages.filter((stage) => stage.Actions.some((action) => action.Name.endsWith('-ServiceCheck'))).map((stage) => stage.Name);
    expect(checked).toEqual(['dev']);
  });

  test('a toolchain whose retention is "destroy" leaves the pipeline\'s own stack unprotected, so it can be deleted', () => {
    expect(synth.config.toolchain.retention).toBe('destroy');
    expect(synth.stack('DeliveryPipeline').terminationProtection).toBeFalsy();
  });

  test('each approval points the approver at the check the stage before it has, or says it has none', () => {
    const comment = (stageName: string) => stages.find((stage) => stage.Name === stageName)!.Actions.find((action) => action.ActionTypeId.Category === 'Approval')!.Configuration.CustomData;
    expect(comment('staging')).toMatch(/check that dev-ServiceCheck succeeded/);
    expect(comment('prod')).toBe('Deploy to prod? staging has no post-deploy check: look at staging yourself first.');
  });

  test('the release has a stack of its own in the other region, deployed after the build and before the seed step', () => {
    const release = stages.find((stage) => stage.Name === 'release')!;
    expect(actionsOf(release)).toEqual([
      '1:RecoverFailedCreates',
      '2:hello-codepipeline-release-Stateful.Deploy',
      '3:hello-codepipeline-release-Build.Deploy',
      '4:hello-codepipeline-release-Regional-us-east-1.Deploy',
      '5:SeedNewStages',
    ]);
    expect(synth.stack('release/Regional-us-east-1').environment.region).toBe('us-east-1');
    const delivery = stages.find((stage) => stage.Name === 'delivery')!;
    expect(actionsOf(delivery)[0]).toBe('1:hello-codepipeline-delivery-Pipeline.Deploy');
  });
});
