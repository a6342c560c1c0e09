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
  repoRoot: string,
  sourceDirs: readonly string[],
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
    return [{
      id: ack.id,
      reason: ack.reason,
      at: ack.at,
      source: projectSourceLocation([ack.trace.join('\n')], repoRoot, sourceDirs),
      qualifiedRuleId: plain ? guessQualifiedId(rule, pluginNames) : ack.id,
      status: plain ? 'unverifiable' as const : 'unused' as const,
    }];
  });
}

/** cdk-nag rule IDs are `<pack name>-<rule>` and its plugins are named after the pack. */
function guessQualifiedId(rule: string, pluginNames: readonly string[]): string {
  const plugin = pluginNames.find(name => rule.startsWith(`${name}-`));
  return plugin ? qualifyRuleId(rule, plugin) : `${ANNOTATION_NAMESPACE}::${rule}`;
}

function keyOf(id: string, at: string): string {
  return `${id}\u0000${at}`;
}
