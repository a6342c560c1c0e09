import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { assemblyOf, copyOfAssembly, removeCopies, scratchDir } from './fixtures';

afterAll(removeCopies);

const REPO = path.join(__dirname, '..', '..', '..');
const CLI = path.join(REPO, 'src', 'compliance', 'report', 'cli.ts');

function run(...args: string[]) {
  // Node with tsx's loader: what `tsx` runs, without npx looking the binary up on every call.
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a missing assembly exits 1 with one line and no stack trace', () => {
  const missing = path.join(scratchDir(), 'cdk.out');
  const { code, stdout, stderr } = run(missing);
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toBe(`compliance:report: no cloud assembly in ${missing} (manifest.json not found): synthesize the app first\n`);
});

test('a corrupt report exits 1 with one line naming the file', () => {
  const { code, stderr } = run(assemblyOf('corrupt'));
  expect(code).toBe(1);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^compliance:report: .*validation-report\.json is not valid JSON: /);
  expect(stderr).not.toMatch(/\n\s+at /);
});

test.each([
  ['no validation report', (_dir: string) => undefined],
  ['an empty validation report', (dir: string) => fs.writeFileSync(path.join(dir, 'validation-report.json'), '')],
])('%s: nothing was checked, so it exits 1 with one line and writes no report', (_case, arrange) => {
  const dir = copyOfAssembly('no-report');
  arrange(dir);
  const { code, stdout, stderr } = run(dir);
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toMatch(/^compliance:report: nothing was checked: .* has no validation report/);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(fs.existsSync(path.join(dir, 'compliance', 'report.md'))).toBe(false);
});

test('failing findings still exit 0, printing the summary and the files', () => {
  const dir = copyOfAssembly('findings');
  const { code, stdout } = run(dir);
  expect(code).toBe(0);
  expect(stdout).toContain('compliance: FAIL: 5 to fix (3 blocking), 3 acknowledged, 5 pack(s)');
  expect(stdout).toContain(path.relative(REPO, path.join(dir, 'compliance', 'report.sarif')));
  expect(fs.existsSync(path.join(dir, 'compliance', 'report.md'))).toBe(true);
});

test('--fail-on-findings exits 2 on a failing report and 0 on a passing one', () => {
  expect(run(copyOfAssembly('findings'), '--fail-on-findings').code).toBe(2);
  expect(run(copyOfAssembly('passing'), '--fail-on-findings').code).toBe(0);
});

test('without an assembly argument it prints usage and exits 1', () => {
  const { code, stderr } = run();
  expect(code).toBe(1);
  expect(stderr).toContain('usage:');
});
