import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadComplianceModel } from '../../../src/compliance/report/load-model';
import type { ComplianceModel } from '../../../src/compliance/report/model';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'compliance-report');

/** The fixtures' stack traces were written as if synthesized in a GitHub Actions checkout. */
export const REPO_ROOT = '/home/runner/work/platform/platform';

export const OPTIONS = { repoRoot: REPO_ROOT, assemblyLabel: 'cdk.out' };

export function assemblyOf(fixture: string): string {
  return path.join(FIXTURES, fixture, 'assembly');
}

export function fixtureModel(fixture: string): ComplianceModel {
  return loadComplianceModel(assemblyOf(fixture), OPTIONS);
}

const scratchDirs: string[] = [];

/** A temporary dir that removeCopies() deletes; call that in afterAll. */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-report-'));
  scratchDirs.push(dir);
  return dir;
}

export function removeCopies(): void {
  scratchDirs.splice(0).forEach(dir => fs.rmSync(dir, { recursive: true, force: true }));
}

/** A writable copy named cdk.out, so tests that write reports never touch the fixtures. */
export function copyOfAssembly(fixture: string): string {
  const dir = path.join(scratchDir(), 'cdk.out');
  fs.cpSync(assemblyOf(fixture), dir, { recursive: true });
  return dir;
}

/**
 * Byte-for-byte comparison with a golden file; `UPDATE_GOLDEN=1` rewrites it
 * instead, for intended changes that the diff in review then shows.
 */
export function expectGolden(fixture: string, name: string, actual: string): void {
  const file = path.join(FIXTURES, fixture, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.writeFileSync(file, actual);
  }
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
