import { createHash } from 'crypto';
import { byKeys } from './compare';
import { ComplianceModel, Finding, Severity, SourceLocation, UnreportedAcknowledgement } from './model';
import { SarifLevel, SarifLocation, SarifLog, SarifResult, SarifRule } from './sarif-log';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** `tool.driver.name`; GitHub groups alerts by it. */
  readonly toolName?: string;
  /** `automationDetails.id`, GitHub's upload category. */
  readonly category?: string;
}

const LEVELS: Record<Severity, SarifLevel> = { fatal: 'error', error: 'error', warning: 'warning', custom: 'warning', info: 'note' };

/**
 * Rule IDs are the qualified `<namespace>::<rule>` form so that rules of different
 * plugins cannot collide and the ID shown in an alert is the one to acknowledge.
 */
export function renderSarif(model: ComplianceModel, options: SarifOptions = {}): SarifLog {
  const unverifiable = model.unreportedAcknowledgements.filter(a => a.status === 'unverifiable');
  const rules = rulesOf(model.findings, unverifiable);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const crashed = model.plugins.flatMap(p => p.error ? [{ level: 'error' as const, message: { text: `${p.name}: ${p.error}` } }] : []);
  const results = [
    ...model.findings.map(f => findingResult(f, index.get(f.qualifiedRuleId)!, model.assemblyLabel)),
    ...unverifiable.map(a => acknowledgementResult(a, index.get(a.qualifiedRuleId)!, model.assemblyLabel)),
  ];
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: options.toolName ?? 'cdk-validation', rules } },
      ...(options.category ? { automationDetails: { id: options.category } } : {}),
      // A crashed plugin yields no results, so this is where code scanning shows it.
      invocations: [{ executionSuccessful: crashed.length === 0, toolExecutionNotifications: crashed }],
      columnKind: 'utf16CodeUnits',
      results,
      properties: {
        passed: model.passed,
        reportFound: model.reportFound,
        plugins: model.plugins.map(p => ({ name: p.name, version: p.version, conclusion: p.conclusion })),
      },
    }],
  };
}

function rulesOf(findings: readonly Finding[], acknowledgements: readonly UnreportedAcknowledgement[]): SarifRule[] {
  const rules = new Map<string, SarifRule>();
  for (const f of findings) {
    if (!rules.has(f.qualifiedRuleId)) {
      const help = f.fix ? `${f.description}\n\nFix: ${f.fix}` : f.description;
      rules.set(f.qualifiedRuleId, rule(f.qualifiedRuleId, f.ruleId, f.description, help, LEVELS[f.severity], f.plugin, f.helpUri));
    }
  }
  for (const a of acknowledgements) {
    if (!rules.has(a.qualifiedRuleId)) {
      const text = `Rule ${a.qualifiedRuleId}, acknowledged in code; the validation report has no details for it.`;
      rules.set(a.qualifiedRuleId, rule(a.qualifiedRuleId, a.qualifiedRuleId.replace(/^.*?::/, ''), text, text, 'warning', undefined, undefined));
    }
  }
  return [...rules.values()].sort(byKeys(r => r.id));
}

function rule(id: string, name: string, description: string, help: string, level: SarifLevel, plugin?: string, helpUri?: string): SarifRule {
  return {
    id,
    name,
    shortDescription: { text: description.split('\n')[0] },
    fullDescription: { text: description },
    help: { text: help },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level },
    properties: { tags: ['compliance', ...(plugin ? [plugin] : [])] },
  };
}

function findingResult(f: Finding, ruleIndex: number, assembly: string): SarifResult {
  const template = f.templatePath ? `${assembly}/${f.templatePath}` : undefined;
  const physical = physicalOf(f.source) ?? (template ? { artifactLocation: { uri: template }, ...region(f.templateLine) } : undefined);
  const logical = [{ name: lastSegment(f.constructPath), fullyQualifiedName: f.constructPath, kind: 'resource' }];
  if (f.templatePath && f.logicalId) {
    logical.push({ name: f.logicalId, fullyQualifiedName: `${f.templatePath}/${f.logicalId}`, kind: 'resource' });
  }
  return {
    ruleId: f.qualifiedRuleId,
    ruleIndex,
    level: LEVELS[f.severity],
    message: { text: `${f.constructPath}: ${f.description}` },
    locations: [{ physicalLocation: physical ?? fallback(assembly), logicalLocations: logical }],
    partialFingerprints: fingerprint(f.qualifiedRuleId, f.constructPath),
    ...(f.acknowledged ? { suppressions: [suppression(f.acknowledged.reason, f.acknowledged.source)] } : {}),
    properties: { plugin: f.plugin, severity: f.customSeverity ?? f.severity },
  };
}

/** A plain-ID acknowledgement stands in for the finding cdk-nag dropped, so the audit trail keeps it. */
function acknowledgementResult(a: UnreportedAcknowledgement, ruleIndex: number, assembly: string): SarifResult {
  const at = a.at || '(app)';
  return {
    ruleId: a.qualifiedRuleId,
    ruleIndex,
    level: 'warning',
    message: { text: `${at}: ${a.qualifiedRuleId} acknowledged as ${a.id}; the plugin dropped any matching finding before reporting it.` },
    locations: [{
      physicalLocation: physicalOf(a.source) ?? fallback(assembly),
      logicalLocations: [{ name: lastSegment(at), fullyQualifiedName: at, kind: 'resource' }],
    }],
    partialFingerprints: fingerprint(a.qualifiedRuleId, a.at),
    suppressions: [suppression(a.reason, a.source)],
    properties: { acknowledgementId: a.id },
  };
}

function suppression(reason: string, source: SourceLocation | undefined): NonNullable<SarifResult['suppressions']>[number] {
  const location = physicalOf(source);
  // inSource: Validations.of(x).acknowledge() is written in the app's code.
  return { kind: 'inSource', status: 'accepted', justification: reason, ...(location ? { location: { physicalLocation: location } } : {}) };
}

function physicalOf(source: SourceLocation | undefined): SarifLocation['physicalLocation'] {
  return source && { artifactLocation: { uri: source.file }, region: { startLine: source.line, startColumn: source.column } };
}

function region(line: number | undefined) {
  return line ? { region: { startLine: line } } : {};
}

/** Code scanning needs a file for every result; the manifest always exists. */
function fallback(assembly: string): NonNullable<SarifLocation['physicalLocation']> {
  return { artifactLocation: { uri: `${assembly}/manifest.json` } };
}

/** Keeps an alert's identity when the code moves: same rule on the same construct. */
function fingerprint(ruleId: string, constructPath: string): Record<string, string> {
  return { 'cdkRuleConstruct/v1': createHash('sha256').update(`${ruleId}\u0000${constructPath}`).digest('hex').slice(0, 32) };
}

function lastSegment(constructPath: string): string {
  return constructPath.split('/').pop() || constructPath;
}
