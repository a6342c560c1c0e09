import type { z } from 'zod';
import { ConfigError } from './config-error';
import { type PlatformConfig, platformConfigSchema } from './platform-config';

/**
 * Validates a raw configuration object and fills in defaults.
 * @param origin where the object came from, named in the error so the user knows which file to fix
 * @throws ConfigError naming every invalid field, the value it got, and what would be valid
 */
export function parseConfig(raw: unknown, origin: string): PlatformConfig {
  // reportInput: without it zod 4 leaves `input` out of every issue, and a wrong type reads as a missing field.
  const result = platformConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${fieldPath(issue.path)}: ${describe(issue)}`);
  throw new ConfigError(`Invalid platform configuration in ${origin}:\n${[...new Set(problems)].join('\n')}`);
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole file)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** A value as a user would recognise it in their file. */
export function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value} (a yes/no value)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function describe(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) {
        // A field with its own message (how to get the value) keeps it; zod's generic one starts with "Invalid input".
        return issue.message.startsWith('Invalid input')
          ? `is required (${expectedText(issue.expected)}); see the configuration reference in README.md`
          : issue.message;
      }
      return `got ${describeValue(input)}; ${typeHint(issue.expected, input, issue.path)}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}: check the spelling against the configuration reference in README.md`;
    case 'invalid_union':
    case 'invalid_value':
      return withValue(issue.message, input);
    default:
      return withValue(issue.message, input);
  }
}

/** Prefixes the value the field got, unless the message names it already. */
function withValue(message: string, input: unknown): string {
  if (input === undefined || (typeof input === 'object' && input !== null)) return message;
  const shown = typeof input === 'string' ? input : String(input);
  return message.includes(shown) ? message : `got ${describeValue(input)}; ${message}`;
}

function expectedText(expected: string): string {
  return { string: 'a text value', number: 'a number', boolean: 'true or false', object: 'a mapping of fields', array: 'a list' }[expected] ?? expected;
}

/** What to write instead, for the mistakes YAML makes easy: an unquoted account id, a quoted number or yes/no. */
function typeHint(expected: string, input: unknown, path: readonly PropertyKey[]): string {
  const field = String(path[path.length - 1] ?? '');
  if (expected === 'string' && typeof input === 'number' && /account$/i.test(field)) {
    const digits = String(input).padStart(12, '0');
    return `write the 12-digit account id in quotes, e.g. "${digits}" (unquoted, YAML reads it as a number and drops leading zeros)`;
  }
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    return `write it in quotes, e.g. "${String(input)}"`;
  }
  if (expected === 'string' && typeof input === 'object' && input !== null) {
    return `write one text value on the same line as "${field}:", not ${Array.isArray(input) ? '"- item" lines' : 'indented fields'} under it`;
  }
  if (expected === 'boolean') return 'write true or false, without quotes';
  if (expected === 'number') return typeof input === 'string' && /^\d+$/.test(input) ? `write ${input} without quotes` : 'write a number without quotes, e.g. 2';
  if (expected === 'array') return 'write a list, one "- item" per line';
  if (expected === 'object') return 'write a mapping, one "field: value" per line, indented under this field';
  return `expected ${expectedText(expected)}`;
}
