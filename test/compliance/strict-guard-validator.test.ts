import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { StrictCfnGuardValidator } from '../../src/compliance/strict-guard-validator';

/** A small app whose bucket and queue break several Control Tower controls. */
function synthesizeNonCompliant(plugin?: StrictCfnGuardValidator) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'guard-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  if (plugin) Validations.of(app).addPlugins(plugin);
  const stack = new Stack(app, 'Probe');
  const bucket = new s3.Bucket(stack, 'Bucket');
  new sqs.Queue(stack, 'Queue');
  return { app, bucket, templatePath: path.join(outdir, 'Probe.template.json') };
}

test('finds exactly what the unfiltered Control Tower rule set finds, and marks each an error', () => {
  const { app, templatePath } = synthesizeNonCompliant();
  app.synth();
  const context = { templatePaths: [templatePath], stackTemplates: [] } as any;
  const names = (report: { violations: Array<{ ruleName: string }> }) => report.violations.map((violation) => violation.ruleName).sort();
  const unfiltered = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate(context);
  const filtered = new StrictCfnGuardValidator().validate(context);
  expect(names(unfiltered).length).toBeGreaterThan(2);
  expect(names(filtered)).toEqual(names(unfiltered));
  expect(filtered.violations.every((violation) => violation.severity === 'error')).toBe(true);
});

test('each template is checked against the rule files about its own resource types, and that finds what the whole rule set finds', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'guard-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  new s3.Bucket(new Stack(app, 'Buckets'), 'Bucket');
  new sqs.Queue(new Stack(app, 'Queues'), 'Queue');
  app.synth();
  const templatePaths = ['Buckets', 'Queues'].map((stack) => path.join(outdir, `${stack}.template.json`));
  const context = { templatePaths, stackTemplates: [] } as any;
  const findings = (report: PolicyValidationPluginReport) => report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.resourceLogicalId}@${path.basename(resource.templatePath ?? '')}`)).sort();
  const unfiltered = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate(context);

  // What each cfn-guard run was given: its templates, and the rule files of the validator that ran it.
  const spy = jest.spyOn(CfnGuardValidator.prototype, 'validate');
  let filtered: PolicyValidationPluginReport;
  let runs: Array<{ templates: string[]; ruleFiles: string[] }>;
  try {
    filtered = new StrictCfnGuardValidator().validate(context);
    runs = spy.mock.calls.map(([called], index) => ({
      templates: called.templatePaths.map((file) => path.basename(file)),
      ruleFiles: ((spy.mock.contexts[index] as any).rulesPaths as string[]).map((file) => path.basename(file)),
    }));
  } finally {
    spy.mockRestore();
  }
  const ruleFilesFor = (template: string) => runs.find((run) => run.templates.includes(path.basename(template)))!.ruleFiles;
  expect(runs.map((run) => run.templates)).toEqual([['Buckets.template.json'], ['Queues.template.json']]);
  expect(ruleFilesFor(templatePaths[0])).toEqual(expect.arrayContaining(['ct-s3-pr-11.guard']));
  expect(ruleFilesFor(templatePaths[0]).some((file) => file.startsWith('ct-sqs-'))).toBe(false);
  expect(ruleFilesFor(templatePaths[1]).some((file) => file.startsWith('ct-sqs-'))).toBe(true);
  expect(ruleFilesFor(templatePaths[1]).some((file) => file.startsWith('ct-s3-'))).toBe(false);
  expect(findings(unfiltered).filter((finding) => finding.includes('@Queues')).length).toBeGreaterThan(0);
  expect(findings(filtered)).toEqual(findings(unfiltered));
});

test('started early for templates whose stacks it was not told, it checks them in the main thread instead of passing them unchecked', () => {
  const { app, templatePath } = synthesizeNonCompliant();
  app.synth();
  const context = { templatePaths: [templatePath], stackTemplates: [] } as any;
  const early = new StrictCfnGuardValidator();
  early.start(context);
  const report = early.validate(context);
  expect(report.success).toBe(false);
  const inMainThread = new StrictCfnGuardValidator().validate(context);
  expect(report.violations.map((violation) => violation.ruleName)).toEqual(inMainThread.violations.map((violation) => violation.ruleName));
  expect(report.violations.length).toBeGreaterThan(2);
});

test('every Control Tower rule file selects resources only by types it names literally, which choosing rule files by type relies on', () => {
  // Checked again whenever the rules package changes: a rule reading resources some other way could find
  // something in a template that has none of the types it names, and the choice would then skip it.
  const rulesRoot = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
  const files = readdirSync(rulesRoot, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.guard'));
  const unexpected: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(rulesRoot, file), 'utf8').replace(/^\s*#.*$/gm, '');
    const literalTypes = new Set([...text.matchAll(/^let\s+(\w+)\s*=\s*["']AWS::[A-Za-z0-9]+::[A-Za-z0-9]+["']/gm)].map((match) => match[1]));
    const selections = [...text.matchAll(/=\s*(%\w+\.)?Resources(\.\*)?\[([^\]]*)\]/g)];
    for (const [selection, , , filter] of selections) {
      // A lookup by logical id (query_for_resource), whose type the rule then compares with a literal.
      if (/^\s*keys\s*==\s*%\w+\s*$/.test(filter)) continue;
      const byLiteralType = filter.split(/\bor\b/).every((condition) => literalTypes.has(/^\s*Type\s*==\s*%(\w+)\s*$/.exec(condition)?.[1] ?? ''));
      if (!byLiteralType) unexpected.push(`${file}: ${selection.replace(/\s+/g, ' ')}`);
    }
    if (selections.filter(([, , star]) => star).length !== (text.match(/\bResources\.\*/g) ?? []).length) unexpected.push(`${file}: reads Resources.* outside a selection`);
    if (literalTypes.size === 0) unexpected.push(`${file}: names no resource type, so it would never run`);
  }
  expect(files.length).toBeGreaterThan(200);
  expect(unexpected).toEqual([]);
});

test('an unacknowledged Control Tower finding fails the synth even when another one is acknowledged', () => {
  const { app, bucket } = synthesizeNonCompliant(new StrictCfnGuardValidator());
  Validations.of(bucket).acknowledge({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'test' });
  expect(() => app.synth()).toThrow(/sqs|s3_bucket_versioning/i);
});

test('a disabled rule file is not run', () => {
  const { app, templatePath } = synthesizeNonCompliant();
  app.synth();
  const context = { templatePaths: [templatePath], stackTemplates: [] } as any;
  const rule = 's3_bucket_versioning_enabled_check';
  expect(new StrictCfnGuardValidator().validate(context).violations.map((v) => v.ruleName)).toContain(rule);
  expect(new StrictCfnGuardValidator({ disabledRules: ['ct-s3-pr-11'] }).validate(context).violations.map((v) => v.ruleName)).not.toContain(rule);
});

test('started early in its worker thread, and then served from the per-template cache, it reports what it reports in the main thread', () => {
  const { app, templatePath } = synthesizeNonCompliant();
  app.synth();
  const stackTemplates = [{ templatePath, stackConstructPath: 'Probe', accountId: undefined, region: undefined }];
  const context = { templatePaths: [templatePath], stackTemplates } as any;
  const normalized = (report: PolicyValidationPluginReport) =>
    report.violations.map((violation) => {
      const resources = violation.violatingResources.map((resource) => `${resource.resourceLogicalId}@${resource.templatePath}`);
      return `${violation.ruleName} ${violation.severity} ${resources.sort().join(',')}`;
    }).sort();

  const inMainThread = new StrictCfnGuardValidator().validate(context);
  const early = new StrictCfnGuardValidator();
  early.start(context);
  const fromWorkerOrCache = early.validate(context);
  const again = new StrictCfnGuardValidator();
  again.start(context);
  const fromCache = again.validate(context);

  expect(normalized(inMainThread).length).toBeGreaterThan(2);
  expect(normalized(fromWorkerOrCache)).toEqual(normalized(inMainThread));
  expect(normalized(fromCache)).toEqual(normalized(inMainThread));
  expect(fromCache.success).toBe(false);
});
