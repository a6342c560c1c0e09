import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { imageBuildSpec } from '../../src/stages/delivery/image-build-spec';
import { promoteSpec } from '../../src/stages/delivery/promote-spec';
import { runBuildSpec, type BuildSpecRun } from '../support/rehearsal/run-build-spec';
import { optionValue, StandIns, type StandInCall } from '../support/rehearsal/stand-ins';
import { exampleSynth } from '../support/synth-app';

/*
 * Rehearses the image build and the promote build specs, as synthesized, in bash with stand-in `aws`, `docker`
 * and `curl`: what a pipeline run, a first-image build and a promote actually do, not what their text says.
 */

const REGION = 'eu-west-1';
const REGISTRY = `222222222222.dkr.ecr.${REGION}.amazonaws.com`;
const REPOSITORY = 'hello-codepipeline';
const REPOSITORY_URI = `${REGISTRY}/${REPOSITORY}`;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const TAG = '0123456';
const SIGNAL_URL = 'https://example.invalid/signal';
const DOCKERHUB_PASSWORD = 's3cr3t-hub-pass';
const OLDER_MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:older"},"layers":[]}';
const DEPLOYED_MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:deployed"},"layers":[]}';

type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

interface Rehearsal {
  readonly imageSpec: Record<string, unknown>;
  readonly promoteSpecInTemplate: Record<string, unknown>;
  readonly containerName: string;
  readonly taskImage: unknown;
  readonly deployFileName: string;
  readonly imageProjectVariables: Record<string, string>;
  readonly promoteProjectVariables: Record<string, string>;
  readonly buildActionVariables: Record<string, string>;
  readonly promoteActionVariables: Record<string, string>;
  readonly mutableTags: string[];
  readonly allTemplates: Array<{ name: string; template: Template }>;
}

// The rehearsals are only as good as the emulator's CodeBuild semantics, so those are pinned down here.
describe('the build spec emulator', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'build-spec-emulator-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (phases: Record<string, unknown>, environment: Record<string, string> = {}, env: Record<string, unknown> = {}) =>
    runBuildSpec({ spec: { version: '0.2', env: { shell: 'bash', ...env }, phases }, sourceDir: dir, environment });

  test('variables carry across commands and phases, and the environment wins over env.variables', () => {
    const result = run(
      { pre_build: { commands: ['A=one', 'mkdir sub && cd sub'] }, build: { commands: ['echo "$A $(basename "$PWD") $B $C"'] } },
      { B: 'project' },
      { variables: { B: 'spec', C: 'spec' } },
    );
    expect(result.stdout).toBe('one sub project spec\n');
  });

  test('a failed build phase still runs post_build, which sees CODEBUILD_BUILD_SUCCEEDING=0', () => {
    const result = run({ build: { commands: ['false', 'echo skipped'], finally: ['echo "finally $CODEBUILD_BUILD_SUCCEEDING"'] }, post_build: { commands: ['echo "post $CODEBUILD_BUILD_SUCCEEDING"'] } });
    expect(result.stdout).toBe('finally 0\npost 0\n');
    expect(result.phases).toEqual([{ name: 'build', succeeded: false, failedCommand: 'false' }, { name: 'post_build', succeeded: true }]);
    expect(result.succeeded).toBe(false);
  });

  test('a failed pre_build ends the build after its finally block, ABORT ends it from any phase, CONTINUE goes on', () => {
    expect(run({ pre_build: { commands: ['false'], finally: ['echo cleanup'] }, build: { commands: ['echo build'] } }).stdout).toBe('cleanup\n');
    expect(run({ build: { 'on-failure': 'ABORT', 'commands': ['false'] }, post_build: { commands: ['echo post'] } }).phasesRun).toEqual(['build']);
    expect(run({ pre_build: { 'on-failure': 'CONTINUE', 'commands': ['false'] }, build: { commands: ['echo build'] } }).stdout).toBe('build\n');
  });

  test('exit ends only its own command, with its status', () => {
    expect(run({ build: { commands: ['exit 0', 'echo next'] } }).stdout).toBe('next\n');
    expect(run({ build: { commands: ['exit 3', 'echo next'] } }).phases).toEqual([{ name: 'build', succeeded: false, failedCommand: 'exit 3' }]);
  });

  test('a secret with no value fails the build before any phase', () => {
    const result = run({ build: { commands: ['echo ran'] } }, {}, { 'parameter-store': { P: '/missing' } });
    expect(result).toEqual(expect.objectContaining({ succeeded: false, phasesRun: [], stdout: '' }));
  });
});

let rehearsal: Rehearsal;

// One synth for every test that reads the templates: it takes tens of seconds.
describe('the dev stage as synthesized', () => {
  beforeAll(() => {
    const synth = exampleSynth();
    const service: Template = synth.template('dev/Service');
    const stateful: Template = synth.template('dev/Stateful');

    const projects = resourcesOf(service, 'AWS::CodeBuild::Project');
    const imageProject = single(projects.filter((project) => String(project.Source.BuildSpec).includes('imagedefinitions.json')), 'image build project');
    const promoteProject = single(projects.filter((project) => String(project.Source.BuildSpec).includes('put-image')), 'promote project');
    const containers: any[] = single(resourcesOf(service, 'AWS::ECS::TaskDefinition'), 'task definition').ContainerDefinitions;
    const actions = resourcesOf(service, 'AWS::CodePipeline::Pipeline').flatMap((pipeline) => pipeline.Stages.flatMap((stage: any) => stage.Actions));
    const action = (provider: string, projectRef?: string) => single(actions.filter((candidate: any) =>
      candidate.ActionTypeId.Provider === provider && (projectRef === undefined || candidate.Configuration.ProjectName?.Ref === projectRef)), `${provider} action`);
    const repository = single(resourcesOf(stateful, 'AWS::ECR::Repository').filter((candidate) => candidate.RepositoryName === REPOSITORY), 'image repository');

    rehearsal = {
      // BuildSpec.fromObject renders the spec as JSON in the template.
      imageSpec: JSON.parse(imageProject.Source.BuildSpec),
      promoteSpecInTemplate: JSON.parse(promoteProject.Source.BuildSpec),
      containerName: single(containers, 'container').Name,
      taskImage: single(containers, 'container').Image,
      deployFileName: action('ECS').Configuration.FileName,
      imageProjectVariables: concreteProjectVariables(imageProject, { IMAGE_REPOSITORY_URI: REPOSITORY_URI }),
      promoteProjectVariables: concreteProjectVariables(promoteProject, { IMAGE_REPOSITORY_NAME: REPOSITORY }),
      buildActionVariables: actionVariables(action('CodeBuild', logicalIdOf(service, imageProject))),
      promoteActionVariables: actionVariables(action('CodeBuild', logicalIdOf(service, promoteProject))),
      mutableTags: repository.ImageTagMutability === 'IMMUTABLE_WITH_EXCLUSION'
        ? repository.ImageTagMutabilityExclusionFilters.map((filter: any) => filter.ImageTagMutabilityExclusionFilterValue)
        : repository.ImageTagMutability === 'MUTABLE' ? ['*'] : [],
      allTemplates: synth.assembly.stacksRecursively.map((stack) => ({ name: stack.hierarchicalId, template: stack.template })),
    };
  }, 600_000);

  describe('the synthesized build specs', () => {
    test('the image definitions name the container the task definition runs, in the file the deploy action reads', () => {
      const spec = rehearsal.imageSpec as any;
      expect(spec.env.variables.CONTAINER_NAME).toBe(rehearsal.containerName);
      expect(spec.artifacts.files).toEqual([rehearsal.deployFileName]);
    });

    test('the task definition runs the tag a first-image build publishes', () => {
      const spec = rehearsal.imageSpec as any;
      const image = rehearsal.taskImage as any;
      const lastPart: unknown = typeof image === 'string' ? image : image['Fn::Join'][1].at(-1);
      expect(lastPart).toEqual(expect.stringMatching(new RegExp(`:${spec.env.variables.LIVE_TAG}$`)));
    });

    test('the promote project runs promoteSpec()', () => {
      expect(rehearsal.promoteSpecInTemplate).toEqual(promoteSpec());
    });

    test('without Docker Hub credentials the build has no Docker Hub login and no secret sections', () => {
      const spec = rehearsal.imageSpec as any;
      expect(spec.env['parameter-store']).toBeUndefined();
      expect(spec.env['secrets-manager']).toBeUndefined();
      expect(JSON.stringify(spec)).not.toMatch(/DOCKERHUB/);
    });

    test('no CodeBuild variable in any stack carries a secret-looking name in plain text', () => {
      const offenders = rehearsal.allTemplates.flatMap(({ name, template }) => codeBuildVariables(template)
        .filter((variable) => (variable.type ?? 'PLAINTEXT') === 'PLAINTEXT' && /PASSWORD|SECRET|TOKEN/i.test(variable.name))
        .map((variable) => `${name}: ${variable.name}`));
      expect(offenders).toEqual([]);
    });
  });

  describe('rehearsal of the image build', () => {
    let workspace: Workspace;
    beforeEach(() => { workspace = new Workspace(); });
    afterEach(() => workspace.dispose());

    test('a pipeline run logs in to ECR, builds and pushes the commit tag, and writes the image definitions', () => {
      const run = workspace.buildImage(pipelineRun(COMMIT));

      expect(run).toSucceed();
      expect(run.phasesRun).toEqual(['pre_build', 'build', 'post_build']);
      const calls = workspace.standIns.calls();
      const login = indexOf(calls, 'aws ecr get-login-password');
      expect(calls[login].args).toEqual(['ecr', 'get-login-password', '--region', REGION]);
      const dockerLogins = calls.filter((call) => call.tool === 'docker' && call.args[0] === 'login');
      // One login, to ECR: without Docker Hub credentials the build does not log in to Docker Hub.
      expect(dockerLogins.map((call) => call.args)).toEqual([['login', '--username', 'AWS', '--password-stdin', REGISTRY]]);
      expect(dockerLogins[0].stdin?.trim()).toBe('fake-ecr-token');

      const build = calls[indexOf(calls, 'docker build')];
      expect(optionValue(build.args, '--tag')).toBe(`${REPOSITORY_URI}:${TAG}`);
      expect(buildArgs(build)).toEqual(expect.objectContaining({ APP_COMMIT_ID: COMMIT, APP_IMAGE_TAG: TAG }));
      expect(build.args[build.args.length - 1]).toBe('.');
      expect(indexOf(calls, 'docker login')).toBeLessThan(indexOf(calls, `docker push ${REPOSITORY_URI}:${TAG}`));

      expect(pushes(calls)).toEqual([`${REPOSITORY_URI}:${TAG}`]);
      expect(workspace.standIns.digest(REPOSITORY, TAG)).toBeDefined();
      expect(workspace.imageDefinitions()).toEqual([{ name: rehearsal.containerName, imageUri: `${REPOSITORY_URI}:${TAG}` }]);
      expect(run.exportedVariables).toEqual({ IMAGE_TAG: TAG, IMAGE_URI: `${REPOSITORY_URI}:${TAG}` });
      expect(workspace.standIns.calls('curl')).toEqual([]);
    });

    test('a failed docker build fails the build, pushes nothing and writes no image definitions', () => {
      const run = workspace.buildImage({ ...pipelineRun(COMMIT), STANDIN_DOCKER_BUILD_FAILS: '1' });

      expect(run.succeeded).toBe(false);
      expect(run.status).not.toBe(0);
      expect(run.phases.find((phase) => phase.name === 'build')?.failedCommand).toMatch(/docker build/);
      expect(run.phasesRun).not.toContain('post_build');
      expect(pushes(workspace.standIns.calls())).toEqual([]);
      expect(workspace.hasImageDefinitions()).toBe(false);
    });

    test('a build without a source version tags the image with the build number', () => {
      const run = workspace.buildImage({ ...pipelineRun(''), CODEBUILD_BUILD_NUMBER: '42' });

      expect(run).toSucceed();
      const build = workspace.standIns.calls('docker').find((call) => call.args[0] === 'build')!;
      expect(optionValue(build.args, '--tag')).toBe(`${REPOSITORY_URI}:build-42`);
      expect(buildArgs(build)).toEqual(expect.objectContaining({ APP_IMAGE_TAG: 'build-42' }));
      expect(pushes(workspace.standIns.calls())).toEqual([`${REPOSITORY_URI}:build-42`]);
      expect(workspace.imageDefinitions()).toEqual([{ name: rehearsal.containerName, imageUri: `${REPOSITORY_URI}:build-42` }]);
    });

    test('a first-image build publishes the commit tag and live, then signals success with the tag', () => {
      const run = workspace.buildImage(firstImageBuild());

      expect(run).toSucceed();
      const calls = workspace.standIns.calls();
      expect(pushes(calls)).toEqual([`${REPOSITORY_URI}:${TAG}`, `${REPOSITORY_URI}:live`]);
      expect(workspace.standIns.digest(REPOSITORY, 'live')).toBe(workspace.standIns.digest(REPOSITORY, TAG));

      const signals = workspace.standIns.calls('curl');
      expect(signals).toHaveLength(1);
      expect(signals[0].args[signals[0].args.length - 1]).toBe(SIGNAL_URL);
      expect(optionValue(signals[0].args, '--request')).toBe('PUT');
      expect(JSON.parse(optionValue(signals[0].args, '--data-binary')!)).toEqual(expect.objectContaining({ Status: 'SUCCESS', UniqueId: expect.any(String), Data: TAG }));
      // The stack goes on to create the service once signalled, so the image must already be there.
      expect(calls.findIndex((call) => call.tool === 'curl')).toBeGreaterThan(indexOf(calls, `docker push ${REPOSITORY_URI}:live`));
    });

    test('a failed first-image build signals failure at once and pushes nothing', () => {
      const run = workspace.buildImage({ ...firstImageBuild(), STANDIN_DOCKER_BUILD_FAILS: '1' });

      expect(run.succeeded).toBe(false);
      expect(pushes(workspace.standIns.calls())).toEqual([]);
      expect(workspace.hasImageDefinitions()).toBe(false);
      const signals = workspace.standIns.calls('curl');
      expect(signals).toHaveLength(1);
      expect(signals[0].args[signals[0].args.length - 1]).toBe(SIGNAL_URL);
      expect(JSON.parse(optionValue(signals[0].args, '--data-binary')!)).toEqual(expect.objectContaining({ Status: 'FAILURE', UniqueId: expect.any(String) }));
    });

    test('a first-image build that cannot log in to ECR signals failure and builds nothing', () => {
      const run = workspace.buildImage({ ...firstImageBuild(), STANDIN_ECR_LOGIN_FAILS: '1' });

      expect(run.succeeded).toBe(false);
      expect(run.phasesRun).toEqual(['pre_build']);
      expect(workspace.standIns.calls('docker').filter((call) => call.args[0] !== 'login')).toEqual([]);
      const signals = workspace.standIns.calls('curl');
      expect(signals.map((call) => JSON.parse(optionValue(call.args, '--data-binary')!).Status)).toEqual(['FAILURE']);
    });

    test('a commit already in the repository is not rebuilt or pushed again, and is still deployed', () => {
      workspace.standIns.seedImage(REPOSITORY, TAG, DEPLOYED_MANIFEST);
      const run = workspace.buildImage(pipelineRun(COMMIT));

      expect(run).toSucceed();
      const docker = workspace.standIns.calls('docker');
      expect(docker.filter((call) => call.args[0] === 'build')).toEqual([]);
      expect(pushes(docker)).toEqual([]);
      expect(workspace.standIns.manifest(REPOSITORY, TAG)?.toString()).toBe(DEPLOYED_MANIFEST);
      expect(workspace.imageDefinitions()).toEqual([{ name: rehearsal.containerName, imageUri: `${REPOSITORY_URI}:${TAG}` }]);
    });

    test.each([
      ['SSM parameters', { usernameParameterName: '/dockerhub/username', passwordParameterName: '/dockerhub/password' }, { '/dockerhub/username': 'hub-user', '/dockerhub/password': DOCKERHUB_PASSWORD }],
      ['a Secrets Manager secret', { secretsManagerSecretName: 'dockerhub' }, { 'dockerhub:username': 'hub-user', 'dockerhub:password': DOCKERHUB_PASSWORD }],
    ])('with Docker Hub credentials in %s, the password reaches docker login on stdin only', (_, credentials, secrets) => {
      const spec = imageBuildSpec(credentials);
      const run = workspace.buildImage(
        { ...pipelineRun(COMMIT), STANDIN_DOCKERHUB_USERNAME: 'hub-user', STANDIN_DOCKERHUB_PASSWORD: DOCKERHUB_PASSWORD },
        { spec, resolvedSecrets: secrets },
      );

      expect(run).toSucceed();
      const calls = workspace.standIns.calls();
      const hubLogin = single(calls.filter((call) => call.tool === 'docker' && call.args[0] === 'login' && call.args.includes('hub-user')), 'Docker Hub login');
      // No server argument: docker logs in to Docker Hub.
      expect(hubLogin.args).toEqual(['login', '--username', 'hub-user', '--password-stdin']);
      expect(hubLogin.stdin).toBe(DOCKERHUB_PASSWORD);
      expect(calls.findIndex((call) => call.line === hubLogin.line)).toBeLessThan(indexOf(calls, 'docker build'));
      expect(calls.filter((call) => call.line.includes(DOCKERHUB_PASSWORD))).toEqual([]);
      expect(run.stdout).not.toContain(DOCKERHUB_PASSWORD);
      expect(run.stderr).not.toContain(DOCKERHUB_PASSWORD);
    });
  });

  describe('rehearsal of the promote build', () => {
    let workspace: Workspace;
    beforeEach(() => { workspace = new Workspace(); });
    afterEach(() => workspace.dispose());

    /** A pipeline run whose image build pushed TAG while `live` still names an older image. */
    function afterImageBuild(): Record<string, string> {
      workspace.standIns.seedImage(REPOSITORY, 'live', OLDER_MANIFEST);
      const build = workspace.buildImage(pipelineRun(COMMIT));
      expect(build).toSucceed();
      return build.exportedVariables;
    }

    test('after a deploy, live is moved onto the deployed image by copying its manifest', () => {
      const run = workspace.promote(afterImageBuild());

      expect(run).toSucceed();
      const aws = workspace.standIns.calls('aws');
      const put = single(aws.filter((call) => call.args[1] === 'put-image'), 'put-image');
      expect(optionValue(put.args, '--repository-name')).toBe(REPOSITORY);
      expect(optionValue(put.args, '--image-tag')).toBe('live');
      expect(optionValue(put.args, '--image-manifest')).toBe('file://manifest.json');
      expect(optionValue(put.args, '--image-manifest-media-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
      expect(optionValue(put.args, '--image-digest')).toBe(workspace.standIns.digest(REPOSITORY, TAG));
      expect(workspace.standIns.manifest(REPOSITORY, 'live')?.toString()).toBe(workspace.standIns.manifest(REPOSITORY, TAG)?.toString());
    });

    // `--output text` ends the manifest with a newline; ECR digests exact bytes, so it must be dropped.
    test('after a deploy, live names exactly the deployed image digest', () => {
      workspace.promote(afterImageBuild());

      expect(workspace.standIns.digest(REPOSITORY, 'live')).toBe(workspace.standIns.digest(REPOSITORY, TAG));
    });

    // `exit 0` would end only that command in CodeBuild; the copy must be skipped by the build spec itself.
    test('when live already names the deployed image, the promote succeeds without touching the registry', () => {
      workspace.standIns.seedImage(REPOSITORY, TAG, DEPLOYED_MANIFEST);
      workspace.standIns.seedImage(REPOSITORY, 'live', DEPLOYED_MANIFEST);
      const run = workspace.promote({ IMAGE_TAG: TAG });

      expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'put-image')).toEqual([]);
      expect(run).toSucceed();
    });

    // A retried or re-run pipeline promotes the same image again.
    test('promoting the same image twice, as a retried pipeline does, succeeds both times', () => {
      const buildNamespace = afterImageBuild();
      expect(workspace.promote(buildNamespace)).toSucceed();

      expect(workspace.promote(buildNamespace)).toSucceed();
    });

    test('without an image tag the promote fails before calling AWS', () => {
      workspace.standIns.seedImage(REPOSITORY, 'live', OLDER_MANIFEST);
      const run = workspace.promote({ IMAGE_TAG: '' });

      expect(run.succeeded).toBe(false);
      expect(run.status).not.toBe(0);
      expect(workspace.standIns.calls()).toEqual([]);
      expect(workspace.standIns.manifest(REPOSITORY, 'live')?.toString()).toBe(OLDER_MANIFEST);
    });
  });
});

interface ImageBuildOptions {
  readonly spec?: Record<string, unknown>;
  readonly resolvedSecrets?: Record<string, string>;
}

/** A temporary source checkout plus stand-ins, torn down after each test. */
class Workspace {
  public readonly root = mkdtempSync(path.join(tmpdir(), 'build-spec-rehearsal-'));
  public readonly sourceDir = path.join(this.root, 'src');
  public readonly standIns = StandIns.install(this.root);

  public constructor() {
    mkdirSync(this.sourceDir);
    writeFileSync(path.join(this.sourceDir, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/node:22-alpine\n');
  }

  /** Runs the image build spec (the synthesized one unless given) the way the image build project would. */
  public buildImage(variables: Record<string, string | undefined>, options: ImageBuildOptions = {}): BuildSpecRun {
    return this.run(options.spec ?? rehearsal.imageSpec, { ...rehearsal.imageProjectVariables, ...variables }, options.resolvedSecrets);
  }

  /** Runs promoteSpec() with the project's variables and the pipeline action's, from the Build namespace given. */
  public promote(buildNamespace: Record<string, string>): BuildSpecRun {
    const fromAction = resolvePipelineVariables(rehearsal.promoteActionVariables, prefixed('Build', buildNamespace));
    return this.run(promoteSpec(), { ...rehearsal.promoteProjectVariables, ...fromAction });
  }

  public hasImageDefinitions(): boolean {
    return existsSync(path.join(this.sourceDir, 'imagedefinitions.json'));
  }

  public imageDefinitions(): unknown {
    return JSON.parse(readFileSync(path.join(this.sourceDir, 'imagedefinitions.json'), 'utf8'));
  }

  public dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private run(spec: unknown, variables: Record<string, string | undefined>, resolvedSecrets?: Record<string, string>): BuildSpecRun {
    const environment: Record<string, string> = {
      // What CodeBuild itself provides to every build.
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      CODEBUILD_BUILD_ID: 'rehearsal:00000000-0000-0000-0000-000000000000',
      CODEBUILD_BUILD_NUMBER: '7',
      ...this.standIns.environment(rehearsal.mutableTags),
    };
    for (const [name, value] of Object.entries(variables)) {
      if (value !== undefined) environment[name] = value;
    }
    return runBuildSpec({ spec, sourceDir: this.sourceDir, environment, resolvedSecrets, pathPrefix: [this.standIns.binDir] });
  }
}

/** The variables of a pipeline run: the build action's, resolved against the source action's outputs. */
function pipelineRun(commitId: string): Record<string, string> {
  return resolvePipelineVariables(rehearsal.buildActionVariables, { 'Source.CommitId': commitId });
}

/** The overrides the stage's first-image custom resource starts the build with, from a branch of the source repository. */
function firstImageBuild(): Record<string, string> {
  return { PUBLISH_LIVE_TAG: 'true', FIRST_IMAGE_SIGNAL_URL: SIGNAL_URL, CODEBUILD_RESOLVED_SOURCE_VERSION: COMMIT };
}

function resourcesOf(template: Template, type: string): any[] {
  return Object.values(template.Resources).filter((resource) => resource.Type === type).map((resource) => resource.Properties ?? {});
}

function logicalIdOf(template: Template, properties: unknown): string {
  return Object.entries(template.Resources).find(([, resource]) => resource.Properties === properties)![0];
}

function single<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0];
}

/** A project's variables with concrete values for the test; a variable the test has no value for fails it. */
function concreteProjectVariables(project: any, values: Record<string, string>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const variable of project.Environment.EnvironmentVariables ?? []) {
    if (!(variable.Name in values)) throw new Error(`no rehearsal value for the project variable ${variable.Name}`);
    variables[variable.Name] = values[variable.Name];
  }
  return variables;
}

/** A CodeBuild action's variables, with their `#{Namespace.Variable}` references still in. */
function actionVariables(action: any): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const variable of parseActionVariables(action.Configuration.EnvironmentVariables)) {
    if (variable.type !== 'PLAINTEXT') throw new Error(`the rehearsal resolves only PLAINTEXT action variables, ${variable.name} is ${variable.type}`);
    variables[variable.name] = variable.value;
  }
  return variables;
}

function resolvePipelineVariables(variables: Record<string, string>, namespaces: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, value.replace(/#\{([\w.]+)\}/g, (_, reference: string) => {
    if (!(reference in namespaces)) throw new Error(`no rehearsal value for the pipeline variable ${reference}`);
    return namespaces[reference];
  })]));
}

function prefixed(namespace: string, variables: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [`${namespace}.${name}`, value]));
}

/** Every CodeBuild variable a template sets: on projects, and on pipeline actions (a JSON string, maybe joined with tokens). */
function codeBuildVariables(template: Template): Array<{ name: string; type?: string }> {
  const onProjects = resourcesOf(template, 'AWS::CodeBuild::Project')
    .flatMap((project) => (project.Environment?.EnvironmentVariables ?? []).map((variable: any) => ({ name: variable.Name, type: variable.Type })));
  const onActions = resourcesOf(template, 'AWS::CodePipeline::Pipeline')
    .flatMap((pipeline) => pipeline.Stages.flatMap((stage: any) => stage.Actions))
    .filter((action: any) => action.Configuration?.EnvironmentVariables !== undefined)
    .flatMap((action: any) => parseActionVariables(action.Configuration.EnvironmentVariables));
  return [...onProjects, ...onActions];
}

function parseActionVariables(value: unknown): Array<{ name: string; type: string; value: string }> {
  if (typeof value === 'string') return JSON.parse(value);
  const join = (value as any)?.['Fn::Join'];
  if (!join) throw new Error(`unexpected action variables ${JSON.stringify(value)}`);
  // Tokens only ever stand for values inside the JSON text; a placeholder keeps it parseable.
  return JSON.parse(join[1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]));
}

function indexOf(calls: readonly StandInCall[], prefix: string): number {
  const at = calls.findIndex((call) => call.line.startsWith(prefix));
  if (at === -1) throw new Error(`no call starting with "${prefix}" among:\n${calls.map((call) => call.line).join('\n')}`);
  return at;
}

function pushes(calls: readonly StandInCall[]): string[] {
  return calls.filter((call) => call.tool === 'docker' && call.args[0] === 'push').map((call) => call.args[1]);
}

function buildArgs(call: StandInCall): Record<string, string> {
  const args: Record<string, string> = {};
  call.args.forEach((arg, index) => {
    if (arg !== '--build-arg') return;
    const [name, ...value] = call.args[index + 1].split('=');
    args[name] = value.join('=');
  });
  return args;
}

expect.extend({
  toSucceed(run: BuildSpecRun) {
    const pass = run.succeeded && run.status === 0;
    return {
      pass,
      message: () => (pass
        ? 'expected the build to fail'
        : `expected the build to succeed; it ran ${JSON.stringify(run.phases)}${run.error ? ` (${run.error})` : ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`),
    };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toSucceed(): R;
    }
  }
}
