import * as fs from 'fs';
import * as path from 'path';
import { assemblyOf, copyOfAssembly, FIXTURES, OPTIONS, removeCopies } from './fixtures';
import { writeComplianceReports } from '../../../src/compliance/report/write-reports';

afterAll(removeCopies);

test('writes the golden reports and moves the raw report to <assembly>/compliance, where the CDK CLI does not print it again', () => {
  const dir = copyOfAssembly('findings');
  const result = writeComplianceReports(dir, OPTIONS);

  const out = path.join(dir, 'compliance');
  expect(result.passed).toBe(false);
  expect(result.files).toEqual(['report.md', 'report.sarif', 'validation-report.json'].map(f => path.join(out, f)));
  for (const name of ['report.md', 'report.sarif']) {
    expect(fs.readFileSync(path.join(out, name), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURES, 'findings', name), 'utf8'));
  }
  expect(fs.readFileSync(path.join(out, 'validation-report.json'))).toEqual(fs.readFileSync(path.join(assemblyOf('findings'), 'validation-report.json')));
  expect(fs.existsSync(path.join(dir, 'validation-report.json'))).toBe(false);
});

test('rewriting the reports later reads the raw report from where the first run moved it', () => {
  const dir = copyOfAssembly('findings');
  const first = writeComplianceReports(dir, OPTIONS);
  const again = writeComplianceReports(dir, OPTIONS);
  expect(again.model).toEqual(first.model);
});

test.each([
  ['no report', (_dir: string) => undefined],
  ['an empty report', (dir: string) => fs.writeFileSync(path.join(dir, 'validation-report.json'), '')],
])('with %s nothing was checked: it throws, and leaves no report that could read as a pass', (_case, arrange) => {
  const dir = copyOfAssembly('no-report');
  arrange(dir);
  fs.mkdirSync(path.join(dir, 'compliance'));
  fs.writeFileSync(path.join(dir, 'compliance', 'report.md'), '# Compliance report: PASS\n');

  expect(() => writeComplianceReports(dir, OPTIONS)).toThrow(/^nothing was checked: .* has no validation report/);
  expect(fs.existsSync(path.join(dir, 'compliance', 'report.md'))).toBe(false);
});

test('packs the validation report leaves out ran and found nothing: they are listed as passed', () => {
  const dir = copyOfAssembly('passing');
  const { model } = writeComplianceReports(dir, { ...OPTIONS, packs: [{ plugin: 'PlatformChecks', title: 'PlatformChecks' }, { plugin: 'cdk-validator-cfnguard', title: 'Control Tower' }] });
  expect(model.plugins.find(p => p.name === 'PlatformChecks')).toEqual({ name: 'PlatformChecks', conclusion: 'success', reported: false });
  const report = fs.readFileSync(path.join(dir, 'compliance', 'report.md'), 'utf8');
  expect(report).toContain('| PlatformChecks | — | success: nothing to report | 0 | 0 |');
});

test('writes identical bytes when run twice', () => {
  const dir = copyOfAssembly('findings');
  const first = writeComplianceReports(dir, OPTIONS).files.map(f => fs.readFileSync(f, 'utf8'));
  const second = writeComplianceReports(dir, OPTIONS).files.map(f => fs.readFileSync(f, 'utf8'));
  expect(second).toEqual(first);
});
