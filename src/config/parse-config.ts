import type { z } from 'zod';
import { ConfigError } from './config-error';
import { type PlatformConfig, platformConfigSchema } from './platform-config';

/**
 * Validates a raw configuration object and fills in defaults.
 * @param origin where the object came from, named in the error so the user knows which file to fix
 * @throws ConfigError naming every invalid field and what would be valid
 */
export function parseConfig(raw: unknown, origin: string): PlatformConfig {
  const result = platformConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${fieldPath(issue.path)}: ${describe(issue)}`);
  throw new ConfigError(`Invalid platform configuration in ${origin}:\n${problems.join('\n')}`);
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      return issue.input === undefined ? `is required (${issue.expected})` : `must be a ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}: check the spelling against the configuration reference in README.md`;
    default:
      return issue.message;
  }
}
