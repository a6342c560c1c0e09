import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runJob } from './background-job';
import { GENERATED_CONFIGS_ENV, generateConfigs } from './generated-configs';
import { MAIN_COMMAND_RUN_ENV, readmeSampleConfiguration, REPOSITORY_ROOT, userWorkspace } from './main-command';
import { enterRunTmpdir, leaveRunTmpdir, withMachineTmpdir } from './run-tmpdir';
import { SHARED_ASSEMBLIES_ENV } from './synth-app';
import { TEST_CONFIGS, type TestConfigName } from './test-configs';

/** The order of the shared syntheses: the one test/support/test-sequencer.js orders the test files by. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SYNTHESIS_ORDER = (require('./test-sequencer.js').PRODUCED as string[]).filter((name): name is TestConfigName => name in TEST_CONFIGS);

/** Where the global teardown finds what is still running. */
const RUNNING = Symbol.for('platform-test-background-jobs');

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
  // What the synthesis job synthesizes, each into its output folder: the test configurations, then the generated ones.
  const syntheses = [...names.map((name) => [name, outdirs[name]]), ...generated.map((config) => [config.file, config.outdir])];
  (globalThis as Record<symbol, unknown>)[RUNNING] = Promise.all([
    runJob(path.join(__dirname, 'main-command.ts'), [workspace], [workspace], jobEnv),
    // One after the other in one process: synth-job.ts says why.
    runJob(path.join(__dirname, 'synth-job.ts'), syntheses.map(([source, outdir]) => `${source}=${outdir}`), syntheses.map(([, outdir]) => outdir), jobEnv),
  ]);
}

/** For the global teardown: what the global setup started, to wait for before jest exits. */
export function backgroundJobs(): Promise<unknown> {
  return ((globalThis as Record<symbol, unknown>)[RUNNING] as Promise<unknown> | undefined) ?? Promise.resolve();
}
