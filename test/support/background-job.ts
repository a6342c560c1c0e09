import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { hasResult, markFailed } from './background-results';
import { REPOSITORY_ROOT } from './main-command';

/**
 * The Node options of cdk.json's `node <options> src/main.ts` (the TypeScript loader, how V8 compiles the
 * validation engine): the background jobs start the same way, so that the tests' syntheses load and cost
 * what a user's does.
 */
export function appNodeOptions(app: string): string[] {
  if (!/^node( [^\s'"]+)* src\/main\.ts$/.test(app)) throw new Error(`cdk.json's app is no longer "node <options> src/main.ts" with plain options: ${app}`);
  return app.split(' ').slice(1, -1);
}

const APP_NODE_OPTIONS = appNodeOptions(JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).app);

/** How much of a job's stderr a failed result keeps: its last lines are the ones that say why. */
const STDERR_KEPT = 8_000;

/**
 * Runs a TypeScript script in a child process that marks its own results (`outputs`) done or failed on disk
 * (background-results.ts). Not in this process: with one jest worker, jest runs the test files here, and a
 * file waiting for a result would block the event loop that had to record it. A job that ends before it
 * has marked them all (Node refused an option, the process crashed or was killed) fails the rest, with what
 * it printed last, so that the test files waiting for them fail at once instead of timing out.
 */
export function runJob(script: string, args: readonly string[], outputs: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve) => {
    // In the repository, where cdk.json's relative paths lead.
    const child = spawn(process.execPath, [...APP_NODE_OPTIONS, script, ...args], {
      cwd: REPOSITORY_ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT); });
    const failUnmarked = (how: string) => {
      for (const output of outputs) {
        if (!hasResult(output)) markFailed(output, `${path.basename(script)} ${how} before it marked this result. It printed last:\n${stderr}`);
      }
      resolve();
    };
    child.on('close', (status, signal) => failUnmarked(signal ? `was killed by ${signal}` : `exited with status ${status}`));
    child.on('error', (error) => failUnmarked(`could not start (${error.message})`));
  });
}
