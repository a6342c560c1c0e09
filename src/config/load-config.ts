import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error';
import { EXAMPLE_CONFIG } from './example-config';
import { parseConfig } from './parse-config';
import type { PlatformConfig } from './platform-config';

/**
 * Reads the deployment configuration from a YAML or JSON file when one is named, else the example.
 * The file path comes from `src/main.ts` (CDK context `config` or the PLATFORM_CONFIG variable).
 */
export function loadConfig(file: string | undefined): PlatformConfig {
  if (!file) return parseConfig(EXAMPLE_CONFIG, 'the example configuration (src/config/example-config.ts)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the platform configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`The platform configuration file ${file} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, file);
}
