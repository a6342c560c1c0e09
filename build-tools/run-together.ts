/*
 * Runs commands side by side and fails if any fails: `npx projen test` runs jest, the app's tests and the
 * lint this way, and `compile` the type check and the type-aware lint. The first command's output streams
 * as it comes (jest's progress, tsc's errors); the others' is held and printed whole when each ends, so no
 * two outputs interleave. Arguments after `--` go to the first command (e.g. `npx projen test -- -t release`).
 *
 * Commands after `--low-priority` run at the lowest CPU priority: they take what the others leave idle
 * instead of slowing them. Only for work with no deadline of its own: a starved command can take many
 * times its usual wall time (the app's tests, which wait on timers, stay at normal priority).
 *
 * Usage: tsx build-tools/run-together.ts '<command>' ... [--low-priority '<command>' ...] [-- <arguments for the first>]
 */
import { spawn } from 'node:child_process';
import { constants, setPriority } from 'node:os';

const LOW_PRIORITY = '--low-priority';

interface Outcome { readonly command: string; readonly code: number; readonly seconds: number }

function quote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, '\'\\\'\'')}'`;
}

function run(command: string, live: boolean): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const held: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => held.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => held.push(chunk));
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      if (!live) process.stdout.write(`\n── ${command} (${seconds.toFixed(1)} s)\n${Buffer.concat(held).toString()}`);
      resolve({ command, code: code ?? (signal ? 128 : 1), seconds });
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const split = argv.indexOf('--');
  const listed = split === -1 ? argv : argv.slice(0, split);
  const passed = split === -1 ? [] : argv.slice(split + 1);
  const low = listed.indexOf(LOW_PRIORITY);
  const normal = low === -1 ? [...listed] : listed.slice(0, low);
  const idle = low === -1 ? [] : listed.slice(low + 1);
  if (normal.length === 0 || idle.includes(LOW_PRIORITY) || (low !== -1 && idle.length === 0)) {
    console.error(`usage: run-together.ts <command> ... [${LOW_PRIORITY} <command> ...] [-- <arguments for the first>]`);
    return 2;
  }
  if (passed.length > 0) normal[0] = `${normal[0]} ${passed.map(quote).join(' ')}`;
  const started = normal.map((command, index) => run(command, index === 0));
  if (idle.length > 0) {
    // A child takes its parent's priority when it starts: lowered here, after the others have started, it
    // applies to these and to everything they start. Lowering one's own priority needs no privilege.
    try {
      setPriority(constants.priority.PRIORITY_LOW);
    } catch (error) {
      console.warn(`run-together: could not lower the priority of ${idle.join(', ')}; they run at normal priority (${(error as Error).message})`);
    }
    started.push(...idle.map((command) => run(command, false)));
  }
  const outcomes = await Promise.all(started);
  console.log('');
  for (const outcome of outcomes) console.log(`${outcome.code === 0 ? 'passed' : `FAILED (exit ${outcome.code})`}: ${outcome.command} (${outcome.seconds.toFixed(1)} s)`);
  return outcomes.every((outcome) => outcome.code === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
