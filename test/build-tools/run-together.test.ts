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
  test('the first command keeps the caller\'s priority; the others run at the lowest, so they only take idle CPU', () => {
    const { status, stdout } = runTogether(printsPriority('first'), printsPriority('second'), printsPriority('third'));
    expect(status).toBe(0);
    expect(priorityPrinted(stdout, 'first')).toBe(getPriority());
    expect(priorityPrinted(stdout, 'second')).toBe(19);
    expect(priorityPrinted(stdout, 'third')).toBe(19);
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
