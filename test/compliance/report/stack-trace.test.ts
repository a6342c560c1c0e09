import { projectSourceLocation } from '../../../src/compliance/report/stack-trace';

const ROOT = '/repo';

test('takes the innermost frame under src/, skipping library and entry-point frames', () => {
  const trace = [
    '...new Bucket2 in aws-cdk-lib...',
    'new Construct (/repo/node_modules/lib/index.js:1:1)',
    'new DataStack (/repo/src/stacks/data.ts:12:5)',
    '<anonymous> (/repo/src/main.ts:3:1)',
  ].join('\n');
  expect(projectSourceLocation([trace], ROOT)).toEqual({ file: 'src/stacks/data.ts', line: 12, column: 5 });
});

test('reads `at` frames, frames without a function name and file URLs', () => {
  expect(projectSourceLocation(['    at new X (/repo/src/a.ts:1:2)'], ROOT)).toEqual({ file: 'src/a.ts', line: 1, column: 2 });
  expect(projectSourceLocation(['    at /repo/src/b.ts:3:4'], ROOT)).toEqual({ file: 'src/b.ts', line: 3, column: 4 });
  expect(projectSourceLocation(['fn (file:///repo/src/c.mts:5:6)'], ROOT)).toEqual({ file: 'src/c.mts', line: 5, column: 6 });
});

test('ignores frames outside the source dirs or the repository', () => {
  expect(projectSourceLocation(['x (/repo/test/a.test.ts:1:1)', 'y (/elsewhere/src/a.ts:1:1)'], ROOT)).toBeUndefined();
  expect(projectSourceLocation(['x (/repo/test/a.test.ts:1:1)'], ROOT, ['test'])).toEqual({ file: 'test/a.test.ts', line: 1, column: 1 });
  expect(projectSourceLocation(['...node internals, tsx...', ''], ROOT)).toBeUndefined();
});
