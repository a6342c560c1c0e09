import { byKeys } from './compare';
import { cell, code, table } from './markdown-table';
import { ComplianceModel, Finding, isBlocking, SEVERITY_ORDER, SourceLocation, UnreportedAcknowledgement } from './model';

/** A job-summary-sized report; sorted and free of timestamps so reruns diff cleanly. */
export function renderMarkdown(model: ComplianceModel): string {
  const open = model.findings.filter(f => !f.acknowledged);
  const acknowledged = model.findings.filter(f => f.acknowledged);
  const lines = [
    `# Compliance report: ${model.passed ? 'PASS' : 'FAIL'}`,
    '',
    summaryLine(model, open, acknowledged),
    // What to fix first; then what ran and what it found; then what was accepted, and why.
    ...openSection(open),
    ...pluginSection(model, open),
    ...ruleSection(model.findings),
    ...acknowledgedSection(acknowledged),
    ...unreportedSection(model),
  ];
  return `${lines.join('\n')}\n`;
}

function summaryLine(model: ComplianceModel, open: readonly Finding[], acknowledged: readonly Finding[]): string {
  const reportFile = code(`${model.assemblyLabel}/validation-report.json`);
  if (!model.reportFound) {
    return `Nothing was checked: ${reportFile} is missing or empty, so no validation plugin ran.`;
  }
  if (model.plugins.length === 0) {
    return `Every validation plugin passed with nothing acknowledged (${reportFile} lists no plugin).`;
  }
  const bySeverity = SEVERITY_ORDER.map(s => [s, open.filter(f => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const breakdown = bySeverity.length > 0 ? ` (${bySeverity.map(([s, n]) => `${n} ${s}`).join(', ')})` : '';
  return `${open.length} ${plural(open.length, 'finding')} to fix${breakdown} and ${acknowledged.length} acknowledged, `
    + `from ${model.plugins.length} validation ${plural(model.plugins.length, 'plugin')} (${reportFile}).`;
}

function pluginSection(model: ComplianceModel, open: readonly Finding[]): string[] {
  if (model.plugins.length === 0) {
    return [];
  }
  const rows = model.plugins.map(p => [
    p.title ? `${cell(p.title)} (${cell(p.name)})` : cell(p.name), cell(p.version), p.reported ? p.conclusion : 'success: nothing to report',
    String(open.filter(f => f.plugin === p.name).length),
    String(model.findings.filter(f => f.plugin === p.name && f.acknowledged).length),
  ]);
  const notes = model.plugins.flatMap(p => {
    const blocking = open.filter(f => f.plugin === p.name && isBlocking(f)).length;
    if (p.error) {
      return [`> **${cell(p.name)}** failed to run: ${cell(p.error)}`];
    }
    return p.conclusion === 'success' && blocking > 0
      ? [`> **${cell(p.name)}** concluded success with ${blocking} unacknowledged error ${plural(blocking, 'finding')}: `
        + 'aws-cdk-lib re-evaluates a plugin after an acknowledgement and ignores violations without a severity, so synth did not fail on them.']
      : [];
  });
  return ['', '## Plugins', '', ...table(['Plugin', 'Version', 'Conclusion', 'To fix', 'Acknowledged'], rows, [3, 4]), ...spaced(notes)];
}

function ruleSection(findings: readonly Finding[]): string[] {
  if (findings.length === 0) {
    return [];
  }
  const rules = [...new Map(findings.map(f => [`${f.plugin}\u0000${f.qualifiedRuleId}`, f])).values()];
  const rows = rules.map(rule => {
    const same = findings.filter(f => f.plugin === rule.plugin && f.qualifiedRuleId === rule.qualifiedRuleId);
    const severities = [...new Set(same.map(severityOf))].join(', ');
    const acknowledged = same.filter(f => f.acknowledged).length;
    return [cell(rule.plugin), code(rule.qualifiedRuleId), severities, String(same.length - acknowledged), String(acknowledged)];
  });
  return ['', '## Rules', '', ...table(['Plugin', 'Rule', 'Severity', 'To fix', 'Acknowledged'], rows, [3, 4])];
}

function openSection(open: readonly Finding[]): string[] {
  if (open.length === 0) {
    return [];
  }
  const sorted = [...open].sort(byKeys(f => SEVERITY_ORDER.indexOf(f.severity), f => f.plugin, f => f.qualifiedRuleId, f => f.constructPath));
  const rows = sorted.map(f => [
    code(f.qualifiedRuleId), severityOf(f), code(f.constructPath), resourceOf(f), location(f.source),
    f.fix ? `${cell(f.description)}<br>**Fix:** ${cell(f.fix)}` : cell(f.description),
  ]);
  return ['', '## Findings to fix', '', ...table(['Rule', 'Severity', 'Construct', 'Template / logical ID', 'Source', 'Description / fix'], rows)];
}

function acknowledgedSection(acknowledged: readonly Finding[]): string[] {
  if (acknowledged.length === 0) {
    return [];
  }
  const rows = acknowledged.map(f => [
    code(f.qualifiedRuleId), code(f.constructPath), f.acknowledged!.at ? code(f.acknowledged!.at) : 'the app', location(f.acknowledged!.source), cell(f.acknowledged!.reason),
  ]);
  return ['', '## Acknowledgements', '', ...table(['Rule', 'Construct', 'Acknowledged on', 'Declared at', 'Reason'], rows)];
}

function unreportedSection(model: ComplianceModel): string[] {
  if (model.unreportedAcknowledgements.length === 0) {
    return [];
  }
  const rows = model.unreportedAcknowledgements.map(a => [
    code(a.id), code(a.at), location(a.source), cell(a.reason),
    statusOf(a),
  ]);
  return [
    '', '## Acknowledgements without a reported finding', '',
    'Recorded in the assembly metadata but absent from the validation report.', '',
    ...table(['Acknowledgement', 'On', 'Declared at', 'Reason', 'Status'], rows),
  ];
}

function statusOf(a: UnreportedAcknowledgement): string {
  switch (a.status) {
    case 'library':
      return `declared by ${cell(a.declaredBy!.library)} itself, inside the ${code(a.declaredBy!.construct)} created at that line, `
        + `for ${code(a.id.split('::')[0])}, which the gate does not run: nothing to act on`;
    case 'unverifiable':
      return `unverifiable: cdk-nag drops findings matching a plain ID unreported; acknowledge ${code(a.qualifiedRuleId)} instead`;
    default:
      return 'matched no finding: remove it, or fix where it points';
  }
}

function resourceOf(f: Finding): string {
  if (!f.templatePath) {
    return '—';
  }
  return f.logicalId ? `${code(f.templatePath)} ${code(f.logicalId)}` : code(f.templatePath);
}

function severityOf(f: Finding): string {
  return f.severity === 'custom' && f.customSeverity ? cell(f.customSeverity) : f.severity;
}

function location(source: SourceLocation | undefined): string {
  return source ? code(`${source.file}:${source.line}`) : '—';
}

function spaced(notes: readonly string[]): string[] {
  return notes.flatMap(n => ['', n]);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
