import { mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { mergeViolations, TemplateReportCache, violationsByTemplate, withoutRepositoryRoot } from '../../../src/compliance/background/template-report-cache';

const A = '/assembly/A.template.json';
const B = '/assembly/B.template.json';

const report: PolicyValidationPluginReport = {
  success: false,
  violations: [
    { ruleName: 'r1', description: 'd1', severity: 'error', violatingResources: [{ resourceLogicalId: 'X', templatePath: A, locations: [] }, { resourceLogicalId: 'Y', templatePath: B, locations: [] }] },
    { ruleName: 'r2', description: 'd2', severity: 'warning', violatingResources: [{ resourceLogicalId: 'Z', templatePath: B, locations: [] }] },
  ],
};

describe('findings kept per template', () => {
  test('split by template and merged again, a report is the same report', () => {
    const split = violationsByTemplate(report, [A, B])!;
    expect(split.get(A)!.map((violation) => violation.ruleName)).toEqual(['r1']);
    expect(split.get(B)!.map((violation) => violation.ruleName)).toEqual(['r1', 'r2']);
    expect(mergeViolations([split.get(A)!, split.get(B)!])).toEqual(report.violations);
  });

  test('a finding that names no template of the run cannot be split, so nothing of that run is kept', () => {
    const unattributed = { ...report, violations: [{ ruleName: 'r3', description: 'd3', violatingResources: [{ resourceLogicalId: 'W', locations: [] }] }] } as unknown as PolicyValidationPluginReport;
    expect(violationsByTemplate(unattributed, [A, B])).toBeUndefined();
  });

  test('a template\'s findings are kept under its bytes, its stack and the plugin, and come back with its path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cache-'));
    const template = path.join(dir, 'S.template.json');
    writeFileSync(template, '{"Resources":{}}');
    const stack = { templatePath: template, stackConstructPath: 'App/S', accountId: '111111111111', region: 'eu-west-1' };
    // Its own folder: the entries of a test must not end up in the repository's cache.
    const cache = TemplateReportCache.forPlugin('test-plugin@1', dir)!;
    const key = cache.keyOf(stack);
    expect(cache.keyOf({ ...stack, accountId: '222222222222' })).not.toBe(key);
    expect(cache.keyOf({ ...stack, stackConstructPath: 'App/T' })).not.toBe(key);
    expect(TemplateReportCache.forPlugin('test-plugin@2', dir)!.keyOf(stack)).not.toBe(key);
    expect(cache.read(key, template)).toBeUndefined();

    cache.write(key, violationsByTemplate(report, [A, B])!.get(A)!);
    const moved = path.join(dir, 'elsewhere.template.json');
    expect(cache.read(key, moved)).toEqual([{ ...report.violations[0], violatingResources: [{ resourceLogicalId: 'X', templatePath: moved, locations: [] }] }]);

    writeFileSync(template, '{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}');
    expect(cache.keyOf(stack)).not.toBe(key);
  });

  test('a path in the repository counts by its place in it, so a checkout elsewhere finds the same keys', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const props = (rules: string) => JSON.stringify({ rules: [rules] });
    expect(withoutRepositoryRoot(props(path.join(root, 'node_modules', 'x.guard')))).toBe(props('\0/node_modules/x.guard').replace('\\u0000', '\0'));
    // The marker cannot be written in JSON text: an identity naming it literally stays apart.
    expect(withoutRepositoryRoot(props(path.join(root, 'node_modules', 'x.guard')))).not.toBe(withoutRepositoryRoot(props('\0/node_modules/x.guard')));
    expect(withoutRepositoryRoot(props('/elsewhere/node_modules/x.guard'))).toBe(props('/elsewhere/node_modules/x.guard'));
  });

  test('reading an entry touches it, so a build can drop the entries it did not use before CI saves the cache', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cache-'));
    const template = path.join(dir, 'S.template.json');
    writeFileSync(template, '{}');
    const cache = TemplateReportCache.forPlugin('test-plugin@1', dir)!;
    const key = cache.keyOf({ templatePath: template, stackConstructPath: 'App/S', accountId: undefined, region: undefined });
    cache.write(key, []);
    const [entry] = readdirSync(dir).filter((file) => file !== 'S.template.json').map((file) => path.join(dir, file));
    const lastWeek = new Date(Date.now() - 7 * 24 * 3600 * 1000);
    utimesSync(entry, lastWeek, lastWeek);
    const beforeRead = Date.now();
    expect(cache.read(key, template)).toEqual([]);
    expect(statSync(entry).mtimeMs).toBeGreaterThanOrEqual(beforeRead - 1000);
  });

  test('PLATFORM_GATE_CACHE=off turns it off', () => {
    process.env.PLATFORM_GATE_CACHE = 'off';
    try {
      expect(TemplateReportCache.forPlugin('test-plugin@1')).toBeUndefined();
    } finally {
      delete process.env.PLATFORM_GATE_CACHE;
    }
  });
});
