import { compareStrings, isObject, normaliseStatement, stableJson } from './normalise';
import { CfnResource, TemplateMap } from './template';

export type RuleKind = 'iam-statement' | 'managed-policy' | 'policy-attachment' | 'lambda-permission' | 'sg-ingress' | 'sg-egress';

/** One grant: an IAM statement, a policy attachment or a security-group rule. */
export interface PermissionRule {
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /** The property that holds the rule, e.g. `PolicyDocument` or `Policies[Read]`. */
  readonly where: string;
  readonly kind: RuleKind;
  /** Canonical JSON, so equal grants have equal text whatever their spelling in the template. */
  readonly rule: string;
  readonly deny: boolean;
  /**
   * For a statement of a policy whose attachments are new with it: the roles, users or groups it reaches
   * (`Roles: {"Ref":"R"}`). Such an attachment is shown here rather than counted as a grant of its own.
   */
  readonly attachedTo?: readonly string[];
}

export interface PermissionChanges {
  /** New in the head and granting something. */
  readonly broadening: PermissionRule[];
  /** New in the head but `Effect: Deny`, which can only take access away. */
  readonly addedDenies: PermissionRule[];
  readonly removed: PermissionRule[];
}

const POLICY_DOCUMENTS: Record<string, string[]> = {
  'AWS::IAM::Policy': ['PolicyDocument'],
  'AWS::IAM::ManagedPolicy': ['PolicyDocument'],
  'AWS::IAM::Role': ['AssumeRolePolicyDocument'],
  'AWS::S3::BucketPolicy': ['PolicyDocument'],
  'AWS::SNS::TopicPolicy': ['PolicyDocument'],
  'AWS::SQS::QueuePolicy': ['PolicyDocument'],
  'AWS::KMS::Key': ['KeyPolicy'],
  'AWS::ECR::Repository': ['RepositoryPolicyText'],
  'AWS::SecretsManager::ResourcePolicy': ['ResourcePolicy'],
};
const IDENTITIES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);
const ATTACHABLE_POLICIES = new Set(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);
// These resources are a single grant each, so every property is part of it.
const WHOLE_RESOURCE_RULES: Record<string, RuleKind> = {
  'AWS::Lambda::Permission': 'lambda-permission',
  'AWS::EC2::SecurityGroupIngress': 'sg-ingress',
  'AWS::EC2::SecurityGroupEgress': 'sg-egress',
};

type Emit = (where: string, kind: RuleKind, value: unknown) => void;

export function extractRules(templates: TemplateMap): PermissionRule[] {
  const rules: PermissionRule[] = [];
  for (const [stack, template] of templates) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      rulesOf(resource, (where, kind, value) => rules.push({
        stack,
        logicalId,
        resourceType: resource.Type,
        where,
        kind,
        rule: stableJson(value),
        deny: kind === 'iam-statement' && isObject(value) && value.Effect === 'Deny',
      }));
    }
  }
  return sortRules(rules);
}

/**
 * Rules are keyed by the resource that holds them as well as their text, so the
 * same statement moving to another role or policy shows up as a new grant.
 */
export function comparePermissions(base: readonly PermissionRule[], head: readonly PermissionRule[]): PermissionChanges {
  const baseKeys = new Set(base.map(identity));
  const headKeys = new Set(head.map(identity));
  const added = foldAttachments(head.filter((rule) => !baseKeys.has(identity(rule))), head);
  return {
    broadening: sortRules(added.filter((rule) => !rule.deny)),
    addedDenies: sortRules(added.filter((rule) => rule.deny)),
    removed: sortRules(foldAttachments(base.filter((rule) => !headKeys.has(identity(rule))), base)),
  };
}

/**
 * A grant is counted once. Attaching a policy to a role, user or group grants it the policy's statements,
 * so when every statement of that policy is itself among the changes (a new policy, as each first grant to
 * a role writes one), the statements already count and the attachment is shown beside them instead. An
 * attachment that brings unchanged statements to a new identity stays a grant of its own.
 */
function foldAttachments(changes: PermissionRule[], all: readonly PermissionRule[]): PermissionRule[] {
  const changed = new Set(changes.map(identity));
  const folded = new Map<string, string[]>();
  const kept = changes.filter((rule) => {
    if (rule.kind !== 'policy-attachment') return true;
    const statements = all.filter((other) => other.kind === 'iam-statement' && resourceKey(other) === resourceKey(rule));
    if (statements.length === 0 || !statements.every((statement) => changed.has(identity(statement)))) return true;
    folded.set(resourceKey(rule), [...(folded.get(resourceKey(rule)) ?? []), `${rule.where}: ${rule.rule}`]);
    return false;
  });
  return kept.map((rule) => {
    const attachedTo = rule.kind === 'iam-statement' ? folded.get(resourceKey(rule)) : undefined;
    return attachedTo ? { ...rule, attachedTo } : rule;
  });
}

function resourceKey(rule: PermissionRule): string {
  return [rule.stack, rule.logicalId, rule.resourceType].join('\u0000');
}

function rulesOf(resource: CfnResource, emit: Emit): void {
  const props = resource.Properties ?? {};
  for (const field of POLICY_DOCUMENTS[resource.Type] ?? []) statementsOf(props[field], field, emit);
  if (IDENTITIES.has(resource.Type)) {
    for (const policy of asList(props.Policies)) {
      const inline = isObject(policy) && 'PolicyDocument' in policy;
      statementsOf(inline ? policy.PolicyDocument : policy, `Policies[${inline ? label(policy.PolicyName) : '?'}]`, emit);
    }
    for (const arn of asList(props.ManagedPolicyArns)) emit('ManagedPolicyArns', 'managed-policy', arn);
  }
  if (ATTACHABLE_POLICIES.has(resource.Type)) {
    for (const field of ['Roles', 'Users', 'Groups']) {
      for (const target of asList(props[field])) emit(field, 'policy-attachment', target);
    }
  }
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    for (const rule of asList(props.SecurityGroupIngress)) emit('SecurityGroupIngress', 'sg-ingress', rule);
    for (const rule of asList(props.SecurityGroupEgress)) emit('SecurityGroupEgress', 'sg-egress', rule);
  }
  const whole = WHOLE_RESOURCE_RULES[resource.Type];
  if (whole) emit('Properties', whole, props);
}

/** A document or statement list built by an intrinsic cannot be split, so it counts as one opaque statement. */
function statementsOf(document: unknown, where: string, emit: Emit): void {
  const parsed = typeof document === 'string' ? parseJson(document) : document;
  const statements = isObject(parsed) && 'Statement' in parsed ? parsed.Statement : parsed;
  for (const statement of asList(statements)) emit(where, 'iam-statement', normaliseStatement(statement));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function label(name: unknown): string {
  return typeof name === 'string' ? name : stableJson(name);
}

function identity(rule: PermissionRule): string {
  return [rule.stack, rule.logicalId, rule.resourceType, rule.where, rule.kind, rule.rule].join('\u0000');
}

function sortRules(rules: PermissionRule[]): PermissionRule[] {
  return rules.sort((a, b) => compareStrings(identity(a), identity(b)));
}
