/*
 * Rule IDs in the form `Validations.of(x).acknowledge()` takes and the CDK CLI
 * prints ("Acknowledge with 'AwsSolutions::AwsSolutions-S1'"); mirrors
 * aws-cdk-lib's private validation-id normalisation so the report and the
 * acknowledgements it lists use the same spelling.
 */

export const ANNOTATION_NAMESPACE = 'Annotation';
const ANNOTATION_PLUGIN_NAME = 'Construct Annotations';
const ANNOTATION_ALIASES = ['annotation', 'Construct-Annotations'];

export interface RuleId {
  readonly namespace?: string;
  readonly rule: string;
}

/**
 * Splits on the first `::` outside brackets: cdk-nag's per-finding rule names
 * such as `AwsSolutions-IAM5[Action::s3:*]` contain `::` inside brackets.
 */
export function parseRuleId(id: string): RuleId {
  let depth = 0;
  for (let i = 0; i < id.length - 1; i++) {
    const c = id[i];
    if ('[({'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      depth--;
    } else if (c === ':' && id[i + 1] === ':' && depth === 0 && i > 0) {
      return { namespace: id.slice(0, i), rule: id.slice(i + 2) };
    }
  }
  return { rule: id };
}

export function namespaceOfPlugin(pluginName: string): string {
  return pluginName === ANNOTATION_PLUGIN_NAME ? ANNOTATION_NAMESPACE : pluginName.replace(/ /g, '-');
}

export function qualifyRuleId(ruleName: string, pluginName: string): string {
  const parsed = parseRuleId(ruleName);
  const namespace = parsed.namespace?.replace(/ /g, '-') ?? namespaceOfPlugin(pluginName);
  const canonical = ANNOTATION_ALIASES.includes(namespace) ? ANNOTATION_NAMESPACE : namespace;
  return `${canonical}::${parsed.rule.replace(/ /g, '-')}`;
}
