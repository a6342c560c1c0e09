import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TemplateReportCache } from '../../../src/compliance/background/template-report-cache';
import { writeGuardScopes } from '../../../src/compliance/control-tower/guard-scopes';
import { StrictCfnGuardValidator } from '../../../src/compliance/control-tower/strict-guard-validator';

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

/** Every finding, one line per resource: rule, resource, the template it is in and where in it. */
const findings = (report: PolicyValidationPluginReport) => report.violations.flatMap((violation) =>
  violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.resourceLogicalId}@${path.basename(resource.templatePath ?? '')} ${resource.locations.join(',')}`)).sort();

/** The same, with each finding's description and fix. */
const describedFindings = (report: PolicyValidationPluginReport) => report.violations.flatMap((violation) =>
  violation.violatingResources.map((resource) => `${resource.resourceLogicalId}@${path.basename(resource.templatePath ?? '')} ${JSON.stringify({ ...violation, violatingResources: undefined })}`)).sort();

/**
 * Small templates, and what the whole Control Tower rule set finds in them: Probe (a bucket and a queue),
 * Buckets (a bucket), Referencing (a queue and a public Lambda permission whose SourceArn references it),
 * and two inline policies allowing every action of a service, one named in ASCII (AsciiActions), one not
 * (AccentedActions). The whole rule set runs once for the file: it is the slowest step here.
 */
let fixture: {
  templatePath: (stack: string) => string;
  unfilteredIn: (...stacks: string[]) => string[];
  describedIn: (...stacks: string[]) => string[];
  referencedQueue: string;
};
beforeAll(() => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'guard-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const probe = new Stack(app, 'Probe');
  new s3.Bucket(probe, 'Bucket');
  new sqs.Queue(probe, 'Queue');
  new s3.Bucket(new Stack(app, 'Buckets'), 'Bucket');
  const referencing = new Stack(app, 'Referencing');
  const queue = new sqs.Queue(referencing, 'Queue');
  // CT.LAMBDA.PR.2 accepts a public permission whose SourceArn references a resource of the template (any type).
  new lambda.CfnPermission(referencing, 'Permission', { action: 'lambda:InvokeFunction', functionName: 'fn', principal: '*', sourceArn: queue.queueArn });
  for (const [stack, service] of [['AsciiActions', 's3'], ['AccentedActions', 'sé']]) {
    new iam.CfnPolicy(new Stack(app, stack), 'Policy', {
      policyName: 'everything',
      roles: ['some-role'],
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `${service}:*`, Resource: '*' }] },
    });
  }
  app.synth();
  const templatePath = (stack: string) => path.join(outdir, `${stack}.template.json`);
  const report = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate({
    templatePaths: ['Probe', 'Buckets', 'Referencing', 'AsciiActions', 'AccentedActions'].map(templatePath),
    stackTemplates: [],
  } as any);
  const inStacks = (list: string[], stacks: string[]) => list.filter((finding) => stacks.some((stack) => finding.includes(`@${stack}.template.json `)));
  fixture = {
    templatePath,
    unfilteredIn: (...stacks) => inStacks(findings(report), stacks),
    describedIn: (...stacks) => inStacks(describedFindings({ ...report, violations: report.violations.map((violation) => ({ ...violation, severity: 'error' })) }), stacks),
    referencedQueue: referencing.getLogicalId(queue.node.defaultChild as sqs.CfnQueue),
  };
});

test('finds exactly what the unfiltered Control Tower rule set finds, and marks each an error', () => {
  const filtered = new StrictCfnGuardValidator().validate({ templatePaths: [fixture.templatePath('Probe')], stackTemplates: [] } as any);
  expect(fixture.unfilteredIn('Probe').length).toBeGreaterThan(2);
  expect(findings(filtered)).toEqual(fixture.unfilteredIn('Probe'));
  expect(filtered.violations.every((violation) => violation.severity === 'error')).toBe(true);
});

/** Validates with the validator, recording what each cfn-guard run was given: the rule files and each template's resources. */
function validateRecordingRuns(validator: StrictCfnGuardValidator, context: any) {
  const runs: Array<{ ruleFiles: string[]; templates: Array<Record<string, { Type: string }>> }> = [];
  const original = CfnGuardValidator.prototype.validate;
  // Recorded when called: the validator removes its cut-down templates once it has the findings.
  const spy = jest.spyOn(CfnGuardValidator.prototype, 'validate').mockImplementation(function (this: CfnGuardValidator, called) {
    runs.push({
      ruleFiles: ((this as any).rulesPaths as string[]).map((file) => readFileSync(file, 'utf8')),
      templates: called.templatePaths.map((file) => JSON.parse(readFileSync(file, 'utf8')).Resources),
    });
    return original.call(this, called);
  });
  try {
    return { report: validator.validate(context), runs };
  } finally {
    spy.mockRestore();
  }
}

test('each cfn-guard run gets the rule files about some types and only the resources of those types, and finds what the whole rule set finds', () => {
  const context = { templatePaths: ['Buckets', 'Probe'].map(fixture.templatePath), stackTemplates: [] } as any;

  const { report, runs } = validateRecordingRuns(new StrictCfnGuardValidator(), context);

  expect(fixture.unfilteredIn('Probe').filter((finding) => finding.includes('Queue')).length).toBeGreaterThan(0);
  expect(findings(report)).toEqual(fixture.unfilteredIn('Buckets', 'Probe'));
  for (const run of runs) {
    const typesOfRun = new Set(run.templates.flatMap((resources) => Object.values(resources).map((resource) => resource.Type)));
    expect(typesOfRun.size).toBe(1);
    for (const text of run.ruleFiles) expect([...typesOfRun].some((type) => text.includes(type))).toBe(true);
  }
  const sqsRuns = runs.filter((run) => run.templates.some((resources) => Object.values(resources).some((resource) => resource.Type === 'AWS::SQS::Queue')));
  expect(sqsRuns).toHaveLength(1);
  expect(sqsRuns[0].templates).toHaveLength(1);
  expect(sqsRuns[0].ruleFiles.some((text) => text.includes('AWS::S3::Bucket'))).toBe(false);
  // Both templates' buckets went to the same run.
  expect(runs.filter((run) => run.templates.length === 2)).toHaveLength(1);
});

test('a resource is checked together with the resources it references, which rules look up by logical id', () => {
  const context = { templatePaths: [fixture.templatePath('Referencing')], stackTemplates: [] } as any;

  const { report, runs } = validateRecordingRuns(new StrictCfnGuardValidator(), context);

  const permissionRun = runs.find((run) => run.ruleFiles.some((text) => text.includes('CT.LAMBDA.PR.2')))!;
  expect(Object.keys(permissionRun.templates[0]).sort()).toEqual([fixture.referencedQueue, 'Permission'].sort());
  expect(findings(report).some((finding) => finding.startsWith('lambda_function_public_access_prohibited_check'))).toBe(false);
  expect(findings(report)).toEqual(fixture.unfilteredIn('Referencing'));
});

test('runs the ASCII texts of rule files where every template of a run is ASCII, and the rule files themselves where one is not', () => {
  const wildcardPattern = (runs: ReturnType<typeof validateRecordingRuns>['runs']) =>
    runs.flatMap((run) => run.ruleFiles).filter((text) => text.includes('[CT.IAM.PR.5]')).map((text) => /WILDCARD_ACTION_PATTERN = (.*)/.exec(text)?.[1]);
  const fullAccess = (report: PolicyValidationPluginReport) => findings(report).filter((finding) => finding.startsWith('iam_inline_policy_no_statements_with_full_access_check'));

  const ascii = '/^[[:word:]]*[:]*\\*$/';
  const original = '/^[\\w]*[:]*\\*$/';
  // One template of a run that is not ASCII is enough for the run to use the rule files themselves.
  for (const [stacks, pattern] of [[['AsciiActions'], ascii], [['AccentedActions'], original], [['AsciiActions', 'AccentedActions'], original]] as const) {
    const context = { templatePaths: stacks.map(fixture.templatePath), stackTemplates: [] };
    const { report, runs } = validateRecordingRuns(new StrictCfnGuardValidator(), context);

    expect(wildcardPattern(runs)).toEqual([pattern]);
    // `sé` is made of word characters in Unicode, not in ASCII: the ASCII text would let that policy pass.
    expect(fullAccess(report)).toHaveLength(stacks.length);
    expect(findings(report)).toEqual(fixture.unfilteredIn(...stacks));
    // The texts differ in their patterns, which a finding must not show.
    expect(describedFindings(report)).toEqual(fixture.describedIn(...stacks));
  }
});

test('findings of ASCII texts are cached under the Control Tower rule files, so the next synthesis finds them wherever the texts were written', () => {
  const templatePath = fixture.templatePath('AsciiActions');
  const context = { templatePaths: [templatePath], stackTemplates: [{ templatePath, stackConstructPath: 'AsciiActions' }] } as any;
  const reads = jest.spyOn(TemplateReportCache.prototype, 'read');
  try {
    const first = new StrictCfnGuardValidator();
    first.start(context);
    const checked = first.validate(context);
    reads.mockClear();
    const again = new StrictCfnGuardValidator();
    again.start(context);
    const fromCache = again.validate(context);

    expect(reads.mock.results.length).toBeGreaterThan(0);
    expect(reads.mock.results.map((result) => result.value !== undefined)).not.toContain(false);
    expect(findings(fromCache)).toEqual(findings(checked));
    expect(findings(fromCache).some((finding) => finding.startsWith('iam_inline_policy_no_statements_with_full_access_check'))).toBe(true);
  } finally {
    reads.mockRestore();
  }
});

test('a cut-down template keeps the other sections and every resource its resources reference, directly or through others', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'guard-'));
  const templatePath = path.join(dir, 'Chain.template.json');
  const template = {
    Parameters: { Stage: { Type: 'String' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    Resources: {
      Permission: { Type: 'AWS::Lambda::Permission', Properties: { SourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Principal: '*' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { Ref: 'Key' }, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': 'Dead.Arn' } } } },
      Key: { Type: 'AWS::KMS::Key', Properties: { Description: { Ref: 'Stage' } } },
      Dead: { Type: 'AWS::SQS::Queue' },
      Unrelated: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Queue' } } },
    },
  };
  writeFileSync(templatePath, JSON.stringify(template));

  const scopes = writeGuardScopes([templatePath], [{ file: 'permissions.guard', types: ['AWS::Lambda::Permission', 'AWS::EC2::Instance'] }], dir);

  expect(scopes).toHaveLength(1);
  expect([...scopes[0].sources.values()]).toEqual([templatePath]);
  const cut = JSON.parse(readFileSync([...scopes[0].sources.keys()][0], 'utf8'));
  expect(Object.keys(cut.Resources).sort()).toEqual(['Dead', 'Key', 'Permission', 'Queue']);
  expect(cut.Resources.Queue).toEqual(template.Resources.Queue);
  expect({ ...cut, Resources: undefined }).toEqual({ ...template, Resources: undefined });
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

test('leaves none of its cut-down templates behind, whether it ran in the main thread, was started early, or was started for other templates', () => {
  const { app, templatePath } = synthesizeNonCompliant();
  app.synth();
  const context = { templatePaths: [templatePath], stackTemplates: [{ templatePath, stackConstructPath: 'Probe' }] } as any;
  const scratch = mkdtempSync(path.join(tmpdir(), 'scopes-'));
  // The module object itself (an `import * as` would be a copy): the validator's calls go through it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tmpdirSpy = jest.spyOn(require('node:os') as typeof import('node:os'), 'tmpdir').mockReturnValue(scratch);
  try {
    const validator = new StrictCfnGuardValidator();
    expect(validator.validate(context).violations.length).toBeGreaterThan(2);
    validator.start(context);
    expect(readdirSync(scratch)).toHaveLength(1);
    expect(validator.validate(context).violations.length).toBeGreaterThan(2);
    validator.start({ templatePaths: [], stackTemplates: [] } as any);
    expect(validator.validate(context).violations.length).toBeGreaterThan(2);
    expect(readdirSync(scratch)).toEqual([]);
  } finally {
    tmpdirSpy.mockRestore();
  }
});


/** A rule file's lines, without comments, custom messages and blank lines. */
function ruleFileLines(text: string): string[] {
  return text.replace(/^\s*#.*$/gm, '').replace(/<<[\s\S]*?>>/g, '').split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

/** The lines that open the blocks around line `index`, innermost first, up to the rule that holds them. */
function blocksAround(lines: readonly string[], index: number): string[] {
  const openers: string[] = [];
  let depth = 0;
  for (let i = index - 1; i >= 0; i--) {
    for (const char of [...lines[i]].reverse()) {
      if (char === '}') depth++;
      if (char === '{' && depth-- === 0) {
        openers.push(lines[i]);
        depth = 0;
        if (/^rule\s/.test(lines[i])) return openers;
      }
    }
  }
  return openers;
}

const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
const controlTowerRuleFiles = () => readdirSync(CONTROL_TOWER_RULES, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.guard'));

test('every Control Tower rule file reads the template\'s resources only by types it names literally, and finds nothing where they are absent', () => {
  // Checked again whenever the rules package changes. Each rule file runs only where a type it names is
  // present, on the resources of those types (guard-scopes.ts): reading resources any other way, or
  // failing where none of its types is present, would make it find something else than on the whole
  // template. An allow-list: every read of the template's Resources has one of the forms below.
  const files = controlTowerRuleFiles();
  const unexpected: string[] = [];
  let topLevelRules = 0;
  for (const file of files) {
    const lines = ruleFileLines(readFileSync(path.join(CONTROL_TOWER_RULES, file), 'utf8'));
    const literalTypes = new Set(lines.flatMap((line) => /^let\s+(\w+)\s*=\s*["']AWS::[A-Za-z0-9]+::[A-Za-z0-9]+["']$/.exec(line)?.[1] ?? []));
    const byLiteralTypes = (filter: string) =>
      filter.split(/\bor\b/).every((condition) => literalTypes.has(/^\s*Type\s*==\s*%(\w+)\s*$/.exec(condition)?.[1] ?? ''));
    lines.forEach((line, index) => {
      if (!/\bResources\b/.test(line)) return;
      const innermost = blocksAround(lines, index)[0];
      // A selection into a variable, at the top of the file; its filter may span lines.
      const selection = /^let \w+ = Resources(\.\*)?\[(.*)$/.exec(line);
      if (selection && innermost === undefined) {
        const end = lines.findIndex((candidate, at) => at >= index && candidate.includes(']'));
        const filter = [selection[2], ...lines.slice(index + 1, end + 1)].join(' ').replace(/\].*$/, '');
        if (!byLiteralTypes(filter)) unexpected.push(`${file}: selects by something else than a literal type: ${line}`);
        return;
      }
      // A lookup by logical id (the next test checks where its key comes from).
      if (line === 'let referenced_resource = %doc.Resources[ keys == %resource_key ]') return;
      // The document has resources at all (is_cfn_template).
      if (/^(%\w+\s*\{\s*)?Resources exists$/.test(line) && (innermost === undefined || /^%(INPUT_DOCUMENT|doc)\s*\{$/.test(innermost))) return;
      // A property named Resources of the resource being checked (EKS EncryptionConfig), read from inside it.
      if (innermost !== undefined && !/^%(INPUT_DOCUMENT|doc)\s*\{$/.test(innermost) && !/%\w+\.\s*Resources\b/.test(line) && !line.startsWith('let ')) return;
      unexpected.push(`${file}: ${line}${innermost ? ` (in ${innermost})` : ''}`);
    });
    if (lines.some((line) => /\bOutputs\b/.test(line))) unexpected.push(`${file}: reads Outputs, where a reference could lead to resources its types do not cover`);
    if (literalTypes.size === 0) unexpected.push(`${file}: names no resource type, so it would never run`);
    // A rule checking templates applies only where its resources exist: without them it would fail on a
    // template that lacks its types, a template it never sees.
    const text = lines.join('\n');
    for (const rule of text.matchAll(/^rule (\w+)(\s+when\b[\s\S]*?)?\s*\{/gm)) {
      topLevelRules++;
      if (!/\bnot empty\b/.test(rule[2] ?? '') && !/\bis_cfn_hook\(/.test(rule[2] ?? '')) unexpected.push(`${file}: rule ${rule[1]} applies without a resource of its types`);
    }
  }
  expect(files.length).toBeGreaterThan(200);
  expect(topLevelRules).toBeGreaterThan(files.length);
  expect(unexpected).toEqual([]);
});

test('every Control Tower rule file looks other resources up only through a Ref or Fn::GetAtt, which cutting templates down relies on', () => {
  // Checked again whenever the rules package changes: a rule file finds in a template cut down to the
  // resources of its types, plus the resources they reference, what it finds in the whole template.
  const files = controlTowerRuleFiles();
  const inReference = (opener: string) => /^(\}\s*or\s+)?['"]?(Ref|Fn::GetAtt)['"]?\s*\{$/.test(opener);
  const unexpected: string[] = [];
  let lookups = 0;
  for (const file of files) {
    const lines = ruleFileLines(readFileSync(path.join(CONTROL_TOWER_RULES, file), 'utf8'));
    /** Whether line `index` sits in a Ref or Fn::GetAtt block, or in a rule called only from such blocks. */
    const reachedThroughReference = (index: number): boolean => {
      const openers = blocksAround(lines, index);
      if (openers.some(inReference)) return true;
      const rule = /^rule\s+(\w+)\s*\(/.exec(openers[openers.length - 1] ?? '')?.[1];
      const calls = lines.flatMap((line, at) => (new RegExp(`(^|[^\\w])${rule}\\(`).test(line) && !line.startsWith('rule ') ? [at] : []));
      return rule !== undefined && calls.length > 0 && calls.every((at) => blocksAround(lines, at).some(inReference));
    };
    // The rules that look a resource up by logical id, each as `rule <name>(doc, resource_key, ...)`.
    const lookupRules = new Set<string>();
    lines.forEach((line, index) => {
      if (!/Resources\[\s*keys\s*==/.test(line)) return;
      const rule = blocksAround(lines, index).pop() ?? '';
      const name = /^rule (\w+)\(\s*doc\s*,\s*resource_key\s*[,)]/.exec(rule)?.[1];
      if (name && /^let \w+ = %doc\.Resources\[ keys == %resource_key \]$/.test(line)) lookupRules.add(name);
      else unexpected.push(`${file}: ${line} in ${rule}`);
    });
    lines.forEach((line, index) => {
      const called = [...lookupRules].find((name) => new RegExp(`(^|[^\\w])${name}\\(`).test(line));
      if (called === undefined || line.startsWith('rule ')) return;
      lookups++;
      const key = new RegExp(`${called}\\(%\\w+,\\s*this(\\[0\\])?\\s*[,)]`);
      if (!key.test(line) || !reachedThroughReference(index)) unexpected.push(`${file}: ${line}`);
    });
  }
  expect(lookups).toBeGreaterThan(50);
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
