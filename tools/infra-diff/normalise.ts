/**
 * Canonical forms, so that two templates that differ only in key order or in
 * CloudFormation's "string or list" shorthand compare equal.
 */

/** Code-unit order rather than localeCompare, which varies with the runner's ICU data. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedKeys(obj: object): string[] {
  return Object.keys(obj).sort(compareStrings);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reordering an intrinsic's arguments would change its meaning, so those are never treated as key/value maps. */
function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return !(keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')));
}

/** JSON with object keys sorted at every depth; array order is kept because it can be meaningful. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(value)) out[key] = sortDeep(value[key]);
  return out;
}

/** A string-or-list field as a sorted, de-duplicated list, since IAM treats both spellings and any order alike. */
function asSortedSet(value: unknown): unknown[] {
  const items = Array.isArray(value) ? value : [value];
  const byJson = new Map(items.map((item) => [stableJson(item), item]));
  return [...byJson.keys()].sort(compareStrings).map((key) => byJson.get(key));
}

const LIST_FIELDS = ['Action', 'NotAction', 'Resource', 'NotResource'];
const PRINCIPAL_FIELDS = ['Principal', 'NotPrincipal'];

/**
 * Intrinsic-valued parts (`Fn::Join`, `Ref`, ...) are left as they are and so
 * are compared structurally, not by what they resolve to at deploy time.
 */
export function normaliseStatement(statement: unknown): unknown {
  if (!isObject(statement)) return statement;
  const out: Record<string, unknown> = { ...statement };
  for (const field of LIST_FIELDS) {
    if (field in out) out[field] = asSortedSet(out[field]);
  }
  for (const field of PRINCIPAL_FIELDS) {
    if (isPlainMap(out[field])) out[field] = mapValues(out[field], asSortedSet);
  }
  if (isPlainMap(out.Condition)) {
    out.Condition = mapValues(out.Condition, (operator) => isPlainMap(operator) ? mapValues(operator, asSortedSet) : operator);
  }
  return sortDeep(out);
}

function mapValues(obj: Record<string, unknown>, fn: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([key, value]) => [key, fn(value)]));
}
