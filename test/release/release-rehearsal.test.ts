import { imageBuildSpec } from '../../src/release/image-build-spec';
import { runAppPipeline } from '../support/rehearsal/app-pipeline-run';
import { CENTRAL_URI, COMMIT, DOCKERHUB_PASSWORD, HOME, imageProject, pushes, REPOSITORY, stepSpec, TAG, TOOLCHAIN, Workspace } from '../support/rehearsal/rehearsal-workspace';
import { optionValue } from '../support/rehearsal/stand-ins';
import { sharedSynth, type SynthesizedPlatform } from '../support/synth-app';

/*
 * Rehearses the release, as synthesized, in bash with stand-in `aws`, `docker` and `curl`: the image build,
 * the app pipeline from a push to the last stage, and the meta-pipeline's seed step. What they actually do,
 * not what their text says.
 */

describe('the image build', () => {
  let synth: SynthesizedPlatform;
  let workspace: Workspace;
  beforeAll(() => { synth = sharedSynth('three-stages'); });
  beforeEach(() => { workspace = new Workspace(synth); });
  afterEach(() => workspace.dispose());

  test('builds and pushes the commit once, then names it by digest, in image definitions for each region with a stage', () => {
    const run = workspace.buildImage(COMMIT);

    expect(run).toSucceed();
    expect(pushes(workspace.standIns.calls())).toEqual([`${CENTRAL_URI}:${TAG}`]);
    const digest = workspace.standIns.digestOf(HOME, REPOSITORY, TAG)!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.exportedVariables).toEqual({ IMAGE_TAG: TAG, IMAGE_DIGEST: digest, COMMIT_ID: COMMIT });
    expect(workspace.outputsOf(run)).toEqual({
      'imagedefinitions-eu-west-1.json': [{ name: 'app', imageUri: `${TOOLCHAIN}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}@${digest}` }],
      'imagedefinitions-us-east-1.json': [{ name: 'app', imageUri: `${TOOLCHAIN}.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}@${digest}` }],
    });
    const login = workspace.standIns.calls('docker').find((call) => call.args[0] === 'login')!;
    expect(login.args).toEqual(['login', '--username', 'AWS', '--password-stdin', `${TOOLCHAIN}.dkr.ecr.${HOME}.amazonaws.com`]);
  });

  test('a failed docker build pushes nothing and writes no image definitions', () => {
    const run = workspace.buildImage(COMMIT, { STANDIN_DOCKER_BUILD_FAILS: '1' });

    expect(run.succeeded).toBe(false);
    expect(run.phasesRun).not.toContain('post_build');
    expect(pushes(workspace.standIns.calls())).toEqual([]);
    expect(workspace.outputsOf(run)).toEqual({});
  });

  test('a commit already built is not rebuilt or pushed again, and is still released by its digest', () => {
    const digest = workspace.standIns.seedImage(HOME, REPOSITORY, TAG, 'an earlier build of this commit');
    const run = workspace.buildImage(COMMIT);

    expect(run).toSucceed();
    expect(workspace.standIns.calls('docker').filter((call) => ['build', 'push'].includes(call.args[0]))).toEqual([]);
    expect(run.exportedVariables.IMAGE_DIGEST).toBe(digest);
  });

  test('two builds of one commit racing: the second takes the image the first pushed instead of failing on the immutable tag', () => {
    expect(workspace.buildImage(COMMIT)).toSucceed();
    const first = workspace.standIns.digestOf(HOME, REPOSITORY, TAG);
    // The second build looked before the first pushed, and builds other bytes (builds are not reproducible).
    const second = workspace.buildImage(COMMIT, { STANDIN_ECR_FIRST_LOOK_MISSES: '1', STANDIN_DOCKER_BUILD_SALT: 'second' });

    expect(second).toSucceed();
    expect(second.stdout).toContain('docker push failed');
    expect(second.exportedVariables.IMAGE_DIGEST).toBe(first);
    expect(workspace.standIns.digestOf(HOME, REPOSITORY, TAG)).toBe(first);
  });

  test('a build without a commit id tags the image with the build number', () => {
    const run = workspace.buildImage('');

    expect(run).toSucceed();
    expect(pushes(workspace.standIns.calls())).toEqual([`${CENTRAL_URI}:build-7`]);
  });

  test.each([
    ['SSM parameters', { usernameParameterName: '/dockerhub/username', passwordParameterName: '/dockerhub/password' }, { '/dockerhub/username': 'hub-user', '/dockerhub/password': DOCKERHUB_PASSWORD }],
    ['a Secrets Manager secret', { secretsManagerSecretName: 'dockerhub' }, { 'dockerhub:username': 'hub-user', 'dockerhub:password': DOCKERHUB_PASSWORD }],
  ])('with Docker Hub credentials in %s, the password reaches docker login on stdin only', (_, credentials, secrets) => {
    const run = workspace.run(imageBuildSpec(credentials), {
      ...imageProject(synth).variables, SOURCE_COMMIT_ID: COMMIT, STANDIN_DOCKERHUB_USERNAME: 'hub-user', STANDIN_DOCKERHUB_PASSWORD: DOCKERHUB_PASSWORD,
    }, { resolvedSecrets: secrets });

    expect(run).toSucceed();
    const calls = workspace.standIns.calls();
    const hubLogin = calls.find((call) => call.tool === 'docker' && call.args[0] === 'login' && call.args.includes('hub-user'))!;
    expect(hubLogin.args).toEqual(['login', '--username', 'hub-user', '--password-stdin']);
    expect(hubLogin.stdin).toBe(DOCKERHUB_PASSWORD);
    expect(calls.filter((call) => call.line.includes(DOCKERHUB_PASSWORD))).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(DOCKERHUB_PASSWORD);
  });

  test('without Docker Hub credentials the synthesized build has no Docker Hub login and no secret sections', () => {
    const spec = imageProject(synth).spec as any;
    expect(spec.env['parameter-store']).toBeUndefined();
    expect(spec.env['secrets-manager']).toBeUndefined();
    expect(JSON.stringify(spec)).not.toMatch(/DOCKERHUB/);
  });
});

describe('a release through the app pipeline of three stages (dev, staging in us-east-1, prod)', () => {
  let synth: SynthesizedPlatform;
  beforeAll(() => { synth = sharedSynth('three-stages'); });

  /** A workspace where every stage runs an older release, as after an earlier push; returns that release's digest. */
  const previousRelease = (workspace: Workspace): string => {
    const before = workspace.standIns.seedImage(HOME, REPOSITORY, 'abcdef0', 'the previous release');
    for (const stage of synth.config.stages) {
      workspace.standIns.seedImage(stage.region, REPOSITORY, `live-${stage.name}`, 'the previous release');
    }
    workspace.standIns.seedImage('us-east-1', REPOSITORY, 'abcdef0', 'the previous release');
    return before;
  };

  const release = (workspace: Workspace, options: { checkAnswers?: object; approve?: (stage: string) => boolean } = {}) => {
    workspace.standIns.lambdaAnswers('hello-codepipeline-dev-check', options.checkAnswers ?? { ok: true, url: 'http://app.dev.internal:8080/', version: TAG, attempt: 1 });
    return runAppPipeline({
      synth,
      standIns: workspace.standIns,
      workDir: workspace.root,
      sourceDir: workspace.sourceDir,
      commitId: COMMIT,
      projectVariables: { IMAGE_REPOSITORY_URI: CENTRAL_URI },
      approve: options.approve,
    });
  };

  // One release that goes all the way, looked at from several sides; the last test releases the commit again.
  describe('approved everywhere', () => {
    let workspace: Workspace;
    let before: string;
    let run: ReturnType<typeof release>;
    beforeAll(() => {
      workspace = new Workspace(synth);
      before = previousRelease(workspace);
      run = release(workspace);
    });
    afterAll(() => workspace.dispose());

    test('one commit is built once and the very same digest reaches every stage, each from its own region', () => {
      expect(run.succeeded).toBe(true);
      const digest = workspace.standIns.digestOf(HOME, REPOSITORY, TAG)!;
      expect(digest).not.toBe(before);
      expect(run.deployed).toEqual({
        dev: `${TOOLCHAIN}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}@${digest}`,
        staging: `${TOOLCHAIN}.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}@${digest}`,
        prod: `${TOOLCHAIN}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}@${digest}`,
      });
      expect(workspace.standIns.calls('docker').filter((call) => call.args[0] === 'build')).toHaveLength(1);
      // Byte for byte in staging's region: the same manifest, and every blob it names.
      expect(workspace.standIns.manifest('us-east-1', REPOSITORY, digest)).toEqual(workspace.standIns.manifest(HOME, REPOSITORY, digest));
      const manifest = JSON.parse(workspace.standIns.manifest(HOME, REPOSITORY, digest)!.toString());
      for (const blob of [manifest.config.digest, ...manifest.layers.map((layer: any) => layer.digest)]) expect(workspace.standIns.hasBlob('us-east-1', REPOSITORY, blob)).toBe(true);
      for (const stage of synth.config.stages) expect(workspace.standIns.digestOf(stage.region, REPOSITORY, `live-${stage.name}`)).toBe(digest);
    });

    test('each approval names the digest, the commit and what the stage before it reported', () => {
      const digest = workspace.standIns.digestOf(HOME, REPOSITORY, TAG)!;

      expect(run.approvals.staging).toBe(`Release ${digest} (commit ${COMMIT}, tag ${TAG}) to staging? dev's check: answered http://app.dev.internal:8080/ (app version ${TAG}, attempt 1).`);
      expect(run.approvals.prod).toBe(`Release ${digest} (commit ${COMMIT}, tag ${TAG}) to prod? staging has no post-deploy check.`);
    });

    test('releasing the same commit again builds nothing, copies nothing and moves no tag', () => {
      expect(run.succeeded).toBe(true);
      const callsBefore = workspace.standIns.calls().length;

      expect(release(workspace).succeeded).toBe(true);
      const again = workspace.standIns.calls().slice(callsBefore);
      expect(again.filter((call) => call.tool === 'docker' && ['build', 'push'].includes(call.args[0]))).toEqual([]);
      expect(again.filter((call) => ['put-image', 'upload-layer-part'].includes(call.args[1]))).toEqual([]);
    });
  });

  describe('refused before prod', () => {
    let workspace: Workspace;
    let before: string;
    let run: ReturnType<typeof release>;
    beforeAll(() => {
      workspace = new Workspace(synth);
      before = previousRelease(workspace);
      run = release(workspace, { approve: (stage) => stage !== 'prod' });
    });
    afterAll(() => workspace.dispose());

    test('a refused approval stops before that stage', () => {
      expect(Object.keys(run.deployed)).toEqual(['dev', 'staging']);
      expect(workspace.standIns.digestOf(HOME, REPOSITORY, 'live-prod')).toBe(before);
    });

    test('an infrastructure deploy afterwards runs, in every stage, the digest the release gave it', () => {
      for (const stage of synth.config.stages) {
        // What CloudFormation registers when a later infrastructure change replaces the task definition.
        const task = Object.values<any>(synth.template(`${stage.name}/Service`).Resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
        const image: string = task.Properties.ContainerDefinitions[0].Image['Fn::Join'][1].filter((part: unknown) => typeof part === 'string').join('amazonaws.com');
        const [, region, repository, tag] = image.match(/^\d{12}\.dkr\.ecr\.([\w-]+)\.amazonaws\.com\/([\w-]+):([\w-]+)$/)!;
        const runs = workspace.standIns.digestOf(region, repository, tag);
        const deployed = run.deployed[stage.name]?.split('@')[1] ?? before;
        expect({ stage: stage.name, runs }).toEqual({ stage: stage.name, runs: deployed });
      }
    });
  });

  test('a failed check stops the release: later stages keep what they ran, and nobody is asked to approve', () => {
    const workspace = new Workspace(synth);
    try {
      const before = previousRelease(workspace);
      const run = release(workspace, { checkAnswers: { errorMessage: 'http://app.dev.internal:8080/ did not answer "Hello CodePipeline." after 10 attempts: HTTP 503', errorType: 'Error' } });

      expect(run.succeeded).toBe(false);
      expect(Object.keys(run.deployed)).toEqual(['dev']);
      expect(run.approvals).toEqual({});
      const check = run.actions.find((action) => action.stage === 'dev' && action.action === 'ServiceCheck')!;
      expect(check.succeeded).toBe(false);
      expect(check.build!.stdout).toContain('FAILED: http://app.dev.internal:8080/ did not answer');
      expect(workspace.standIns.digestOf('us-east-1', REPOSITORY, 'live-staging')).toBe(before);
      expect(workspace.standIns.digestOf(HOME, REPOSITORY, 'live-prod')).toBe(before);
    } finally {
      workspace.dispose();
    }
  });
});

describe('the seed step of the meta-pipeline', () => {
  let synth: SynthesizedPlatform;
  let workspace: Workspace;
  let spec: unknown;
  beforeAll(() => {
    synth = sharedSynth('three-stages');
    spec = stepSpec(synth, 'SeedNewStages');
  });
  beforeEach(() => { workspace = new Workspace(synth); });
  afterEach(() => workspace.dispose());

  /** The image build on the app repository's branch, as the step starts it: the test builds it for real. */
  const firstBuild = () => {
    const build = workspace.buildImage(COMMIT);
    expect(build).toSucceed();
    return build.exportedVariables.IMAGE_DIGEST;
  };

  test('a new platform: the first stage starts with the first build, and each next stage with what the one before runs', () => {
    const digest = firstBuild();
    const run = workspace.run(spec, { STANDIN_BUILD_STATUS: 'SUCCEEDED', STANDIN_BUILD_DIGEST: digest, STANDIN_ECR_PART_SIZE: '64' });

    expect(run).toSucceed();
    const start = workspace.standIns.calls('aws').find((call) => call.args[1] === 'start-build')!;
    expect(optionValue(start.args, '--project-name')).toBe('hello-codepipeline-image-build');
    expect(optionValue(start.args, '--source-type-override')).toBe('CODECOMMIT');
    expect(optionValue(start.args, '--source-location-override')).toBe('https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/hello-codepipeline');
    expect(optionValue(start.args, '--source-version')).toBe('main');
    // With the source overridden, CodeBuild would look for a buildspec.yml in the app repository: the project's spec comes along.
    expect(optionValue(start.args, '--buildspec-override')).toBe(imageProject(synth).rawSpec);
    // It waits for the build to end instead of trusting the first answer (in progress).
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'batch-get-builds').length).toBeGreaterThanOrEqual(3);
    expect(workspace.standIns.digestOf(HOME, REPOSITORY, 'live-dev')).toBe(digest);
    expect(workspace.standIns.digestOf('us-east-1', REPOSITORY, 'live-staging')).toBe(digest);
    expect(workspace.standIns.manifest('us-east-1', REPOSITORY, digest)).toEqual(workspace.standIns.manifest(HOME, REPOSITORY, digest));
    // Parts of 64 bytes: a layer larger than that arrives in several consecutive parts.
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'upload-layer-part').length).toBeGreaterThan(2);
    expect(workspace.standIns.digestOf(HOME, REPOSITORY, 'live-prod')).toBe(digest);
  });

  test.each([
    ['fails in a phase', 'FAILED', 'BUILD', 'COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1'],
    ['cannot fetch its source', 'FAILED', 'DOWNLOAD_SOURCE', 'CLIENT_ERROR: repository not found for primary source'],
    ['times out', 'TIMED_OUT', 'BUILD', 'Build has timed out.'],
    ['is stopped', 'STOPPED', 'BUILD', 'Build was stopped.'],
  ])('a first build that %s fails the step at once, naming the build, the phase and its log, and seeds nothing', (_, status, phase, message) => {
    const run = workspace.run(spec, { STANDIN_BUILD_STATUS: status, STANDIN_BUILD_FAILED_PHASE: phase, STANDIN_BUILD_FAILURE_MESSAGE: message });

    expect(run.succeeded).toBe(false);
    expect(run.stderr).toContain('image build hello-codepipeline-image-build:00000000-standin');
    expect(run.stderr).toContain(`${phase}\t${status}\t${message}`);
    expect(run.stderr).toContain('https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/projects/hello-codepipeline-image-build/build/hello-codepipeline-image-build:00000000-standin/log');
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'put-image')).toEqual([]);
    // One look in progress, one at the end: no waiting for a timeout.
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'batch-get-builds' && optionValue(call.args, '--query') === 'builds[0].buildStatus')).toHaveLength(2);
  });

  test('an image whose layer is larger than ECR\'s upload part (10 MiB) is copied whole, part after part', () => {
    const running = workspace.standIns.seedImage(HOME, REPOSITORY, 'live-dev', 'what dev runs', 11 * 1024 * 1024);
    workspace.standIns.seedImage(HOME, REPOSITORY, 'live-prod', 'what prod runs');
    const run = workspace.run(spec, {});

    expect(run).toSucceed();
    expect(workspace.standIns.digestOf('us-east-1', REPOSITORY, 'live-staging')).toBe(running);
    const manifest = JSON.parse(workspace.standIns.manifest(HOME, REPOSITORY, running)!.toString());
    for (const blob of [manifest.config.digest, ...manifest.layers.map((layer: any) => layer.digest)]) expect(workspace.standIns.hasBlob('us-east-1', REPOSITORY, blob)).toBe(true);
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'upload-layer-part').map((call) => optionValue(call.args, '--part-first-byte')))
      .toEqual(['0', '0', String(10 * 1024 * 1024)]);
  });

  test('stages that run something are left alone; a stage added later starts with what the stage before it runs', () => {
    const running = workspace.standIns.seedImage(HOME, REPOSITORY, 'live-dev', 'what dev runs');
    workspace.standIns.seedImage(HOME, REPOSITORY, 'live-prod', 'what prod runs');
    // A newer build exists, but staging must start with what dev runs, not with the newest image.
    workspace.standIns.seedImage(HOME, REPOSITORY, 'fedcba9', 'a newer build nobody deployed');
    const run = workspace.run(spec, {});

    expect(run).toSucceed();
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'start-build')).toEqual([]);
    expect(workspace.standIns.digestOf('us-east-1', REPOSITORY, 'live-staging')).toBe(running);
    expect(workspace.standIns.digestOf(HOME, REPOSITORY, 'live-dev')).toBe(running);
    expect(workspace.standIns.calls('aws').filter((call) => call.args[1] === 'put-image').map((call) => optionValue(call.args, '--region'))).toEqual(['us-east-1']);
  });
});
