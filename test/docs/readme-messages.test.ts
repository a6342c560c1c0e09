import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, EXAMPLE_CONFIG, parseConfig } from '../../src/config';
import { loadConfig } from '../../src/config/load-config';
import { REPOSITORY_ROOT } from '../support/main-command';

/**
 * The README quotes what a user sees; these tests hold every quoted configuration message to what the code
 * prints, word for word, so the documentation cannot drift from the behaviour.
 */
const README = readFileSync(path.join(REPOSITORY_ROOT, 'README.md'), 'utf8');

/** The README's fenced blocks (without language) whose first line starts with the given text. */
function quotedBlocks(firstLine: string): string[] {
  const blocks: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of README.split('\n')) {
    const fence = /^\s*```(\S*)\s*$/.exec(line);
    if (fence && !open) {
      open = { language: fence[1], lines: [] };
    } else if (fence && open) {
      if (open.language === '') blocks.push(open.lines.join('\n'));
      open = undefined;
    } else {
      open?.lines.push(line);
    }
  }
  return blocks.filter((block) => block.startsWith(firstLine));
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The mistake behind each field the README quotes a message for. */
const MISTAKE_BY_FIELD: Record<string, (config: any) => void> = {
  'stages[1].account': (config) => { config.stages[1].account = 222222222222; },
  'stages[0].region': (config) => { config.stages[0].region = 'eu-wset-1'; },
  'stages[0].service.memoryMiB': (config) => { config.stages[0].service = { cpu: 256, memoryMiB: 3000 }; },
};

test('every configuration error the README quotes is the message the synth prints for that mistake', () => {
  const blocks = quotedBlocks('Invalid platform configuration in config/platform.yaml:');
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  for (const block of blocks) {
    const field = /^ {2}- ([^:]+):/m.exec(block)?.[1];
    expect(Object.keys(MISTAKE_BY_FIELD)).toContain(field);
    const config = JSON.parse(JSON.stringify(EXAMPLE_CONFIG));
    MISTAKE_BY_FIELD[field!](config);
    expect(messageOf(() => parseConfig(config, 'config/platform.yaml'))).toBe(block);
  }
});

test('the YAML error the README quotes is the message for the file it describes', () => {
  const [block] = quotedBlocks('config/platform.yaml is not valid YAML');
  expect(block).toBeDefined();
  const root = mkdtempSync(path.join(tmpdir(), 'readme-yaml-'));
  mkdirSync(path.join(root, 'config'));
  writeFileSync(path.join(root, 'config', 'platform.yaml'), ['toolchain:', '  region: eu-west-1', '    account: "111111111111"', 'stages: []', ''].join('\n'));
  expect(messageOf(() => loadConfig({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }, root))).toBe(block);
});

test('the configuration reference lists exactly the regions the configuration accepts', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DELIVERY_REGIONS } = require('../../src/config/aws-names') as typeof import('../../src/config/aws-names');
  const listed = /\*\*Regions\.\*\*[^:]*are accepted: ([a-z0-9-, ]+)\./.exec(README)?.[1].split(', ');
  expect(listed).toEqual([...DELIVERY_REGIONS]);
});
