import { fixtureModel } from './fixtures';
import { renderMarkdown } from '../../../src/compliance/report/markdown';

describe('findings fixture', () => {
  const markdown = renderMarkdown(fixtureModel('findings'));

  test('headlines FAIL with counts', () => {
    expect(markdown.split('\n')[0]).toBe('# Compliance report: FAIL');
    expect(markdown).toContain('5 findings to fix (3 error, 2 warning) and 3 acknowledged, from 4 validation plugins');
  });

  test('lists each acknowledgement with its reason, escaped for the table', () => {
    const section = markdown.slice(markdown.indexOf('## Acknowledgements\n'), markdown.indexOf('## Acknowledgements without'));
    expect(section).toContain('| `AwsSolutions::AwsSolutions-S1` | `Pipeline/ArtifactsBucket/Resource` | `Pipeline/ArtifactsBucket` | '
      + '`src/pipeline/pipeline-stack.ts:27` | Access logs are replicated to the central logging account. |');
    expect(section).toContain('| the app | `src/main.ts:6` | AWS managed policies are approved for CodePipeline roles. |');
    expect(section).toContain('| Logging \\| replication: see ADR 12.<br>Reviewed by security. |');
  });

  test('lists acknowledgements the report lacks, with what to do about plain IDs', () => {
    expect(markdown).toContain('| `Annotation::AwsSolutions-S10` | `Pipeline/SourceBucket` |');
    expect(markdown).toContain('acknowledge `AwsSolutions::AwsSolutions-S10` instead');
    expect(markdown).toMatch(/\| `AwsSolutions::AwsSolutions-ECS2` .* \| matched no finding: remove it, or fix where it points \|/);
  });

  test('flags a plugin whose success conclusion hides error findings, and a crashed plugin', () => {
    expect(markdown).toContain('> **cdk-validator-cfnguard** concluded success with 1 unacknowledged error finding');
    expect(markdown).toContain("> **Org Policies** failed to run: Validation plugin 'Org Policies' failed");
  });

  test('orders findings to fix by severity, and shows template, logical ID, source and fix', () => {
    const section = markdown.slice(markdown.indexOf('## Findings to fix'), markdown.indexOf('## Acknowledgements\n'));
    const rows = section.split('\n').filter(l => l.startsWith('| `'));
    expect(rows.map(r => r.split(' | ')[1])).toEqual(['error', 'error', 'error', 'warning', 'warning']);
    expect(rows[2]).toContain('| `Pipeline.template.json` `ArtifactsBucket2AAC5544` | `src/pipeline/pipeline-stack.ts:24` |');
    expect(rows[2]).toContain("<br>**Fix:** Set the 'Status' in 'VersioningConfiguration' to Enabled. |");
  });

  test('has no timestamps', () => {
    expect(markdown).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});

test('a report listing no plugin passes', () => {
  const markdown = renderMarkdown(fixtureModel('passing'));
  expect(markdown).toBe('# Compliance report: PASS\n\n'
    + 'Every validation plugin passed with nothing acknowledged (`cdk.out/validation-report.json` lists no plugin).\n');
});

test('a model without a report is a failure: nothing was checked', () => {
  const markdown = renderMarkdown(fixtureModel('no-report'));
  expect(markdown).toContain('# Compliance report: FAIL');
  expect(markdown).toContain('Nothing was checked: `cdk.out/validation-report.json` is missing or empty, so no validation plugin ran.');
});

test('the findings to fix come before the tables of plugins and rules', () => {
  const markdown = renderMarkdown(fixtureModel('findings'));
  const order = ['## Findings to fix', '## Plugins', '## Rules', '## Acknowledgements'].map(heading => markdown.indexOf(heading));
  expect(order.every(index => index > 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});
