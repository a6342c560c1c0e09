import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { markDone, markFailed, waitForResult } from './background-results';

export const REPOSITORY_ROOT = path.join(__dirname, '..', '..');

/** What the README tells a user to run after `npm ci`: the main job, synth with the gate. */
export const MAIN_COMMAND = ['npx', 'projen', 'synth'] as const;

/** A run of the main command: where, its exit status and what it printed. */
export interface MainCommandRun {
  readonly workspace: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The workspace where the global setup runs the main command. */
export const MAIN_COMMAND_RUN_ENV = 'PLATFORM_TEST_MAIN_COMMAND_WORKSPACE';

/** Entries of the repository a user's clone would not have, or that the run must not touch. */
const LEFT_OUT = new Set(['.git', 'cdk.out', 'config', 'coverage', 'test-reports', '.prof']);

/**
 * The README's sample configuration: the YAML block after the `<!-- sample-configuration -->` marker, which
 * the deploy guide tells the user to save as config/platform.yaml.
 */
export function readmeSampleConfiguration(): string {
  const readme = readFileSync(path.join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const match = /<!-- sample-configuration -->\s*```yaml\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no ```yaml block after <!-- sample-configuration -->');
  // The block sits in a numbered list: its lines carry the list's indentation.
  const lines = match[1].split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/**
 * A clone of this repository as a user has it after `npm ci`, with `config/platform.yaml` written: every
 * entry of the repository linked in (node_modules too), except what a clone would not have.
 */
export function userWorkspace(configYaml: string): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'platform-workspace-'));
  for (const entry of readdirSync(REPOSITORY_ROOT)) {
    if (!LEFT_OUT.has(entry)) symlinkSync(path.join(REPOSITORY_ROOT, entry), path.join(workspace, entry));
  }
  mkdirSync(path.join(workspace, 'config'));
  writeFileSync(path.join(workspace, 'config', 'platform.yaml'), configYaml);
  return workspace;
}

/** Runs the main command in `workspace` as a user's shell would: no PLATFORM_CONFIG, no -c. */
export function runMainCommand(workspace: string): Promise<MainCommandRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PLATFORM_CONFIG;
  return new Promise((resolve, reject) => {
    const child = spawn(MAIN_COMMAND[0], MAIN_COMMAND.slice(1), { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ workspace, status, stdout, stderr }));
  });
}

const RECORD = '.main-command.json';

/** Runs the main command and records what it did in the workspace, marked done for `recordedMainCommand`. */
export async function recordMainCommand(workspace: string): Promise<void> {
  try {
    writeFileSync(path.join(workspace, RECORD), JSON.stringify(await runMainCommand(workspace)));
    markDone(workspace);
  } catch (error) {
    markFailed(workspace, String(error));
  }
}

/** The run the global setup started, once it has ended (test files call this in beforeAll). */
export function recordedMainCommand(): MainCommandRun {
  const workspace = process.env[MAIN_COMMAND_RUN_ENV];
  if (!workspace) {
    throw new Error(`${MAIN_COMMAND_RUN_ENV} is not set: run the tests through jest, whose global setup runs the command when a test file of the run calls recordedMainCommand() (test/support/test-sequencer.js looks for the call)`);
  }
  waitForResult(workspace, `the README's main command in ${workspace}`);
  return JSON.parse(readFileSync(path.join(workspace, RECORD), 'utf8'));
}

// The global setup runs the recording in a process of its own: jest may run the test files in its own
// process (one worker), where a test waiting for the record would block the very event loop that writes it.
if (require.main === module) {
  const workspace = process.argv[2];
  if (!workspace) {
    console.error('usage: main-command.ts <workspace>');
    process.exitCode = 2;
  } else {
    void recordMainCommand(workspace);
  }
}
