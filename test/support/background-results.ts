import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The global setup starts the syntheses and the main command and returns at once: test files that need
 * none of them run meanwhile. Each result is marked done (or failed) by a file next to it, and a test
 * file that needs one waits for that file.
 */
const DONE = '.result-done';
const FAILED = '.result-failed';

export function markDone(dir: string): void {
  writeFileSync(path.join(dir, DONE), '');
}

export function markFailed(dir: string, reason: string): void {
  writeFileSync(path.join(dir, FAILED), reason);
}

/** Whether the result in `dir` was marked, done or failed. */
export function hasResult(dir: string): boolean {
  return existsSync(path.join(dir, DONE)) || existsSync(path.join(dir, FAILED));
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits, without burning a core, until the result in `dir` is there; throws the reason it failed.
 * @param what how the error names the result
 */
export function waitForResult(dir: string, what: string, timeoutMs = 240_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path.join(dir, DONE))) return;
    if (existsSync(path.join(dir, FAILED))) throw new Error(`${what} failed:\n${readFileSync(path.join(dir, FAILED), 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s (in ${dir})`);
    Atomics.wait(sleeper, 0, 0, 100);
  }
}
