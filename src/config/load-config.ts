import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from './config-error';
import type { ConfigSource } from './config-source';
import { EXAMPLE_CONFIG } from './example-config';
import { parseConfig } from './parse-config';
import type { PlatformConfig } from './platform-config';

/** Reads and validates the configuration a source names; the example when it names none. */
export function loadConfig(source: ConfigSource, root: string): PlatformConfig {
  if (source.kind === 'example') return parseConfig(EXAMPLE_CONFIG, 'the example configuration (src/config/example-config.ts)');
  return parseConfig(readConfigFile(path.join(root, source.file), source), source.file);
}

function readConfigFile(file: string, source: Extract<ConfigSource, { kind: 'file' }>): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const named = { context: 'the -c config option names', environment: 'PLATFORM_CONFIG names', convention: 'The configuration file' }[source.chosenBy];
    if (code === 'ENOENT') {
      throw new ConfigError(`${named} ${source.file}, which does not exist. Check the path (it is relative to the repository root), `
        + 'or leave it out to use config/platform.yaml.');
    }
    if (code === 'EISDIR') throw new ConfigError(`${named} ${source.file}, which is a folder; name the YAML or JSON file in it.`);
    throw new ConfigError(`${named} ${source.file}, which cannot be read (${code ?? String(error)}).`);
  }
  // parseDocument collects every error with its position instead of stopping at the first one.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const lines = text.split(/\r?\n/);
    const problems = yamlProblems(document.errors, lineCounter).map(({ line, message }) =>
      `  - line ${line}: ${message}\n      ${line}| ${lines[line - 1]?.trimEnd() ?? ''}`);
    throw new ConfigError(`${source.file} is not valid YAML (or JSON):\n${problems.join('\n')}`);
  }
  return document.toJS();
}

/**
 * One problem per mistake, on the line where it is. A key indented deeper than the keys above it makes the
 * yaml library report two errors that both start on the line before (the value it takes the key to belong
 * to); the line to fix is where that key is, so that pair becomes one problem on the later line.
 */
function yamlProblems(errors: readonly YAMLError[], lineCounter: LineCounter): Array<{ line: number; message: string }> {
  const overIndented = new Set(errors.filter((error) => error.code === 'BLOCK_AS_IMPLICIT_KEY').map((error) => error.pos[0]));
  return errors.filter((error) => error.code !== 'BLOCK_AS_IMPLICIT_KEY' || !errors.some((other) => other.code === 'MULTILINE_IMPLICIT_KEY' && other.pos[0] === error.pos[0]))
    .map((error) => {
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
      if (error.code === 'MULTILINE_IMPLICIT_KEY' && overIndented.has(error.pos[0])) {
        return { line: lineCounter.linePos(error.pos[1]).line, message: 'this key is indented deeper than the keys above it; align it with them' };
      }
      if (error.code === 'BAD_INDENT' && /same column/.test(message)) {
        return { line: lineCounter.linePos(error.pos[0]).line, message: 'this key is not aligned with the keys above it; align it with them' };
      }
      if (error.code === 'MULTILINE_IMPLICIT_KEY') {
        return { line: lineCounter.linePos(error.pos[0]).line, message: `${message}: a key is missing its ":"` };
      }
      return { line: lineCounter.linePos(error.pos[0]).line, message };
    });
}
