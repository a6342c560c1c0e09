import * as fs from 'fs';
import * as path from 'path';
import { assemblyOf, copyOfAssembly, FIXTURES, OPTIONS, removeCopies } from './fixtures';
import { writeComplianceReports } from '../../../src/compliance/report/write-reports';

afterAll(removeCopies);

test('writes the golden reports and a copy of the raw report to <assembly>/compliance', () => {
  const dir = copyOfAssembly('findings');
  const result = writeComplianceReports(dir, OPTIONS);

  const out = path.join(dir, 'compliance');
  expect(result.passed).toBe(false);
  expect(result.files).toEqual(['report.md', 'report.sarif', 'validation-report.json'].map(f => path.join(out, f)));
  for (const name of ['report.md', 'report.sarif']) {
    expect(fs.readFileSync(path.join(out, name), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURES, 'findings', name), 'utf8'));
  }
  expect(fs.readFileSync(path.join(out, 'validation-report.json'))).toEqual(fs.readFileSync(path.join(assemblyOf('findings'), 'validation-report.json')));
  expect(fs.existsSync(path.join(dir, 'validation-report.json'))).toBe(true);
});

test('without a report it passes and drops a copy an earlier run left', () => {
  const dir = copyOfAssembly('no-report');
  fs.mkdirSync(path.join(dir, 'compliance'));
  fs.writeFileSync(path.join(dir, 'compliance', 'validation-report.json'), '{}');

  const result = writeComplianceReports(dir, OPTIONS);

  expect(result.passed).toBe(true);
  expect(result.files.map(f => path.basename(f))).toEqual(['report.md', 'report.sarif']);
  expect(fs.existsSync(path.join(dir, 'compliance', 'validation-report.json'))).toBe(false);
});

test('writes identical bytes when run twice', () => {
  const dir = copyOfAssembly('findings');
  const first = writeComplianceReports(dir, OPTIONS).files.map(f => fs.readFileSync(f, 'utf8'));
  const second = writeComplianceReports(dir, OPTIONS).files.map(f => fs.readFileSync(f, 'utf8'));
  expect(second).toEqual(first);
});
