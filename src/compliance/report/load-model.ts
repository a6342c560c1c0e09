import * as path from 'path';
import type { GatePack } from '../packs';
import { AcknowledgementSources } from './acknowledgement-sources';
import { readAssembly } from './assembly';
import { byKeys } from './compare';
import { findingsOf } from './findings';
import { ComplianceModel, isBlocking, PluginSummary } from './model';
import { TemplateLines } from './template-lines';
import { unreportedAcknowledgements } from './unreported-acknowledgements';
import { PluginReportJson, readValidationReport } from './validation-report';

export interface LoadOptions {
  /** Stack trace paths are made relative to it; defaults to the working directory. */
  readonly repoRoot?: string;
  /** How the reports name the assembly dir; defaults to its path relative to repoRoot. */
  readonly assemblyLabel?: string;
  /** Repo-relative dirs whose stack frames count as the project's own code. */
  readonly sourceDirs?: readonly string[];
  /** The packs that ran; one the validation report leaves out (nothing to report) is listed as passed. */
  readonly packs?: readonly GatePack[];
}

/** Throws ReportInputError when the assembly or report is missing or unreadable. */
export function loadComplianceModel(assemblyDir: string, options: LoadOptions = {}): ComplianceModel {
  const repoRoot = path.resolve(options.repoRoot ?? process.cwd());
  const sourceDirs = options.sourceDirs ?? ['src'];
  // The assembly comes first: without manifest.json there was no synth to report on.
  const assembly = readAssembly(assemblyDir);
  const report = readValidationReport(assemblyDir);
  const reports = report?.pluginReports ?? [];
  const acknowledgementSources = AcknowledgementSources.read(path.join(assemblyDir, 'compliance'));
  const ctx = { assembly, templates: new TemplateLines(assemblyDir), repoRoot, sourceDirs, acknowledgementSources };

  const findings = reports.flatMap(r => findingsOf(r, ctx)).sort(byKeys(
    f => f.plugin, f => f.qualifiedRuleId, f => f.constructPath, f => f.acknowledged?.id, f => f.acknowledged?.at));
  const reported = reports.map(summaryOf);
  const silent = (options.packs ?? []).filter(pack => !reported.some(p => p.name === pack.plugin))
    .map((pack): PluginSummary => ({ name: pack.plugin, conclusion: 'success', reported: false }));
  const plugins = [...reported, ...(report ? silent : [])].map(p => withTitle(p, options.packs)).sort(byKeys(p => p.name));
  const acknowledgements = unreportedAcknowledgements(
    assembly.acknowledgements, findings, plugins.map(p => p.name), { repoRoot, sourceDirs, acknowledgementSources },
  ).sort(byKeys(a => a.at, a => a.id));

  return {
    assemblyLabel: options.assemblyLabel ?? toPosix(path.relative(repoRoot, path.resolve(assemblyDir))),
    reportFound: report !== undefined,
    // Nothing checked is no pass: a missing report must never read as a clean one.
    passed: report !== undefined && plugins.every(p => p.conclusion === 'success') && !findings.some(isBlocking),
    plugins,
    findings,
    unreportedAcknowledgements: acknowledgements,
  };
}

function summaryOf(report: PluginReportJson): PluginSummary {
  const error = report.metadata?.error;
  return {
    name: report.pluginName,
    version: report.pluginVersion,
    conclusion: report.conclusion,
    error: typeof error === 'string' ? error : undefined,
    reported: true,
  };
}

function withTitle(plugin: PluginSummary, packs: readonly GatePack[] = []): PluginSummary {
  const title = packs.find(pack => pack.plugin === plugin.name)?.title;
  return title && title !== plugin.name ? { ...plugin, title } : plugin;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/') || '.';
}
