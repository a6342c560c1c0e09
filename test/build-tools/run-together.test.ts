import { spawnSync } from 'node:child_process';
import { getPriority } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
/** A command that prints its own CPU priority (niceness) after a label. */
const printsPriority = (label: string) => `node -e "console.log('${label}', require('node:os').getPriority())"`;

function runTogether(...commands: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'build-tools', 'run-together.ts'), ...commands], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: `${result.stdout}${result.stderr}` };
}

function priorityPrinted(output: string, label: string): number {
  const match = new RegExp(`^${label} (-?\\d+)$`, 'm').exec(output);
  if (!match) throw new Error(`"${label}" printed no priority in:\n${output}`);
  return Number(match[1]);
}

describe('build-tools/run-together.ts (what `npx projen test` runs)', () => {
  // Under `nice -n 19` every command prints 19 whatever run-together does: nothing to tell apart there.
  const callerCanBeLowered = getPriority() < 19;
  (callerCanBeLowered ? test : test.skip)('commands after --low-priority run at the lowest priority, the others at the caller\'s', () => {
    const { status, stdout } = runTogether(printsPriority('first'), printsPriority('second'), '--low-priority', printsPriority('third'), printsPriority('fourth'));
    expect(status).toBe(0);
    expect(priorityPrinted(stdout, 'first')).toBe(getPriority());
    expect(priorityPrinted(stdout, 'second')).toBe(getPriority());
    expect(priorityPrinted(stdout, 'third')).toBe(19);
    expect(priorityPrinted(stdout, 'fourth')).toBe(19);
  });

  test('without --low-priority every command keeps the caller\'s priority', () => {
    const { status, stdout } = runTogether(printsPriority('first'), printsPriority('second'));
    expect(status).toBe(0);
    expect([priorityPrinted(stdout, 'first'), priorityPrinted(stdout, 'second')]).toEqual([getPriority(), getPriority()]);
  });

  test.each([
    ['nothing before --low-priority', ['--low-priority', 'true']],
    ['nothing after --low-priority', ['true', '--low-priority']],
  ])('refuses a command line with %s', (_, commands) => {
    const { status, stdout } = runTogether(...commands);
    expect(status).toBe(2);
    expect(stdout).toContain('usage: run-together.ts');
  });

  test('arguments after -- go to the first command, quoted as given', () => {
    const { status, stdout } = runTogether('echo first got', 'echo second got', '--', '-t', 'a release');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^first got -t a release$/m);
    expect(stdout).toMatch(/^second got$/m);
  });

  test('fails when any command fails, and prints that command\'s output whole with its exit status', () => {
    const { status, stdout } = runTogether('true', 'echo "lint says no"; exit 3', 'true');
    expect(status).toBe(1);
    expect(stdout).toMatch(/── echo "lint says no"; exit 3 \([\d.]+ s\)\nlint says no\n/);
    expect(stdout).toMatch(/^FAILED \(exit 3\): echo "lint says no"; exit 3 \(/m);
    expect(stdout.match(/^passed: true \(/gm)).toHaveLength(2);
  });
});
