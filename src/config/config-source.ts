import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './config-error';

/** The files a committed configuration may be, in the repository root: the convention every tool follows. */
export const CONVENTIONAL_CONFIG_FILES: readonly string[] = ['config/platform.yaml', 'config/platform.yml', 'config/platform.json'];

/** Where the configuration of a synth comes from, and how it was chosen. */
export type ConfigSource =
  | { readonly kind: 'file'; readonly file: string; readonly chosenBy: 'context' | 'environment' | 'convention' }
  | { readonly kind: 'example' };

export interface ConfigSourceInputs {
  /** The repository root: conventional files are looked up, and named files resolved, from here. */
  readonly root: string;
  /** `-c config=<file>` */
  readonly context?: string;
  /** PLATFORM_CONFIG */
  readonly environment?: string;
}

/**
 * Picks the configuration: `-c config=<file>`, else PLATFORM_CONFIG, else the committed
 * config/platform.{yaml,yml,json}, else the example. `cdk synth`, `cdk deploy`, CI, the infra diff and the
 * meta-pipeline all run this from the repository root, so they all pick the same file with no setup.
 * The file is given relative to `root`, as the pipeline's synth step must name it.
 */
export function chooseConfigSource(inputs: ConfigSourceInputs): ConfigSource {
  const named = inputs.context !== undefined && inputs.context !== '' ? { file: inputs.context, chosenBy: 'context' as const }
    : inputs.environment !== undefined && inputs.environment !== '' ? { file: inputs.environment, chosenBy: 'environment' as const }
      : undefined;
  if (named) {
    return { kind: 'file', file: relativeToRoot(inputs.root, named.file), chosenBy: named.chosenBy };
  }
  const present = CONVENTIONAL_CONFIG_FILES.filter((file) => existsSync(path.join(inputs.root, file)));
  if (present.length > 1) {
    throw new ConfigError(`Both ${present.join(' and ')} exist; keep one platform configuration and delete the other.`);
  }
  return present.length === 1 ? { kind: 'file', file: present[0], chosenBy: 'convention' } : { kind: 'example' };
}

/** The one line every synth prints about its configuration. */
export function describeConfigSource(source: ConfigSource): string {
  if (source.kind === 'example') {
    return `Platform configuration: the example (src/config/example-config.ts), because there is no ${CONVENTIONAL_CONFIG_FILES[0]}`;
  }
  const why = { context: 'named by -c config', environment: 'named by PLATFORM_CONFIG', convention: 'found at the conventional path' }[source.chosenBy];
  return `Platform configuration: ${source.file} (${why})`;
}

function relativeToRoot(root: string, file: string): string {
  return path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
}
