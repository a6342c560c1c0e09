import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GENERATED_CONFIGS_ENV, generateConfigs } from './generated-configs';
import { MAIN_COMMAND_RUN_ENV, readmeSampleConfiguration, REPOSITORY_ROOT, userWorkspace } from './main-command';
import { enterRunTmpdir, leaveRunTmpdir, withMachineTmpdir } from './run-tmpdir';
import { SHARED_ASSEMBLIES_ENV } from './synth-app';
import { TEST_CONFIGS, type TestConfigName } from './test-configs';

/** The order of the shared syntheses: the one test/support/test-sequencer.js orders the test files by. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SYNTHESIS_ORDER = (require('./test-sequencer.js').PRODUCED as string[]).filter((name): name is TestConfigName => name in TEST_CONFIGS);

/**
 * The Node options cdk.json starts the app with (the TypeScript loader, how V8 compiles the validation
 * engine): the jobs start the same way, so that the tests' syntheses load and cost what a user's does.
 */
function appNodeOptions(app: string): string[] {
  const words = app.split(' ');
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`cdk.json's app is no longer "node <options> src/main.ts": ${app}`);
  return words.slice(1, -1);
}
const APP_NODE_OPTIONS = appNodeOptions(JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).app);

/** Where the global teardown finds what is still running. */
const RUNNING = Symbol.for('platform-test-background-jobs');

/**
 * Runs a script of test/support in a child process that marks its own results done or failed on disk
 * (background-results.ts). Not in this process: with one jest worker, jest runs the test files here, and a
 * file waiting for a result would block the event loop that had to record it.
 */
function runJob(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve) => {
    // In the repository, where cdk.json's relative paths lead.
    const child = spawn(process.execPath, [...APP_NODE_OPTIONS, path.join(__dirname, script), ...args], {
      cwd: REPOSITORY_ROOT,
      env,
      stdio: 'ignore',
    });
    // Each job marks its own output done or failed; the test files that wait for them report failures.
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
}

/**
 * Starts, and does not wait for: the README's main command in a user's workspace (test/e2e), and, in
 * another process, one synthesis of each test configuration (for the test files that only read them) and of
 * a few generated ones (test/config/valid-config-synth.test.ts). Test files that need none of them run
 * meanwhile; the others wait for what they read (background-results.ts). Workers inherit where it all is.
 */
export default function globalSetup(): void {
  // The configuration the longest test file reads goes first. The example goes after the main command has
  // synthesized the same configuration: by then the gate's report cache holds every one of its templates.
  const names = SYNTHESIS_ORDER;
  const unordered = Object.keys(TEST_CONFIGS).filter((name) => !names.includes(name as TestConfigName));
  if (unordered.length > 0) throw new Error(`add ${unordered.join(', ')} to PRODUCED in test/support/test-sequencer.js`);
  const sample = readmeSampleConfiguration();
  // Everything the tests write from here on goes into the run's own folder (run-tmpdir.ts). Jest skips the
  // teardown when the setup fails, so a failure removes it here.
  enterRunTmpdir();
  let outdirs: Record<string, string>;
  let generated: ReturnType<typeof generateConfigs>;
  let workspace: string;
  try {
    outdirs = Object.fromEntries(names.map((name) => [name, mkdtempSync(path.join(tmpdir(), `platform-${name}-`))]));
    generated = generateConfigs();
    workspace = userWorkspace(sample);
  } catch (error) {
    leaveRunTmpdir();
    throw error;
  }
  process.env[SHARED_ASSEMBLIES_ENV] = JSON.stringify(outdirs);
  process.env[GENERATED_CONFIGS_ENV] = JSON.stringify(generated);
  process.env[MAIN_COMMAND_RUN_ENV] = workspace;
  // The jobs keep the machine's TMPDIR, where tsx keeps its cache of compiled sources.
  const jobEnv = withMachineTmpdir(process.env);
  (globalThis as Record<symbol, unknown>)[RUNNING] = Promise.all([
    runJob('main-command.ts', [workspace], jobEnv),
    // One after the other in one process: synth-job.ts says why.
    runJob('synth-job.ts', [...names.map((name) => `${name}=${outdirs[name]}`), ...generated.map((config) => `${config.file}=${config.outdir}`)], jobEnv),
  ]);
}

/** For the global teardown: what the global setup started, to wait for before jest exits. */
export function backgroundJobs(): Promise<unknown> {
  return ((globalThis as Record<symbol, unknown>)[RUNNING] as Promise<unknown> | undefined) ?? Promise.resolve();
}
