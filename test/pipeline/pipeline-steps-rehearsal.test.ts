import { HOME, stepSpec, TAG, TOOLCHAIN, Workspace } from '../support/rehearsal/rehearsal-workspace';
import { sharedSynth, type SynthesizedPlatform } from '../support/synth-app';

/*
 * Rehearses the meta-pipeline's recovery, protection and service check steps, as synthesized, in bash with
 * stand-in `aws`: what they actually do, not what their text says.
 */

describe('the recovery and protection steps of the meta-pipeline', () => {
  let synth: SynthesizedPlatform;
  let workspace: Workspace;
  beforeAll(() => { synth = sharedSynth('example'); });
  beforeEach(() => { workspace = new Workspace(synth); });
  afterEach(() => workspace.dispose());

  test('a stack whose first create rolled back is deleted, in its own account, before anything deploys; no other stack is touched', () => {
    workspace.standIns.stack('222222222222', HOME, 'hello-codepipeline-dev-Service', 'ROLLBACK_COMPLETE');
    workspace.standIns.stack('333333333333', HOME, 'hello-codepipeline-prod-Service', 'UPDATE_ROLLBACK_COMPLETE');
    workspace.standIns.stack(TOOLCHAIN, HOME, 'hello-codepipeline-release-Stateful', 'CREATE_COMPLETE');
    const run = workspace.run(stepSpec(synth, 'RecoverFailedCreates'), {});

    expect(run).toSucceed();
    expect(workspace.standIns.stackStatus('222222222222', HOME, 'hello-codepipeline-dev-Service')).toBeUndefined();
    expect(workspace.standIns.stackStatus('333333333333', HOME, 'hello-codepipeline-prod-Service')).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(workspace.standIns.stackStatus(TOOLCHAIN, HOME, 'hello-codepipeline-release-Stateful')).toBe('CREATE_COMPLETE');
    const deletion = workspace.standIns.calls('aws').find((call) => call.args[1] === 'delete-stack')!;
    expect(deletion.assumedAccount).toBe('222222222222');
    expect(run.stdout).toContain('hello-codepipeline-dev-Service (eu-west-1): its first create failed and rolled back; deleting it');
    expect(run.stdout).toContain('hello-codepipeline-delivery-Pipeline (eu-west-1): NONE');
  });

  test('termination protection is turned on for exactly the stacks whose retention is "retain", each in its own account', () => {
    for (const [account, stack] of [[TOOLCHAIN, 'hello-codepipeline-release-Stateful'], [TOOLCHAIN, 'hello-codepipeline-release-Build'], ['222222222222', 'hello-codepipeline-dev-Service'], ['333333333333', 'hello-codepipeline-prod-Service'], [TOOLCHAIN, 'hello-codepipeline-delivery-Pipeline']]) {
      workspace.standIns.stack(account, HOME, stack, 'CREATE_COMPLETE');
    }
    const run = workspace.run(stepSpec(synth, 'ProtectStacks'), {});

    expect(run).toSucceed();
    expect(workspace.standIns.isProtected(TOOLCHAIN, HOME, 'hello-codepipeline-release-Stateful')).toBe(true);
    expect(workspace.standIns.isProtected('333333333333', HOME, 'hello-codepipeline-prod-Service')).toBe(true);
    expect(workspace.standIns.isProtected(TOOLCHAIN, HOME, 'hello-codepipeline-delivery-Pipeline')).toBe(true);
    expect(workspace.standIns.isProtected(TOOLCHAIN, HOME, 'hello-codepipeline-release-Build')).toBe(true);
    expect(workspace.standIns.isProtected('222222222222', HOME, 'hello-codepipeline-dev-Service')).toBe(false);
  });

  test('an account that does not trust the toolchain fails the step with AWS\'s own explanation', () => {
    workspace.standIns.distrust('333333333333');
    const run = workspace.run(stepSpec(synth, 'RecoverFailedCreates'), {});

    expect(run.succeeded).toBe(false);
    expect(run.stderr).toContain('is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1');
  });
});

describe('the service check step', () => {
  let synth: SynthesizedPlatform;
  let workspace: Workspace;
  let spec: unknown;
  beforeAll(() => {
    synth = sharedSynth('example');
    spec = stepSpec(synth, 'dev-ServiceCheck');
  });
  beforeEach(() => { workspace = new Workspace(synth); });
  afterEach(() => workspace.dispose());

  test('passes when the service answered, saying what it answered, after one invocation', () => {
    workspace.standIns.lambdaAnswers('hello-codepipeline-dev-check', { ok: true, url: 'http://app.dev.internal:8080/', version: TAG, attempt: 2 }, 14);
    const run = workspace.run(spec, {});

    expect(run).toSucceed();
    expect(run.stdout).toContain(`Service check: answered http://app.dev.internal:8080/ (app version ${TAG}, attempt 2)`);
    expect(workspace.standIns.invocations('hello-codepipeline-dev-check')).toBe(1);
  });

  test('when the service never answers, the step reports the check\'s own reason after the check\'s full run, invoking it once', () => {
    // The check retries for up to 84 s before it gives up: longer than the CLI's default read timeout.
    workspace.standIns.lambdaAnswers('hello-codepipeline-dev-check', { errorMessage: 'http://app.dev.internal:8080/ did not answer "Hello CodePipeline." after 10 attempts: connect ECONNREFUSED 10.0.3.7:8080', errorType: 'Error' }, 84);
    const run = workspace.run(spec, {});

    expect(run.succeeded).toBe(false);
    expect(run.stdout).toContain('Service check: FAILED: http://app.dev.internal:8080/ did not answer "Hello CodePipeline." after 10 attempts: connect ECONNREFUSED');
    expect(run.stderr).not.toContain('Read timeout');
    expect(workspace.standIns.invocations('hello-codepipeline-dev-check')).toBe(1);
  });

  test('a function Lambda made Inactive while the stage was idle is called again until it runs, and then once', () => {
    workspace.standIns.lambdaAnswers('hello-codepipeline-dev-check', { ok: true, url: 'http://app.dev.internal:8080/', version: TAG, attempt: 1 });
    workspace.standIns.lambdaNotReadyFor('hello-codepipeline-dev-check', 2);
    const run = workspace.run(spec, { CHECK_NOT_READY_WAIT: '0' });

    expect(run).toSucceed();
    expect(run.stdout.match(/The check function is not ready yet/g)).toHaveLength(2);
    expect(run.stdout).toContain('Service check: answered http://app.dev.internal:8080/');
    expect(workspace.standIns.invocations('hello-codepipeline-dev-check')).toBe(1);
  });

  test('any other failure to call the function ends the step at once, with what AWS said', () => {
    // No function at all: ResourceNotFoundException, which waiting does not cure.
    const run = workspace.run(spec, { CHECK_NOT_READY_WAIT: '0' });

    expect(run.succeeded).toBe(false);
    expect(run.stderr).toContain('ResourceNotFoundException');
    expect(run.stdout).not.toContain('not ready yet');
  });

  test('(the stand-in itself) the CLI\'s defaults would have retried the call and reported a read timeout', () => {
    workspace.standIns.lambdaAnswers('hello-codepipeline-dev-check', { errorMessage: 'did not answer' }, 84);
    const run = workspace.run({
      version: '0.2',
      env: { shell: 'bash' },
      phases: {
        build: {
          commands: [
            'aws lambda invoke --region eu-west-1 --function-name arn:aws:lambda:eu-west-1:222222222222:function:hello-codepipeline-dev-check --cli-binary-format raw-in-base64-out --payload \'{}\' out.json',
          ],
        },
      },
    }, {});

    expect(run.succeeded).toBe(false);
    expect(run.stderr).toContain('Read timeout on endpoint URL');
    expect(workspace.standIns.invocations('hello-codepipeline-dev-check')).toBe(3);
  });
});
