import { type ComplianceModel, type Finding, isBlocking } from './model';
import { parseRuleId } from './rule-id';

export interface SummaryOptions {
  /** The report a reader opens next, as the summary names it (e.g. cdk.out/compliance/report.md). */
  readonly reportFile: string;
  /** Every pack of the gate, so one that found nothing still shows: plugin name and the name a reader knows. */
  readonly packs: ReadonlyArray<{ readonly plugin: string; readonly title: string }>;
}

/** One place in the code where findings come from: what it broke, and in which stacks. */
interface Cause {
  readonly where: string;
  readonly constructs: string[];
  readonly rules: Map<string, Finding>;
}

/**
 * What the gate prints at the end of every synth. On a pass, one line with each pack's counts. On a
 * failure, each cause once: the line of code, the stacks it shows up in, each rule it breaks with how to
 * fix it, and only then how to acknowledge it, if it is intended.
 */
export function renderConsoleSummary(model: ComplianceModel, options: SummaryOptions): string {
  if (!model.reportFound) {
    return `Compliance gate failed: nothing was checked, because ${model.assemblyLabel} has no validation report; synthesize again.`;
  }
  const counts = options.packs.map(({ plugin, title }) => {
    const findings = model.findings.filter((finding) => finding.plugin === plugin);
    const open = findings.filter(isBlocking).length;
    return `${title} ${open} to fix (${findings.filter((finding) => finding.acknowledged).length} acknowledged)`;
  }).join(', ');
  const blocking = model.findings.filter(isBlocking);
  const crashed = model.plugins.filter((plugin) => plugin.error);
  if (model.passed) {
    return `Compliance gate passed: ${counts}. Report: ${options.reportFile}`;
  }

  // One cause per resource, whichever stages and rules it fails in; placed at the most precise line known,
  // the one that wrote the offending action or resource when a finding names it.
  const causes = new Map<string, Cause>();
  for (const finding of blocking) {
    const key = stageless(finding.constructPath);
    const cause = causes.get(key) ?? { where: shortPath(key), constructs: [], rules: new Map<string, Finding>() };
    const line = finding.source ? `${finding.source.file}:${finding.source.line}` : undefined;
    const precise = /\[(Action|Resource)::/.test(finding.qualifiedRuleId);
    const where = line && (cause.where === shortPath(key) || precise) ? line : cause.where;
    if (!cause.constructs.includes(finding.constructPath)) cause.constructs.push(finding.constructPath);
    if (!cause.rules.has(finding.qualifiedRuleId)) cause.rules.set(finding.qualifiedRuleId, finding);
    causes.set(key, { ...cause, where });
  }

  const lines = [
    `Compliance gate failed: ${blocking.length} finding${blocking.length === 1 ? '' : 's'} to fix, from ${causes.size} cause${causes.size === 1 ? '' : 's'} (${counts}).`,
    ...crashed.map((plugin) => `${plugin.name} could not run: ${plugin.error}`),
  ];
  [...causes.values()].forEach((cause, index) => {
    const constructs = cause.constructs.map(shortPath);
    lines.push('', `${index + 1}. ${cause.where}`);
    if (constructs.join() !== cause.where) lines.push(`   in ${constructs.join(', ')}`);
    for (const finding of cause.rules.values()) {
      const { rule, detail } = splitRule(finding.qualifiedRuleId);
      const title = options.packs.find((pack) => pack.plugin === finding.plugin)?.title ?? finding.plugin;
      lines.push(`   - ${title} ${rule}${detail ? ` [${detail}]` : ''}: ${firstSentence(finding.description)}`);
      lines.push(`     Fix: ${finding.fix ?? 'see the rule\'s documentation in the report'}`);
    }
    const example = [...cause.rules.values()][0];
    lines.push(`   Only if this is intended: acknowledge it with a specific reason in src/compliance/acknowledgements.ts, e.g. id '${splitRule(example.qualifiedRuleId).base}'`
      + ` where '${stageless(example.constructPath).replace(/^DeliveryPipeline\//, '').replace(/\/Resource$/, '')}'.`);
  });
  lines.push('', `Full report, with every finding and acknowledgement: ${options.reportFile}`);
  return lines.join('\n');
}

/** A construct path with its stage replaced by `*`, so one cause in every stage is grouped once. */
function stageless(constructPath: string): string {
  return constructPath.replace(/^DeliveryPipeline\/(?!Pipeline\/|release\/|delivery\/)[^/]+\//, 'DeliveryPipeline/*/');
}

function splitRule(qualifiedRuleId: string): { rule: string; detail?: string; base: string } {
  const match = /^(.*?)(?:\[(.*)\])?$/.exec(qualifiedRuleId)!;
  const { namespace, rule } = parseRuleId(match[1]);
  return { rule: namespace ? rule.replace(`${namespace}-`, '') : rule, detail: match[2], base: match[1] };
}

function shortPath(constructPath: string): string {
  return constructPath.replace(/^DeliveryPipeline\//, '').replace(/\/Resource$/, '');
}

function firstSentence(description: string): string {
  const flat = description.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end === -1 ? flat : flat.slice(0, end + 1);
}
