import { fixtureModel } from './fixtures';
import { keywordsOf, readSchema, SHARED_KEYWORDS, sarifValidator } from './sarif-schema';
import type { ComplianceModel, Finding } from '../../../src/compliance/report/model';
import { renderSarif } from '../../../src/compliance/report/sarif';

const validate = sarifValidator();

function onlyFinding(overrides: Partial<Finding>): ComplianceModel {
  const finding: Finding = {
    plugin: 'P', ruleId: 'R', qualifiedRuleId: 'P::R', severity: 'error', description: 'd', constructPath: 'S/C/Resource', ...overrides,
  };
  return { assemblyLabel: 'cdk.out', reportFound: true, passed: false, plugins: [], findings: [finding], unreportedAcknowledgements: [] };
}

test('the shipped schema is the SARIF 2.1.0 schema, with its draft-04 header intact', () => {
  const schema = readSchema();
  expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
  expect(schema.id).toBe('https://raw.githubusercontent.com/schemastore/schemastore/master/src/schemas/json/sarif-2.1.0-rtm.5.json');
  expect(schema.title).toBe('Static Analysis Results Format (SARIF) Version 2.1.0-rtm.5 JSON Schema');
});

test('the schema uses only keywords that ajv 8 evaluates as draft-04 does', () => {
  expect([...keywordsOf(readSchema())].filter(k => !SHARED_KEYWORDS.includes(k))).toEqual([]);
});

test.each(['findings', 'passing'])('%s: the SARIF log is valid against the schema', fixture => {
  const valid = validate(renderSarif(fixtureModel(fixture)));
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
});

test('the schema validator does reject an invalid log', () => {
  expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
});

describe('findings fixture', () => {
  const run = renderSarif(fixtureModel('findings')).runs[0];

  test('every result points at its rule, and rules are unique and described', () => {
    const ids = run.tool.driver.rules.map(r => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    }
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text).not.toBe('');
      expect(rule.help.text).not.toBe('');
    }
  });

  test('the rule help carries the suggested fix', () => {
    const rule = run.tool.driver.rules.find(r => r.id === 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check')!;
    expect(rule.help.text).toContain("Fix: Set the 'Status' in 'VersioningConfiguration' to Enabled.");
    expect(rule.helpUri).toBe('https://github.com/cdklabs/cdk-validator-cfnguard#bundled-control-tower-rules');
  });

  test('acknowledged findings are suppressed results with the reason as justification', () => {
    const suppressed = run.results.filter(r => r.suppressions);
    expect(suppressed.map(r => [r.ruleId, r.suppressions![0].kind, r.suppressions![0].justification])).toEqual([
      ['AwsSolutions::AwsSolutions-IAM4', 'inSource', 'AWS managed policies are approved for CodePipeline roles.'],
      ['AwsSolutions::AwsSolutions-S1', 'inSource', 'Access logs are replicated to the central logging account.'],
      ['cdk-validator-cfnguard::s3_bucket_logging_enabled_check', 'inSource', 'Logging | replication: see ADR 12.\nReviewed by security.'],
      ['AwsSolutions::AwsSolutions-S10', 'inSource', 'Only the pipeline role can reach this bucket.'],
    ]);
    expect(suppressed[1].suppressions![0].location?.physicalLocation).toEqual({
      artifactLocation: { uri: 'src/pipeline/pipeline-stack.ts' }, region: { startLine: 27, startColumn: 30 },
    });
  });

  test('logical locations name the construct path and the template resource', () => {
    const result = run.results.find(r => r.ruleId === 'AwsSolutions::AwsSolutions-ELB2')!;
    expect(result.locations[0].logicalLocations).toEqual([
      { name: 'Resource', fullyQualifiedName: 'Prod/Service/LB/Resource', kind: 'resource' },
      { name: 'LB8A12904C', fullyQualifiedName: 'assembly-Prod/ProdService5A3F9C21.template.json/LB8A12904C', kind: 'resource' },
    ]);
  });

  test('a crashed plugin is reported as a failed invocation', () => {
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^Org Policies: .*ENOENT/);
  });
});

describe('physical location', () => {
  const locationOf = (model: ComplianceModel) => renderSarif(model).runs[0].results[0].locations[0].physicalLocation;

  test('prefers the project source line', () => {
    const model = onlyFinding({ source: { file: 'src/a.ts', line: 3, column: 7 }, templatePath: 'S.template.json', logicalId: 'C1', templateLine: 9 });
    expect(locationOf(model)).toEqual({ artifactLocation: { uri: 'src/a.ts' }, region: { startLine: 3, startColumn: 7 } });
  });

  test('falls back to the resource in the template', () => {
    const model = onlyFinding({ templatePath: 'assembly-Prod/S.template.json', logicalId: 'C1', templateLine: 9 });
    expect(locationOf(model)).toEqual({ artifactLocation: { uri: 'cdk.out/assembly-Prod/S.template.json' }, region: { startLine: 9 } });
  });

  test('falls back to the manifest when nothing else is known', () => {
    expect(locationOf(onlyFinding({}))).toEqual({ artifactLocation: { uri: 'cdk.out/manifest.json' } });
  });
});

test.each([
  ['fatal', 'error'], ['error', 'error'], ['warning', 'warning'], ['info', 'note'], ['custom', 'warning'],
] as const)('severity %s maps to level %s', (severity, level) => {
  const run = renderSarif(onlyFinding({ severity })).runs[0];
  expect(run.results[0].level).toBe(level);
  expect(run.tool.driver.rules[0].defaultConfiguration.level).toBe(level);
});

test('tool name and category are configurable', () => {
  const run = renderSarif(onlyFinding({}), { toolName: 'platform-compliance', category: 'cdk/prod' }).runs[0];
  expect(run.tool.driver.name).toBe('platform-compliance');
  expect(run.automationDetails).toEqual({ id: 'cdk/prod' });
});
