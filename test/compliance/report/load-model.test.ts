import * as fs from 'fs';
import * as path from 'path';
import { assemblyOf, copyOfAssembly, fixtureModel, OPTIONS, removeCopies } from './fixtures';
import { ReportInputError } from '../../../src/compliance/report/input-error';
import { loadComplianceModel } from '../../../src/compliance/report/load-model';

afterAll(removeCopies);

describe('findings fixture', () => {
  const model = fixtureModel('findings');
  const find = (rule: string, construct: string) => model.findings.find(f => f.qualifiedRuleId === rule && f.constructPath === construct)!;

  test('recovers template and logical ID of cdk-nag findings from the assembly metadata, nested assemblies included', () => {
    expect(find('AwsSolutions::AwsSolutions-ELB2', 'Prod/Service/LB/Resource')).toMatchObject({
      templatePath: 'assembly-Prod/ProdService5A3F9C21.template.json',
      logicalId: 'LB8A12904C',
      templateLine: 6,
      source: { file: 'src/service/service-stack.ts', line: 31, column: 17 },
    });
  });

  test('maps a finding on a stack to its template', () => {
    expect(find('CloudFormation-Validate::W3005', 'Prod/Service')).toMatchObject({
      templatePath: 'assembly-Prod/ProdService5A3F9C21.template.json', logicalId: undefined,
    });
  });

  test('keeps suppressed violations as acknowledged findings; App-level ones are declared at ""', () => {
    expect(find('AwsSolutions::AwsSolutions-IAM4', 'Pipeline/PipelineRole/Resource').acknowledged).toEqual({
      id: 'AwsSolutions::AwsSolutions-IAM4',
      reason: 'AWS managed policies are approved for CodePipeline roles.',
      at: '',
      source: { file: 'src/main.ts', line: 6, column: 21 },
    });
  });

  test('adds the acknowledgements only the metadata has, without repeating reported ones', () => {
    expect(model.unreportedAcknowledgements.map(a => [a.id, a.at, a.qualifiedRuleId, a.status])).toEqual([
      ['Annotation::AwsSolutions-S10', 'Pipeline/SourceBucket', 'AwsSolutions::AwsSolutions-S10', 'unverifiable'],
      ['AwsSolutions::AwsSolutions-ECS2', 'Prod/Service', 'AwsSolutions::AwsSolutions-ECS2', 'unused'],
    ]);
  });

  test('fails on a plugin failure or an unacknowledged error even when the plugin concluded success', () => {
    expect(model.passed).toBe(false);
  });
});

function withReport(report: object): string {
  const dir = copyOfAssembly('passing');
  fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify(report));
  return dir;
}

const violation = (severity: string) => ({
  ruleName: 'R1', description: 'd', severity, violatingConstructs: [{ constructPath: 'Pipeline/Handle' }],
});

test('passes with only warnings when every plugin concluded success', () => {
  const dir = withReport({ version: '55.0.0', pluginReports: [{ pluginName: 'P', conclusion: 'success', violations: [violation('warning')] }] });
  expect(loadComplianceModel(dir, OPTIONS).passed).toBe(true);
});

test('fails on an unacknowledged error the plugin concluded success on', () => {
  const dir = withReport({ version: '55.0.0', pluginReports: [{ pluginName: 'P', conclusion: 'success', violations: [violation('error')] }] });
  expect(loadComplianceModel(dir, OPTIONS).passed).toBe(false);
});

test('a severity aws-cdk-lib does not know becomes custom', () => {
  const dir = withReport({ version: '55.0.0', pluginReports: [{ pluginName: 'P', conclusion: 'success', violations: [violation('critical')] }] });
  expect(loadComplianceModel(dir, OPTIONS).findings[0].severity).toBe('custom');
});

test('no manifest.json is an input error, even when a report exists', () => {
  const dir = copyOfAssembly('passing');
  fs.rmSync(path.join(dir, 'manifest.json'));
  expect(() => loadComplianceModel(dir)).toThrow(ReportInputError);
  expect(() => loadComplianceModel(dir)).toThrow(/manifest\.json not found/);
});

test('a truncated report is an input error naming the file', () => {
  expect(() => loadComplianceModel(assemblyOf('corrupt'))).toThrow(/validation-report\.json is not valid JSON/);
});

test('a report of another shape is an input error naming the offending field', () => {
  const dir = withReport({ version: '55.0.0', pluginReports: [{ pluginName: 'P', conclusion: 'maybe', violations: [] }] });
  expect(() => loadComplianceModel(dir)).toThrow(/does not look like a CDK validation report: pluginReports\.0\.conclusion: /);
});
