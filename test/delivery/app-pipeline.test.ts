import { Template } from 'aws-cdk-lib/assertions';
import { stageNames } from '../../src/config/physical-names';
import { sharedSynth, type SynthesizedPlatform } from '../support/synth-app';
import type { TestConfigName } from '../support/test-configs';

interface Action {
  Name: string;
  RunOrder: number;
  Region?: string;
  RoleArn?: unknown;
  Namespace?: string;
  ActionTypeId: { Category: string; Provider: string };
  Configuration?: Record<string, any>;
}
interface PipelineStage { Name: string; Actions: Action[] }

/** Every resource of a type in every stack of the assembly, with the stack it is in. */
function everywhere(synth: SynthesizedPlatform, type: string): Array<{ stack: string; id: string; resource: any }> {
  return synth.stacks().flatMap(({ path, artifact }) => Object.entries<any>(artifact.template.Resources ?? {})
    .filter(([, resource]) => resource.Type === type).map(([id, resource]) => ({ stack: path, id, resource })));
}

function appPipelineOf(synth: SynthesizedPlatform): { stages: PipelineStage[]; resource: any } {
  const pipelines = everywhere(synth, 'AWS::CodePipeline::Pipeline').filter(({ stack }) => stack !== 'DeliveryPipeline');
  expect(pipelines.map(({ stack }) => stack)).toEqual(['delivery/Pipeline']);
  return { stages: pipelines[0].resource.Properties.Stages, resource: pipelines[0].resource };
}

function environmentOf(action: Action): Record<string, string> {
  return Object.fromEntries(JSON.parse(action.Configuration!.EnvironmentVariables).map((variable: any) => [variable.name, variable.value]));
}

/** The actions of a stage in the order they run: by RunOrder, then by name. */
function inOrder(stage: PipelineStage): Action[] {
  return [...stage.Actions].sort((a, b) => a.RunOrder - b.RunOrder || a.Name.localeCompare(b.Name));
}

describe.each<[TestConfigName, string]>([
  ['one-stage', 'one stage, one account'],
  ['example', 'two stages, three accounts'],
  ['single-account', 'two stages, one account'],
  ['three-stages', 'three stages, two stage accounts, one stage in another region'],
])('the app pipeline of %s (%s)', (name) => {
  let synth: SynthesizedPlatform;
  let stages: PipelineStage[];
  let pipelineTemplate: Template;
  beforeAll(() => {
    synth = sharedSynth(name);
    stages = appPipelineOf(synth).stages;
    pipelineTemplate = Template.fromJSON(synth.template('delivery/Pipeline'));
  });

  test('one CodeCommit repository and one image build in the whole assembly', () => {
    expect(everywhere(synth, 'AWS::CodeCommit::Repository').map(({ stack }) => stack)).toEqual(['release/Stateful']);
    const imageBuilds = everywhere(synth, 'AWS::CodeBuild::Project').filter(({ resource }) => String(resource.Properties.Source.BuildSpec).includes('docker build'));
    expect(imageBuilds.map(({ stack, resource }) => `${stack}: ${resource.Properties.Name}`)).toEqual(['release/Build: hello-codepipeline-image-build']);
  });

  test('a push to the repository\'s branch is built once, then the stages follow in the configured order', () => {
    expect(stages.map((stage) => stage.Name)).toEqual(['Source', 'Build', ...synth.config.stages.map((stage) => stage.name)]);
    expect(stages[0].Actions.map((action) => [action.ActionTypeId.Provider, action.Configuration])).toEqual([
      ['CodeCommit', { RepositoryName: 'hello-codepipeline', BranchName: 'main', PollForSourceChanges: false }],
    ]);
    expect(stages[1].Actions.map((action) => [action.ActionTypeId.Provider, action.Configuration!.ProjectName])).toEqual([['CodeBuild', 'hello-codepipeline-image-build']]);
    expect(stages[1].Actions[0].Namespace).toBe('Build');
    const builds = stages.flatMap((stage) => stage.Actions).filter((action) => action.Configuration?.ProjectName === 'hello-codepipeline-image-build');
    expect(builds).toHaveLength(1);
  });

  test('each stage deploys the build\'s image definitions for its region, with the ECS standard deploy action, as its own deploy role', () => {
    synth.config.stages.forEach((stageConfig, index) => {
      const stage = stages[index + 2];
      const deploys = stage.Actions.filter((action) => action.ActionTypeId.Provider === 'ECS');
      expect(deploys).toHaveLength(1);
      const names = stageNames('hello-codepipeline', stageConfig.name);
      expect(deploys[0].Configuration).toEqual({
        ClusterName: names.cluster,
        ServiceName: names.service,
        FileName: `imagedefinitions-${stageConfig.region}.json`,
        DeploymentTimeout: 30,
      });
      expect(deploys[0].RoleArn).toBe(`arn:aws:iam::${stageConfig.account}:role/${names.deployRole}`);
      expect(deploys[0].Region ?? 'eu-west-1').toBe(stageConfig.region);
    });
  });

  test('after a deploy, the stage\'s live tag moves to the same digest; the check, where configured, runs beside it', () => {
    synth.config.stages.forEach((stageConfig, index) => {
      const actions = inOrder(stages[index + 2]);
      const deploy = actions.find((action) => action.ActionTypeId.Provider === 'ECS')!;
      const markLive = actions.find((action) => action.Name === 'MarkLive')!;
      expect(markLive.RunOrder).toBeGreaterThan(deploy.RunOrder);
      expect(environmentOf(markLive)).toEqual({ REGION: stageConfig.region, LIVE_TAG: `live-${stageConfig.name}`, IMAGE_DIGEST: '#{Build.IMAGE_DIGEST}' });
      const check = actions.find((action) => action.Name === 'ServiceCheck');
      if (stageConfig.postDeployCheck) {
        expect(check!.RunOrder).toBeGreaterThan(deploy.RunOrder);
        expect(check!.Namespace).toBe(`Check-${stageConfig.name}`);
        expect(environmentOf(check!).FUNCTION_ARN).toBe(`arn:aws:lambda:${stageConfig.region}:${stageConfig.account}:function:hello-codepipeline-${stageConfig.name}-check`);
      } else {
        expect(check).toBeUndefined();
      }
    });
  });

  test('approvals come first in the stages that ask for one, and name the digest, the commit and the previous stage\'s check', () => {
    synth.config.stages.forEach((stageConfig, index) => {
      const actions = inOrder(stages[index + 2]);
      const approvals = actions.filter((action) => action.ActionTypeId.Category === 'Approval');
      if (!stageConfig.requiresApproval) {
        expect(approvals).toEqual([]);
        return;
      }
      expect(actions[0]).toBe(approvals[0]);
      const text: string = approvals[0].Configuration!.CustomData;
      expect(text).toContain('#{Build.IMAGE_DIGEST}');
      expect(text).toContain('#{Build.COMMIT_ID}');
      const previous = synth.config.stages[index - 1];
      if (previous?.postDeployCheck) expect(text).toContain(`#{Check-${previous.name}.CHECK_RESULT}`);
      else if (previous) expect(text).toContain(`${previous.name} has no post-deploy check`);
    });
  });

  test('a stage outside the toolchain\'s region gets the release copied into its region first, and only such a stage', () => {
    synth.config.stages.forEach((stageConfig, index) => {
      const actions = inOrder(stages[index + 2]);
      const copies = actions.filter((action) => action.Name.startsWith('CopyTo-'));
      if (stageConfig.region === synth.config.toolchain.region) {
        expect(copies).toEqual([]);
        return;
      }
      expect(copies).toHaveLength(1);
      expect(copies[0].RunOrder).toBeLessThan(actions.find((action) => action.ActionTypeId.Provider === 'ECS')!.RunOrder);
      expect(environmentOf(copies[0])).toEqual({ TARGET_REGION: stageConfig.region, IMAGE_DIGEST: '#{Build.IMAGE_DIGEST}', IMAGE_TAG: '#{Build.IMAGE_TAG}' });
    });
  });

  test('the pipeline runs as the role the release created, and is created only once that role\'s policy and its action roles\' are attached', () => {
    const { resource } = appPipelineOf(synth);
    expect(resource.Properties.RoleArn).toBe('arn:aws:iam::111111111111:role/hello-codepipeline-release-pipeline');
    const policies = pipelineTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: ['hello-codepipeline-release-pipeline'] } });
    expect(Object.keys(policies)).toHaveLength(1);
    // Creating the pipeline starts its first run; every role that run acts as must already have its rights.
    const roles = pipelineTemplate.findResources('AWS::IAM::Role');
    const actionRolePolicies = Object.entries<any>(pipelineTemplate.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref && roles[role.Ref] && role.Ref.includes('CodePipelineActionRole')))
      .map(([id]) => id);
    expect(actionRolePolicies.length).toBeGreaterThanOrEqual(3);
    expect([...resource.DependsOn].sort()).toEqual([...Object.keys(policies), ...actionRolePolicies].sort());
  });

  // A role of the toolchain account is granted by its own policy; a role of another account needs the store's too.
  test('the release keeps an artifact store in each stage region; deploy roles of other accounts may read it, the app pipeline read and write', () => {
    const regions = [...new Set(synth.config.stages.map((stage) => stage.region))];
    for (const region of regions) {
      const stackPath = region === 'eu-west-1' ? 'release/Stateful' : `release/Regional-${region}`;
      expect(synth.stack(stackPath).environment).toMatchObject({ account: '111111111111', region });
      const template = Template.fromJSON(synth.template(stackPath));
      const bucket = Object.values<any>(template.findResources('AWS::S3::Bucket')).find((candidate) => candidate.Properties.BucketName);
      expect(bucket.Properties.BucketName).toBe(`hello-codepipeline-111111111111-${region}`);
      expect(Object.values<any>(template.findResources('AWS::KMS::Alias')).map((alias) => alias.Properties.AliasName))
        .toEqual(['alias/hello-codepipeline/release-artifacts']);
      const readers = (type: string, sid: string) => Object.values<any>(template.findResources(type))
        .flatMap((resource) => (resource.Properties.PolicyDocument ?? resource.Properties.KeyPolicy).Statement)
        .filter((statement: any) => statement.Sid === sid)
        .flatMap((statement: any) => statement.Condition.ArnEquals['aws:PrincipalArn']).sort();
      const otherAccountDeployRoles = synth.config.stages
        .filter((stage) => stage.region === region && stage.account !== '111111111111')
        .map((stage) => `arn:aws:iam::${stage.account}:role/hello-codepipeline-${stage.name}-deploy`).sort();
      expect({ stackPath, bucket: readers('AWS::S3::BucketPolicy', 'StageDeployRolesRead'), key: readers('AWS::KMS::Key', 'StageDeployRolesDecrypt') })
        .toEqual({ stackPath, bucket: otherAccountDeployRoles, key: otherAccountDeployRoles });
      if (region !== 'eu-west-1') {
        // The app pipeline's stack knows this store's key by alias only; its role is granted here, where the key's ARN is known.
        const grants = Object.values<any>(template.findResources('AWS::IAM::Policy'));
        expect(grants.map((grant) => grant.Properties.Roles)).toEqual([['hello-codepipeline-release-pipeline']]);
        const granted = JSON.stringify(grants[0].Properties.PolicyDocument);
        expect(granted).toContain('kms:Decrypt');
        expect(granted).toContain('s3:PutObject');
      }
    }
    // The home store's key reaches the app pipeline's stack through a parameter, not a cross-stack export.
    const parameter = Object.values<any>(Template.fromJSON(synth.template('release/Stateful')).findResources('AWS::SSM::Parameter'))
      .find((candidate) => candidate.Properties.Name === '/hello-codepipeline/release/artifact-key-arn');
    expect(parameter.Properties.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] });
    expect(JSON.stringify(pipelineTemplate.toJSON().Parameters)).toContain('/hello-codepipeline/release/artifact-key-arn');
  });

  test('failures and pending approvals are notified, and the rule waits for the topic policy that lets it publish', () => {
    const rules = Object.values<any>(pipelineTemplate.findResources('AWS::CodeStarNotifications::NotificationRule'));
    expect(rules).toHaveLength(1);
    // Named for the app: rule names are unique in an account and region, which two platforms may share.
    expect(rules[0].Properties.Name).toBe(`${synth.config.app.name}-release-notifications`);
    expect(rules[0].Properties.EventTypeIds).toEqual(expect.arrayContaining([
      'codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed',
    ]));
    const topicPolicies = Object.keys(pipelineTemplate.findResources('AWS::SNS::TopicPolicy'));
    expect(topicPolicies).toHaveLength(1);
    expect(rules[0].DependsOn).toContain(topicPolicies[0]);
  });
});
