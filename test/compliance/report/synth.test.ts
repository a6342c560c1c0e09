import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnWaitConditionHandle, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { removeCopies, scratchDir } from './fixtures';
import { sarifValidator } from './sarif-schema';
import type { Finding } from '../../../src/compliance/report/model';
import { writeComplianceReports, WriteReportsResult } from '../../../src/compliance/report/write-reports';

afterAll(removeCopies);

/*
 * Guards the measured report format against aws-cdk-lib, cdk-nag and
 * cdk-validator-cfnguard upgrades: a real synth with both acknowledgement forms.
 */
function synthesize(outdir: string) {
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());
  const stack = new Stack(app, 'Data');
  const plain = new s3.Bucket(stack, 'Plain', { enforceSSL: true });
  Validations.of(plain).acknowledge({ id: 'AwsSolutions-S1', reason: 'plain reason' });
  const namespaced = new s3.Bucket(stack, 'Namespaced', { enforceSSL: true });
  Validations.of(namespaced).acknowledge({ id: 'AwsSolutions::AwsSolutions-S1', reason: 'namespaced reason' });
  new s3.Bucket(stack, 'Open', { enforceSSL: true });
  const inner = new Stack(new Stage(app, 'Prod'), 'Queue');
  new sqs.Queue(inner, 'Q');
  // Under jest aws-cdk-lib throws the whole report, after writing validation-report.json.
  expect(() => app.synth()).toThrow(/A copy of this report can be found in: /);
}

describe('a synthesized app', () => {
  let result: WriteReportsResult;
  let s1: Finding[];
  beforeAll(() => {
    const outdir = path.join(scratchDir(), 'cdk.out');
    synthesize(outdir);
    result = writeComplianceReports(outdir, { repoRoot: path.join(__dirname, '..', '..', '..'), sourceDirs: ['test'] });
    s1 = result.model.findings.filter(f => f.qualifiedRuleId === 'AwsSolutions::AwsSolutions-S1');
  });

  test('fails, with the namespaced acknowledgement applied by aws-cdk-lib', () => {
    expect(result.passed).toBe(false);
    expect(s1.map(f => [f.constructPath, f.acknowledged?.reason, f.acknowledged?.at])).toEqual([
      ['Data/Namespaced/Resource', 'namespaced reason', 'Data/Namespaced'],
      ['Data/Open/Resource', undefined, undefined],
    ]);
  });

  test('recovers the plain acknowledgement cdk-nag applied itself from the metadata', () => {
    expect(result.model.unreportedAcknowledgements).toEqual([expect.objectContaining({
      id: 'Annotation::AwsSolutions-S1',
      at: 'Data/Plain',
      reason: 'plain reason',
      qualifiedRuleId: 'AwsSolutions::AwsSolutions-S1',
      status: 'unverifiable',
    })]);
  });

  test('locates cdk-nag findings in the template and in this file', () => {
    expect(s1[1]).toMatchObject({ templatePath: 'Data.template.json', logicalId: expect.stringMatching(/^Open[0-9A-F]{8}$/) });
    expect(s1[1].source?.file).toBe('test/compliance/report/synth.test.ts');
  });

  test('takes cfn-guard resources in nested assemblies from the report', () => {
    const dlq = result.model.findings.find(f => f.qualifiedRuleId === 'cdk-validator-cfnguard::sqs_dlq_check')!;
    expect(dlq).toMatchObject({ constructPath: 'Prod/Queue/Q/Resource', templatePath: expect.stringMatching(/^assembly-Prod\/.*\.template\.json$/) });
  });

  test('writes a valid SARIF log', () => {
    const validate = sarifValidator();
    expect(validate(JSON.parse(fs.readFileSync(result.files[1], 'utf8')))).toBe(true);
  });
});

test('a passing app gets an empty report', () => {
  const outdir = path.join(scratchDir(), 'cdk.out');
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new CfnWaitConditionHandle(new Stack(app, 'Quiet'), 'Handle');
  app.synth();
  const { model } = writeComplianceReports(outdir);
  expect(model.reportFound).toBe(true);
  expect(model.plugins).toEqual([]);
  expect(model.passed).toBe(true);
});
