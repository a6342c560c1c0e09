import type { CfnResource } from 'aws-cdk-lib';
import { type RenderedResource, asList, getAttOf, isObject, refTarget, renderResource } from './cfn-template';

/** One IAM policy statement, with each element that may be a scalar or a list always a list. */
export interface Statement {
  readonly effect: string;
  /** `Action`; undefined when the statement uses `NotAction`. */
  readonly actions?: unknown[];
  readonly notActions?: unknown[];
  /** `Resource`; undefined when the statement uses `NotResource`. */
  readonly resources?: unknown[];
  readonly notResources?: unknown[];
  /** `Condition`: operator → condition key → value(s). */
  readonly conditions: Record<string, Record<string, unknown>>;
}

const INLINE_POLICY_HOLDERS = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);
const POLICY_RESOURCES = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
]);

/** Whether resources of this type can hold policy statements that grant permissions. */
export function holdsPolicyStatements(type: string): boolean {
  return INLINE_POLICY_HOLDERS.has(type) || POLICY_RESOURCES.has(type);
}

/** The statements a policy-holding resource grants or denies; none for any other resource. */
export function statementsOfResource(resource: RenderedResource): Statement[] {
  const documents: unknown[] = [];
  if (POLICY_RESOURCES.has(resource.type)) {
    documents.push(resource.properties.PolicyDocument);
  } else if (INLINE_POLICY_HOLDERS.has(resource.type)) {
    for (const policy of asList(resource.properties.Policies)) {
      documents.push(isObject(policy) ? policy.PolicyDocument : undefined);
    }
  }
  return documents.flatMap(statementsOfDocument);
}

/** The Allow statements of a CDK resource; `[]` when it holds no policy. */
export function allowStatementsOf(node: CfnResource): Statement[] {
  if (!holdsPolicyStatements(node.cfnResourceType)) {
    return [];
  }
  const resource = renderResource(node);
  return resource ? statementsOfResource(resource).filter(isAllow) : [];
}

export function isAllow(statement: Statement): boolean {
  return statement.effect === 'Allow';
}

function statementsOfDocument(document: unknown): Statement[] {
  // AWS::IAM::Policy and friends accept the document as a JSON string as well as an object.
  const parsed = typeof document === 'string' ? parseJson(document) : document;
  if (!isObject(parsed)) {
    return [];
  }
  return asList(parsed.Statement).filter(isObject).map((raw) => ({
    effect: typeof raw.Effect === 'string' ? raw.Effect : '',
    actions: raw.Action === undefined ? undefined : asList(raw.Action),
    notActions: raw.NotAction === undefined ? undefined : asList(raw.NotAction),
    resources: raw.Resource === undefined ? undefined : asList(raw.Resource),
    notResources: raw.NotResource === undefined ? undefined : asList(raw.NotResource),
    conditions: isObject(raw.Condition) ? (raw.Condition as Record<string, Record<string, unknown>>) : {},
  }));
}

/**
 * The Allow and Deny statements that apply to a role of the stack: its inline policies, the
 * `AWS::IAM::Policy`/`ManagedPolicy` resources that list it under `Roles`, the `AWS::IAM::RolePolicy`
 * resources naming it, and the customer managed policies of the stack in its `ManagedPolicyArns`.
 * AWS managed policies and policies from other stacks cannot be read from this template and are left out.
 */
export function statementsAttachedToRole(role: RenderedResource, template: Map<string, RenderedResource>): Statement[] {
  const roleName = role.properties.RoleName;
  const namesRole = (value: unknown) =>
    refTarget(value) === role.logicalId || (typeof roleName === 'string' && value === roleName);
  const attachedManagedPolicies = new Set(
    asList(role.properties.ManagedPolicyArns).map(refTarget).filter((id): id is string => id !== undefined),
  );

  const statements = statementsOfResource(role);
  for (const resource of template.values()) {
    const attached =
      ((resource.type === 'AWS::IAM::Policy' || resource.type === 'AWS::IAM::ManagedPolicy') &&
        asList(resource.properties.Roles).some(namesRole)) ||
      (resource.type === 'AWS::IAM::RolePolicy' && namesRole(resource.properties.RoleName)) ||
      (resource.type === 'AWS::IAM::ManagedPolicy' && attachedManagedPolicies.has(resource.logicalId));
    if (attached) {
      statements.push(...statementsOfResource(resource));
    }
  }
  return statements;
}

// --- IAM wildcard matching ------------------------------------------------------------------------

/** IAM-style glob match: `*` is any run of characters, `?` any one character. */
export function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** IAM action names are case-insensitive. */
export function actionMatches(pattern: unknown, action: string): boolean {
  return typeof pattern === 'string' && globMatches(pattern, action, true);
}

/** Whether an Allow statement grants the action, by `Action` or by a `NotAction` that does not exclude it. */
export function statementAllowsAction(statement: Statement, action: string): boolean {
  if (!isAllow(statement)) {
    return false;
  }
  if (statement.actions) {
    return statement.actions.some((pattern) => actionMatches(pattern, action));
  }
  return statement.notActions !== undefined && !statement.notActions.some((pattern) => actionMatches(pattern, action));
}

/** Whether the action pattern matches at least one action that starts with `prefix` (e.g. `ecs:`). */
export function actionPatternReachesPrefix(pattern: unknown, prefix: string): boolean {
  return typeof pattern === 'string' && statesAfterPrefix(pattern, prefix).size > 0;
}

/** Whether the action pattern matches every action that starts with `prefix`, as `ecs:*`, `e*` or `*` do. */
export function actionPatternCoversPrefix(pattern: unknown, prefix: string): boolean {
  if (typeof pattern !== 'string') {
    return false;
  }
  return [...statesAfterPrefix(pattern, prefix)].some((state) => /^\*+$/.test(pattern.slice(state)));
}

/**
 * Runs the glob as a small NFA over `prefix` and returns the pattern positions still alive; an alive
 * position means some continuation of the prefix can complete the match.
 */
function statesAfterPrefix(pattern: string, prefix: string): Set<number> {
  const p = pattern.toLowerCase();
  const closure = (states: Set<number>) => {
    for (const state of [...states]) {
      let next = state;
      while (p[next] === '*') {
        next += 1;
        states.add(next);
      }
    }
    return states;
  };
  let states = closure(new Set([0]));
  for (const c of prefix.toLowerCase()) {
    const next = new Set<number>();
    for (const state of states) {
      if (state >= p.length) continue;
      if (p[state] === '*') next.add(state);
      else if (p[state] === '?' || p[state] === c) next.add(state + 1);
    }
    states = closure(next);
  }
  return states;
}

// --- Values that may be CloudFormation intrinsics ------------------------------------------------------

/**
 * Whether any literal part of the value holds an IAM wildcard. References (`Ref`, `Fn::GetAtt`,
 * `${...}` in `Fn::Sub`) name one specific thing and never count; literal strings anywhere else do,
 * including both branches of an `Fn::If`, since either may be deployed.
 */
export function containsWildcard(value: unknown): boolean {
  if (typeof value === 'string') {
    return /[*?]/.test(value);
  }
  if (Array.isArray(value)) {
    return value.some(containsWildcard);
  }
  if (!isObject(value)) {
    return false;
  }
  if ('Ref' in value || 'Fn::GetAtt' in value) {
    return false;
  }
  if ('Fn::Sub' in value) {
    const sub = value['Fn::Sub'];
    const [template, variables] = Array.isArray(sub) ? sub : [sub, undefined];
    const literal = typeof template === 'string' ? template.replace(/\$\{[^!][^}]*\}/g, '') : template;
    return containsWildcard(literal) || containsWildcard(isObject(variables) ? Object.values(variables) : []);
  }
  return Object.values(value).some(containsWildcard);
}

/**
 * A one-line rendering of a value for finding ids, in cdk-nag's style (`<Role1234.Arn>`, `<AWS::Region>`).
 * Whitespace becomes `_` because acknowledgement ids cannot hold spaces.
 */
export function describeValue(value: unknown): string {
  return flatten(value, (text) => `<${text}>`).replace(/\s+/g, '_');
}

/**
 * The value as one string in which each reference is a neutral placeholder without `:`, `/` or
 * wildcards, so the literal structure of an ARN can be read; an opaque intrinsic becomes `*` when any
 * branch of it holds a wildcard.
 */
export function flattenForStructure(value: unknown): string {
  return flatten(value, () => 'REF', (opaque) => (containsWildcard(opaque) ? '*' : 'REF'));
}

function flatten(value: unknown, reference: (text: string) => string, opaque?: (value: unknown) => string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') {
      return node;
    }
    if (typeof node === 'number' || typeof node === 'boolean') {
      return String(node);
    }
    if (!isObject(node)) {
      return JSON.stringify(node) ?? '';
    }
    if (typeof node.Ref === 'string') {
      return reference(node.Ref);
    }
    const getAtt = getAttOf(node);
    if (getAtt) {
      return reference(`${getAtt[0]}.${getAtt[1]}`);
    }
    if (Array.isArray(node['Fn::Join']) && Array.isArray(node['Fn::Join'][1])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if ('Fn::Sub' in node) {
      const sub = node['Fn::Sub'];
      const template = Array.isArray(sub) ? sub[0] : sub;
      if (typeof template === 'string') {
        return template.replace(/\$\{([^}]*)\}/g, (_, name: string) =>
          name.startsWith('!') ? `\${${name.slice(1)}}` : reference(name));
      }
    }
    if ('Fn::ImportValue' in node) {
      return reference(`Import:${visit(node['Fn::ImportValue'])}`);
    }
    return opaque ? opaque(node) : reference(Object.keys(node)[0] ?? 'intrinsic');
  };
  return visit(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
