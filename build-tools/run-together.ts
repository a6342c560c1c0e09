/*
 * Runs commands side by side and fails if any fails: `npx projen test` runs jest, the app's tests and the
 * lint this way. The first command's output streams as it comes (jest's progress); the others' is held
 * and printed whole when each ends, so no two outputs interleave. Arguments after `--` go to the first
 * command (e.g. `npx projen test -- -t release`).
 *
 * The others run at the lowest CPU priority: they take what the first leaves idle instead of slowing it.
 * Jest is the longest of the three, and its files wait on syntheses that, on two cores, compete with
 * everything else; the app's tests and the lint end well before it either way.
 *
 * Usage: tsx build-tools/run-together.ts '<command>' '<command>' ... [-- <arguments for the first>]
 */
import { spawn } from 'node:child_process';
import { constants, setPriority } from 'node:os';

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
  const commands = [...(split === -1 ? argv : argv.slice(0, split))];
  const passed = split === -1 ? [] : argv.slice(split + 1);
  if (commands.length === 0) {
    console.error('usage: run-together.ts <command> [<command> ...] [-- <arguments for the first>]');
    return 2;
  }
  if (passed.length > 0) commands[0] = `${commands[0]} ${passed.map(quote).join(' ')}`;
  const first = run(commands[0], true);
  // A child takes its parent's priority when it starts: lowered here, after the first has started, it
  // applies to the others and everything they start. Lowering one's own priority needs no privilege.
  if (commands.length > 1) setPriority(constants.priority.PRIORITY_LOW);
  const outcomes = await Promise.all([first, ...commands.slice(1).map((command) => run(command, false))]);
  console.log('');
  for (const outcome of outcomes) console.log(`${outcome.code === 0 ? 'passed' : `FAILED (exit ${outcome.code})`}: ${outcome.command} (${outcome.seconds.toFixed(1)} s)`);
  return outcomes.every((outcome) => outcome.code === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
