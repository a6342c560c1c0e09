import type { AcknowledgementSources } from './acknowledgement-sources';
import type { RecordedAcknowledgement } from './assembly';
import type { Finding, UnreportedAcknowledgement } from './model';
import { ANNOTATION_NAMESPACE, parseRuleId, qualifyRuleId } from './rule-id';
import { projectSourceLocation } from './stack-trace';

/**
 * Acknowledgements recorded in the assembly that no reported finding carries,
 * so plain-ID acknowledgements (which cdk-nag applies before reporting) still
 * reach the audit trail.
 */
export function unreportedAcknowledgements(
  recorded: readonly RecordedAcknowledgement[],
  findings: readonly Finding[],
  pluginNames: readonly string[],
  where: { readonly repoRoot: string; readonly sourceDirs: readonly string[]; readonly acknowledgementSources?: AcknowledgementSources },
): UnreportedAcknowledgement[] {
  const reported = new Set(findings.flatMap(f => f.acknowledged ? [keyOf(f.acknowledged.id, f.acknowledged.at)] : []));
  const seen = new Set<string>();
  return recorded.flatMap(ack => {
    const key = keyOf(ack.id, ack.at);
    if (reported.has(key) || seen.has(key)) {
      return [];
    }
    seen.add(key);
    const { namespace, rule } = parseRuleId(ack.id);
    // aws-cdk-lib before 2.262.1 wrote the lower-case form.
    const plain = namespace?.toLowerCase() === ANNOTATION_NAMESPACE.toLowerCase();
    const library = plain ? undefined : declaringLibrary(ack.trace);
    return [{
      id: ack.id,
      reason: ack.reason,
      at: ack.at,
      source: where.acknowledgementSources?.of(ack.id, ack.at) ?? projectSourceLocation([ack.trace.join('\n')], where.repoRoot, where.sourceDirs),
      qualifiedRuleId: plain ? guessQualifiedId(rule, pluginNames) : ack.id,
      // A library acknowledging, in its own construct, a rule of a tool this gate does not run matched nothing and asks nothing.
      status: plain ? 'unverifiable' as const : library && !pluginNames.includes(namespace ?? '') ? 'library' as const : 'unused' as const,
      ...(library ? { declaredBy: library } : {}),
    }];
  });
}

/**
 * The library construct that made the acknowledgement itself, from the innermost frame of its trace, which
 * aws-cdk-lib writes as `...new Vpc2 in aws-cdk-lib...` (the class name may carry a numeric suffix).
 */
function declaringLibrary(trace: readonly string[]): { readonly library: string; readonly construct: string } | undefined {
  const frame = /^\s*\.\.\.(?:new )?([A-Za-z_$][\w$]*?)\d*(?:\.[\w$]+)? in ([@\w./-]+)\.\.\.\s*$/.exec(trace[0] ?? '');
  return frame ? { library: frame[2], construct: frame[1] } : undefined;
}

/** cdk-nag rule IDs are `<pack name>-<rule>` and its plugins are named after the pack. */
function guessQualifiedId(rule: string, pluginNames: readonly string[]): string {
  const plugin = pluginNames.find(name => rule.startsWith(`${name}-`));
  return plugin ? qualifyRuleId(rule, plugin) : `${ANNOTATION_NAMESPACE}::${rule}`;
}

function keyOf(id: string, at: string): string {
  return `${id}\u0000${at}`;
}
