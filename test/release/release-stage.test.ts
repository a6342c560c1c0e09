import { Template } from 'aws-cdk-lib/assertions';
import { LIVE_TAG_PREFIX } from '../../src/app-contract';
import { sharedSynth, type SynthesizedPlatform } from '../support/synth-app';

function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function onlyResource(template: Template, type: string): [string, any] {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('the release of the example', () => {
  let synth: SynthesizedPlatform;
  let stateful: Template;
  let build: Template;
  beforeAll(() => {
    synth = sharedSynth('example');
    stateful = Template.fromJSON(synth.template('release/Stateful'));
    build = Template.fromJSON(synth.template('release/Build'));
  });

  test('lives in the toolchain account and region', () => {
    for (const stackPath of ['release/Stateful', 'release/Build']) {
      expect(synth.stack(stackPath).environment).toMatchObject({ account: '111111111111', region: 'eu-west-1' });
    }
  });

  test('one CodeCommit repository, named after the app, seeded from container/ on the configured branch', () => {
    const [, repository] = onlyResource(stateful, 'AWS::CodeCommit::Repository');
    expect(repository.Properties.RepositoryName).toBe('hello-codepipeline');
    expect(repository.Properties.Code.BranchName).toBe('main');
    expect(repository.Properties.Code.S3).toBeDefined();
  });

  test('ECR: scan on push, KMS, immutable commit tags with live-<stage> as the only exception, bounded lifecycle', () => {
    const [, { Properties: repository }] = onlyResource(stateful, 'AWS::ECR::Repository');
    expect(repository.RepositoryName).toBe('hello-codepipeline');
    expect(repository.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(repository.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS' });
    expect(repository.ImageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(repository.ImageTagMutabilityExclusionFilters).toEqual([{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: `${LIVE_TAG_PREFIX}*` }]);
    const rules = JSON.parse(repository.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules.some((rule: any) => rule.selection.countType === 'imageCountMoreThan' && rule.selection.countNumber === 50)).toBe(true);
    // Every image a stage runs is selected first, so the count rule can never expire one.
    expect(rules[0]).toMatchObject({ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: [`${LIVE_TAG_PREFIX}*`] } });
    expect(rules[0].selection.countNumber).toBeGreaterThan(synth.config.stages.length);
  });

  test('the repository lets exactly the stages\' task execution roles pull, from their own accounts, and nothing else', () => {
    const [, { Properties: repository }] = onlyResource(stateful, 'AWS::ECR::Repository');
    expect(repository.RepositoryPolicyText.Statement).toEqual([{
      Sid: 'StageTasksPull',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Principal: { AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'] },
      // The roles do not exist yet when the release is deployed: a condition, not a principal ECR would check.
      Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/hello-codepipeline-dev-execution', 'arn:aws:iam::333333333333:role/hello-codepipeline-prod-execution'] } },
    }]);
  });

  // Renaming any of these ids replaces the resource, and with it the git history, the images or the artifacts of past releases.
  test.each([
    ['AWS::CodeCommit::Repository', ['SourceRepository74575110']],
    ['AWS::ECR::Repository', ['ImagesRepository2D0F5B9C']],
    ['AWS::S3::Bucket', ['ArtifactsAccessLogs4D97777C', 'ArtifactsD26CF9E8']],
    ['AWS::KMS::Key', ['ArtifactsKeyA4B22E2B']],
  ])('%s keeps logical ids %j', (type, logicalIds) => {
    expect(Object.keys(stateful.findResources(type)).sort()).toEqual(logicalIds);
  });

  test('the toolchain retains them ("retain"), but not after a failed first create, and asks for termination protection', () => {
    for (const type of ['AWS::CodeCommit::Repository', 'AWS::ECR::Repository', 'AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values<any>(stateful.findResources(type))) {
        expect({ type, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy })
          .toEqual({ type, deletion: 'RetainExceptOnCreate', replace: 'Retain' });
      }
    }
    expect(synth.stack('release/Stateful').terminationProtection).toBe(true);
  });

  test('one image build, named for the seed step and the app pipeline, ARM64 like the tasks, privileged for docker', () => {
    const [, { Properties: project }] = onlyResource(build, 'AWS::CodeBuild::Project');
    expect(project.Name).toBe('hello-codepipeline-image-build');
    expect(project.Environment.Type).toBe('ARM_CONTAINER');
    expect(project.Environment.PrivilegedMode).toBe(true);
    expect(project.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] });
    expect(project.LogsConfig.CloudWatchLogs.Status).toBe('ENABLED');
    const variables = Object.fromEntries(project.Environment.EnvironmentVariables.map((variable: any) => [variable.Name, variable.Value]));
    expect(variables.IMAGE_REGIONS).toBe('eu-west-1');
    // The release repository's URI as a literal: the seed step starts the project outside any pipeline or stack.
    expect(variables.IMAGE_REPOSITORY_URI).toBe('111111111111.dkr.ecr.eu-west-1.amazonaws.com/hello-codepipeline');
    const spec = JSON.parse(project.Source.BuildSpec);
    for (const phase of ['pre_build', 'build', 'post_build']) expect(spec.phases[phase]['on-failure']).toBe('ABORT');
    expect(spec.env['exported-variables']).toEqual(['IMAGE_TAG', 'IMAGE_DIGEST', 'COMMIT_ID']);
  });

  test('the image build role may push to the release repository and read the app repository, under its fixed name', () => {
    const [roleId, role] = resourcesOf(build, 'AWS::IAM::Role').find(([, candidate]) => candidate.Properties.RoleName === 'hello-codepipeline-image-build')!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'codebuild.amazonaws.com' });
    const statements: any[] = resourcesOf(build, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:DescribeImages', 'codecommit:GitPull']));
    expect(actions).not.toContain('ecr:*');
  });

  test('the app pipeline\'s role exists before any stage, with no permission of its own yet', () => {
    const [, role] = resourcesOf(build, 'AWS::IAM::Role').find(([, candidate]) => candidate.Properties.RoleName === 'hello-codepipeline-release-pipeline')!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' } }]);
    expect(role.Properties.Policies).toBeUndefined();
    expect(JSON.stringify(build.findResources('AWS::IAM::Policy'))).not.toContain('hello-codepipeline-release-pipeline');
  });
});

describe('a stage in another region', () => {
  let synth: SynthesizedPlatform;
  beforeAll(() => { synth = sharedSynth('three-stages'); });

  test('gets a copy of the repository in its region, in the toolchain account, that its tasks may pull from', () => {
    const regional = synth.stack('release/Regional-us-east-1');
    expect(regional.environment).toMatchObject({ account: '111111111111', region: 'us-east-1' });
    const [, { Properties: repository }] = onlyResource(Template.fromJSON(regional.template), 'AWS::ECR::Repository');
    expect(repository.RepositoryName).toBe('hello-codepipeline');
    expect(repository.RepositoryPolicyText.Statement[0].Condition.ArnEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::222222222222:role/hello-codepipeline-staging-execution']);
    // The home region's repository serves only the stages of its region.
    const home = onlyResource(Template.fromJSON(synth.template('release/Stateful')), 'AWS::ECR::Repository')[1];
    expect(home.Properties.RepositoryPolicyText.Statement[0].Condition.ArnEquals['aws:PrincipalArn']).not.toContain('arn:aws:iam::222222222222:role/hello-codepipeline-staging-execution');
  });

  test('its tasks pull from that copy: the endpoint of its VPC reaches no other region', () => {
    const task = Object.values<any>(synth.template('staging/Service').Resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
    expect(JSON.stringify(task.Properties.ContainerDefinitions[0].Image)).toContain('111111111111.dkr.ecr.us-east-1.');
    expect(JSON.stringify(task.Properties.ContainerDefinitions[0].Image)).toContain(':live-staging');
  });

  test('the image build writes image definitions for both regions', () => {
    const [, { Properties: project }] = onlyResource(Template.fromJSON(synth.template('release/Build')), 'AWS::CodeBuild::Project');
    const regions = project.Environment.EnvironmentVariables.find((variable: any) => variable.Name === 'IMAGE_REGIONS').Value;
    expect(regions.split(' ').sort()).toEqual(['eu-west-1', 'us-east-1']);
  });
});
