import * as fs from 'fs';
import * as path from 'path';
import type { AcknowledgementSources } from './acknowledgement-sources';
import type { AssemblyIndex, StackInfo } from './assembly';
import { Acknowledgement, Finding, Severity, SEVERITY_ORDER, SourceLocation } from './model';
import { qualifyRuleId } from './rule-id';
import { projectSourceLocation } from './stack-trace';
import type { TemplateLines } from './template-lines';
import type { PluginReportJson, SuppressedViolationJson, ViolatingConstructJson, ViolationJson } from './validation-report';

export interface FindingContext {
  readonly assembly: AssemblyIndex;
  readonly templates: TemplateLines;
  readonly repoRoot: string;
  readonly sourceDirs: readonly string[];
  readonly acknowledgementSources: AcknowledgementSources;
}

/** One finding per violating construct, suppressed ones carrying their acknowledgement. */
export function findingsOf(report: PluginReportJson, ctx: FindingContext): Finding[] {
  const active = report.violations.flatMap(v =>
    v.violatingConstructs.map(c => toFinding(report.pluginName, v, c, undefined, ctx)));
  const suppressed = (report.suppressedViolations ?? []).flatMap(v =>
    v.violatingConstructs.map(c => toFinding(report.pluginName, v, c, acknowledgementOf(v, ctx), ctx)));
  return [...active, ...suppressed];
}

function toFinding(
  plugin: string,
  v: ViolationJson,
  c: ViolatingConstructJson,
  acknowledged: Acknowledgement | undefined,
  ctx: FindingContext,
): Finding {
  // cdk-nag reports construct paths only; the assembly metadata maps them to resources.
  const resource = c.cloudFormationResource ?? ctx.assembly.resources.get(c.constructPath);
  return {
    plugin,
    ruleId: v.ruleName,
    qualifiedRuleId: qualifyRuleId(v.ruleName, plugin),
    severity: (SEVERITY_ORDER as readonly string[]).includes(v.severity) ? v.severity as Severity : 'custom',
    customSeverity: v.customSeverity,
    description: v.description,
    fix: v.suggestedFix,
    helpUri: documentationUrl(v.ruleMetadata),
    constructPath: c.constructPath,
    templatePath: resource?.templatePath ?? stackOf(c.constructPath, ctx.assembly.stacks)?.templatePath,
    logicalId: resource?.logicalId,
    templateLine: resource && ctx.templates.lineOf(resource.templatePath, resource.logicalId),
    source: refineToLiteral(projectSourceLocation(c.stackTraces ?? [], ctx.repoRoot, ctx.sourceDirs), v.ruleName, ctx.repoRoot),
    acknowledged,
  };
}

/**
 * A construct is traced to the line that created it, but a policy gets its statements elsewhere: for a
 * finding that names the action or resource at fault (`…[Action::ecs:*]`), the line of that file which
 * writes it as a literal, nearest to the construct's own line, is where the fix goes.
 */
function refineToLiteral(source: SourceLocation | undefined, ruleName: string, repoRoot: string): SourceLocation | undefined {
  const literal = /\[(?:Action|Resource)::(.+)\]$/.exec(ruleName)?.[1];
  if (!source || !literal) return source;
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(repoRoot, source.file), 'utf8').split('\n');
  } catch {
    return source;
  }
  const quoted = [`'${literal}'`, `"${literal}"`, `\`${literal}\``];
  const candidates = lines.flatMap((text, index) => (quoted.some((form) => text.includes(form)) ? [index + 1] : []));
  if (candidates.length === 0) return source;
  const nearest = candidates.sort((a, b) => Math.abs(a - source.line) - Math.abs(b - source.line))[0];
  return { file: source.file, line: nearest, column: lines[nearest - 1].search(/\S/) + 1 };
}

function acknowledgementOf(v: SuppressedViolationJson, ctx: FindingContext): Acknowledgement {
  return {
    id: v.acknowledgedId,
    reason: v.reason ?? '',
    at: v.acknowledgedAt ?? '',
    source: ctx.acknowledgementSources.of(v.acknowledgedId, v.acknowledgedAt ?? '')
      ?? projectSourceLocation([v.acknowledgedStackTrace ?? ''], ctx.repoRoot, ctx.sourceDirs),
  };
}

/** The innermost stack containing the construct, for findings on non-resource constructs. */
function stackOf(constructPath: string, stacks: readonly StackInfo[]): StackInfo | undefined {
  const containing = stacks.filter(s => constructPath === s.constructPath || constructPath.startsWith(`${s.constructPath}/`));
  return containing.sort((a, b) => b.constructPath.length - a.constructPath.length)[0];
}

function documentationUrl(metadata: Record<string, unknown> | undefined): string | undefined {
  const urls = Object.entries(metadata ?? {}).filter(([k, v]) => /url$/i.test(k) && typeof v === 'string' && /^https?:\/\//.test(v));
  return urls.length > 0 ? String(urls[0][1]) : undefined;
}
