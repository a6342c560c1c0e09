import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/*
 * One temporary folder per test run: the global setup points TMPDIR (which os.tmpdir() and mktemp read) at
 * it, so test files need not clean up after themselves, and the global teardown removes it.
 */

/** Names the run's folder for the test files. */
export const RUN_TMPDIR_ENV = 'PLATFORM_TEST_RUN_TMPDIR';
/** `1` keeps the folder after the run, to look at what a failing test wrote. */
export const KEEP_TMPDIR_ENV = 'PLATFORM_TEST_KEEP_TMPDIR';

/**
 * TMPDIR as jest's process found it, before any run changed it. Kept on the process, not the module: watch
 * mode runs the global setup and teardown again in the same process, and a run must not start inside the
 * folder of the one before.
 */
const MACHINE_TMPDIR = Symbol.for('platform-test-machine-tmpdir');

function machineTmpdirSlot(): { readonly value: string | undefined } {
  const slots = globalThis as Record<symbol, unknown>;
  slots[MACHINE_TMPDIR] ??= { value: process.env.TMPDIR };
  return slots[MACHINE_TMPDIR] as { readonly value: string | undefined };
}

/** The environment with TMPDIR as the machine has it: for processes that should keep their caches there (tsx's). */
export function withMachineTmpdir(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const machine = machineTmpdirSlot().value;
  const result = { ...env, TMPDIR: machine };
  if (machine === undefined) delete result.TMPDIR;
  return result;
}

function restoreMachineTmpdir(): void {
  const machine = machineTmpdirSlot().value;
  if (machine === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = machine;
}

/** Makes the run's folder in the machine's temporary folder and points TMPDIR at it. */
export function enterRunTmpdir(): string {
  restoreMachineTmpdir();
  const runTmpdir = mkdtempSync(path.join(machineTmpdirSlot().value ?? tmpdir(), 'platform-test-run-'));
  process.env.TMPDIR = runTmpdir;
  process.env[RUN_TMPDIR_ENV] = runTmpdir;
  return runTmpdir;
}

/**
 * Points TMPDIR back at the machine's folder and removes the run's, without following the links in it (the
 * main command's workspace links the repository, node_modules included). Returns the folder when kept.
 */
export function leaveRunTmpdir(): string | undefined {
  const runTmpdir = process.env[RUN_TMPDIR_ENV];
  restoreMachineTmpdir();
  delete process.env[RUN_TMPDIR_ENV];
  if (!runTmpdir) return undefined;
  if (process.env[KEEP_TMPDIR_ENV] === '1') return runTmpdir;
  rmSync(runTmpdir, { recursive: true, force: true });
  return undefined;
}
