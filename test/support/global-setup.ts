import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runJob } from './background-job';
import { GENERATED_CONFIGS_ENV, generateConfigs } from './generated-configs';
import { MAIN_COMMAND_RUN_ENV, readmeSampleConfiguration, REPOSITORY_ROOT, userWorkspace } from './main-command';
import { enterRunTmpdir, leaveRunTmpdir, withMachineTmpdir } from './run-tmpdir';
import { SHARED_ASSEMBLIES_ENV } from './synth-app';
import { TEST_CONFIGS, type TestConfigName } from './test-configs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SEQUENCER = require('./test-sequencer.js') as { PRODUCED: string[]; NEEDED: symbol };

/** The order of the shared syntheses: the one test/support/test-sequencer.js orders the test files by. */
const SYNTHESIS_ORDER = SEQUENCER.PRODUCED.filter((name): name is TestConfigName => name in TEST_CONFIGS);

/** What the background jobs of a run produce: the test configurations, in order, and whether the others. */
export interface BackgroundPlan {
  readonly configurations: readonly TestConfigName[];
  readonly mainCommand: boolean;
  readonly generated: boolean;
}

/**
 * What to start for the test files of this run: what they read, as test/support/test-sequencer.js found it
 * when jest sorted them (`needed`, PRODUCED's names). Everything when the sequencer left nothing: a jest
 * that did not sort with it.
 */
export function backgroundPlan(needed: readonly string[] | undefined): BackgroundPlan {
  const reads = (name: string) => needed === undefined || needed.includes(name);
  return { configurations: SYNTHESIS_ORDER.filter(reads), mainCommand: reads('main-command'), generated: reads('generated') };
}

/** Where the global teardown finds what is still running. */
const RUNNING = Symbol.for('platform-test-background-jobs');

/**
 * Starts, and does not wait for, what the test files of this run read (backgroundPlan): the README's main
 * command in a user's workspace (test/e2e), and, in another process, one synthesis of each test
 * configuration (for the test files that only read them) and of a few generated ones
 * (test/config/valid-config-synth.test.ts). Test files that need none of them run meanwhile; the others
 * wait for what they read (background-results.ts). Workers inherit where it all is.
 */
export default function globalSetup(): void {
  const unordered = Object.keys(TEST_CONFIGS).filter((name) => !SYNTHESIS_ORDER.includes(name as TestConfigName));
  if (unordered.length > 0) throw new Error(`add ${unordered.join(', ')} to PRODUCED in test/support/test-sequencer.js`);
  // The configuration the longest test file reads goes first. The example goes after the main command has
  // synthesized the same configuration: by then the gate's report cache holds every one of its templates.
  const plan = backgroundPlan((globalThis as Record<symbol, string[] | undefined>)[SEQUENCER.NEEDED]);
  const sample = plan.mainCommand ? readmeSampleConfiguration() : undefined;
  // Everything the tests write from here on goes into the run's own folder (run-tmpdir.ts). Jest skips the
  // teardown when the setup fails, so a failure removes it here.
  enterRunTmpdir();
  let outdirs: Record<string, string>;
  let generated: ReturnType<typeof generateConfigs>;
  let workspace: string | undefined;
  try {
    outdirs = Object.fromEntries(plan.configurations.map((name) => [name, mkdtempSync(path.join(tmpdir(), `platform-${name}-`))]));
    generated = plan.generated ? generateConfigs() : [];
    workspace = sample === undefined ? undefined : userWorkspace(sample);
  } catch (error) {
    leaveRunTmpdir();
    throw error;
  }
  // Set or cleared on every run: jest's watch mode runs the setup again in the same process.
  setOrClear(SHARED_ASSEMBLIES_ENV, JSON.stringify(outdirs));
  setOrClear(GENERATED_CONFIGS_ENV, plan.generated ? JSON.stringify(generated) : undefined);
  setOrClear(MAIN_COMMAND_RUN_ENV, workspace);
  // The jobs keep the machine's TMPDIR, where tsx keeps its cache of compiled sources.
  const jobEnv = withMachineTmpdir(process.env);
  // What the synthesis job synthesizes, each into its output folder: the test configurations, then the generated ones.
  const syntheses = [...plan.configurations.map((name) => [name, outdirs[name]]), ...generated.map((config) => [config.file, config.outdir])];
  (globalThis as Record<symbol, unknown>)[RUNNING] = Promise.all([
    ...(workspace === undefined ? [] : [runJob(path.join(__dirname, 'main-command.ts'), [workspace], [workspace], jobEnv)]),
    // One after the other in one process: synth-job.ts says why.
    ...(syntheses.length === 0 ? [] : [
      runJob(path.join(__dirname, 'synth-job.ts'), syntheses.map(([source, outdir]) => `${source}=${outdir}`), syntheses.map(([, outdir]) => outdir), jobEnv),
    ]),
  ]);
}

function setOrClear(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** For the global teardown: what the global setup started, to wait for before jest exits. */
export function backgroundJobs(): Promise<unknown> {
  return ((globalThis as Record<symbol, unknown>)[RUNNING] as Promise<unknown> | undefined) ?? Promise.resolve();
}
