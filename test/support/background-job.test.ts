import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { appNodeOptions, runJob } from './background-job';
import { hasResult, waitForResult } from './background-results';
import { REPOSITORY_ROOT } from './main-command';

describe('the global setup\'s background jobs', () => {
  test('start with the Node options of cdk.json\'s app, the validation engine\'s compiler flag among them', () => {
    const app: string = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).app;
    expect(appNodeOptions(app)).toEqual(expect.arrayContaining(['--liftoff-only', '--import', './build-tools/typescript-loader.mjs']));
    expect(appNodeOptions('node --a --b x src/main.ts')).toEqual(['--a', '--b', 'x']);
    // What a split on spaces would pass to Node wrongly: empty words, quoted words, another entry point.
    for (const changed of ['node  --a src/main.ts', 'node --a "b c" src/main.ts', 'npx tsx src/main.ts', 'node --a src/other.ts']) {
      expect(() => appNodeOptions(changed)).toThrow(/cdk\.json's app is no longer "node <options> src\/main\.ts"/);
    }
  });

  test('a job that ends before it marks every result fails the rest with what it printed, and keeps what it marked', async () => {
    const [marked, unmarked] = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'background-job-')));

    await runJob(path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'background-job', 'ends-early.ts'), [marked], [marked, unmarked], process.env);

    expect(() => waitForResult(marked, 'the marked result', 0)).not.toThrow();
    expect(hasResult(unmarked)).toBe(true);
    expect(() => waitForResult(unmarked, 'the unmarked result', 0))
      .toThrow(/the unmarked result failed:\nends-early\.ts exited with status 3 before it marked this result\. It printed last:\nthe job broke here/);
  });
});
