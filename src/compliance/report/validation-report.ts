/*
 * Reader for `<cloud assembly>/validation-report.json`, as aws-cdk-lib 2.276.0
 * writes it (measured on synthesized apps, cdk-nag 3.0.2, cdk-validator-cfnguard 0.0.62):
 *
 * - It is written whenever at least one validation plugin runs, and the built-in
 *   "CloudFormation Validate" plugin runs unless disabled (`CDK_VALIDATION=false` or
 *   `new App({ builtinCloudFormationValidation: false })`). So a missing file means no
 *   plugin ran at all. It is written before synth fails on violations.
 * - A plugin that passed with no suppressed violations is left out, so a run where
 *   everything passed is `{ version, title, pluginReports: [] }`.
 * - cdk-nag violations carry only `constructPath`: no `cloudFormationResource`, no
 *   `suggestedFix`. cfn-guard violations carry `cloudFormationResource.templatePath`
 *   relative to the assembly root (e.g. `assembly-Prod/ProdInner6AE3BBF4.template.json`).
 *   `stackTraces` hold `fn (/abs/file.ts:line:col)` frames, with or without `--debug`.
 * - `Validations.of(x).acknowledge({ id: 'AwsSolutions::AwsSolutions-S1' })` (the form
 *   the CLI suggests) is applied by aws-cdk-lib and lands in `suppressedViolations`
 *   with `acknowledgedId`, `reason`, `acknowledgedAt` (absent when declared on the App)
 *   and `acknowledgedStackTrace`.
 * - The plain form `'AwsSolutions-S1'` is stored as `Annotation::AwsSolutions-S1`;
 *   aws-cdk-lib never matches it to a plugin rule, but cdk-nag strips `Annotation::` and
 *   drops the finding before reporting it, so it is in neither list. Only the
 *   `aws:cdk:acknowledged-rules` construct metadata keeps it: see assembly.ts.
 * - After any suppression aws-cdk-lib recomputes a plugin's conclusion from the
 *   remaining violations' raw severity; cfn-guard sets none, so its conclusion turns
 *   to "success" (and synth passes) despite unacknowledged violations. The model
 *   therefore also fails on unacknowledged error findings, not just on conclusions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { readJsonFile } from './read-json';

export const VALIDATION_REPORT_FILE = 'validation-report.json';

const cloudFormationResource = z.object({
  templatePath: z.string(),
  logicalId: z.string(),
  propertyPaths: z.array(z.string()).optional(),
});

const violatingConstruct = z.object({
  constructPath: z.string(),
  constructFqn: z.string().optional(),
  libraryVersion: z.string().optional(),
  cloudFormationResource: cloudFormationResource.optional(),
  stackTraces: z.array(z.string()).optional(),
});

const violation = z.object({
  ruleName: z.string(),
  description: z.string(),
  suggestedFix: z.string().optional(),
  // Kept open: the schema allows 'custom' plus customSeverity, and plugins evolve.
  severity: z.string(),
  customSeverity: z.string().optional(),
  ruleMetadata: z.record(z.string(), z.unknown()).optional(),
  violatingConstructs: z.array(violatingConstruct),
});

const suppressedViolation = violation.extend({
  acknowledgedId: z.string(),
  reason: z.string().optional(),
  acknowledgedAt: z.string().optional(),
  acknowledgedStackTrace: z.string().optional(),
});

const pluginReport = z.object({
  pluginName: z.string(),
  pluginVersion: z.string().optional(),
  conclusion: z.enum(['success', 'failure']),
  metadata: z.record(z.string(), z.unknown()).optional(),
  violations: z.array(violation),
  suppressedViolations: z.array(suppressedViolation).optional(),
});

const validationReport = z.object({
  version: z.string(),
  title: z.string().optional(),
  pluginReports: z.array(pluginReport),
});

export type ViolatingConstructJson = z.infer<typeof violatingConstruct>;
export type ViolationJson = z.infer<typeof violation>;
export type SuppressedViolationJson = z.infer<typeof suppressedViolation>;
export type PluginReportJson = z.infer<typeof pluginReport>;
export type ValidationReportJson = z.infer<typeof validationReport>;

/**
 * Where the validation report of an assembly is: where aws-cdk-lib writes it, or, once the gate has read it,
 * in the compliance folder, where the gate keeps it so that the CDK CLI does not print every finding again
 * after the gate's own summary (src/compliance/run-gate.ts). Undefined when there is neither.
 */
export function validationReportPath(assemblyDir: string): string | undefined {
  return [path.join(assemblyDir, VALIDATION_REPORT_FILE), path.join(assemblyDir, 'compliance', VALIDATION_REPORT_FILE)].find((file) => fs.existsSync(file));
}

/**
 * Returns undefined when no plugin ran (no report, or an empty file: nothing was checked), and throws
 * ReportInputError when the file is unreadable.
 */
export function readValidationReport(assemblyDir: string): ValidationReportJson | undefined {
  const file = validationReportPath(assemblyDir);
  if (!file || fs.readFileSync(file, 'utf8').trim() === '') {
    return undefined;
  }
  return readJsonFile(file, validationReport, 'a CDK validation report');
}
