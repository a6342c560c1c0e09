import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GENERATED_CONFIGS_ENV, generateConfigs } from './generated-configs';
import { MAIN_COMMAND_RUN_ENV, readmeSampleConfiguration, recordMainCommand, REPOSITORY_ROOT, userWorkspace } from './main-command';
import { SHARED_ASSEMBLIES_ENV } from './synth-app';
import { TEST_CONFIGS, type TestConfigName } from './test-configs';

/** Where the global teardown finds what is still running. */
const RUNNING = Symbol.for('platform-test-background-jobs');

/** Runs synth-job.ts on these jobs (`<source>=<output dir>`), one after the other in one child process. */
function synthesize(jobs: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'synth-job.ts'), ...jobs], {
      cwd: REPOSITORY_ROOT,
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
  const names = Object.keys(TEST_CONFIGS) as TestConfigName[];
  // The configuration the longest test file reads goes first.
  names.sort((a, b) => Number(b === 'three-stages') - Number(a === 'three-stages'));
  const outdirs = Object.fromEntries(names.map((name) => [name, mkdtempSync(path.join(tmpdir(), `platform-${name}-`))]));
  const generated = generateConfigs();
  const workspace = userWorkspace(readmeSampleConfiguration());
  process.env[SHARED_ASSEMBLIES_ENV] = JSON.stringify(outdirs);
  process.env[GENERATED_CONFIGS_ENV] = JSON.stringify(generated);
  process.env[MAIN_COMMAND_RUN_ENV] = workspace;
  (globalThis as Record<symbol, unknown>)[RUNNING] = Promise.all([
    recordMainCommand(workspace),
    synthesize([...names.map((name) => `${name}=${outdirs[name]}`), ...generated.map((config) => `${config.file}=${config.outdir}`)]),
  ]);
}

/** For the global teardown: what the global setup started, to wait for before jest exits. */
export function backgroundJobs(): Promise<unknown> {
  return ((globalThis as Record<symbol, unknown>)[RUNNING] as Promise<unknown> | undefined) ?? Promise.resolve();
}
