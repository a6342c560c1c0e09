import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, EXAMPLE_CONFIG } from '../../src/config';
import { chooseConfigSource, describeConfigSource } from '../../src/config/config-source';
import { loadConfig } from '../../src/config/load-config';

/** A repository root holding the given files (path → content). */
function repository(files: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'config-source-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

const SAMPLE = stringify(EXAMPLE_CONFIG);

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('which configuration a synth uses', () => {
  test('-c config wins over PLATFORM_CONFIG, which wins over the committed file, which wins over the example', () => {
    const root = repository({ 'config/platform.yaml': SAMPLE });
    expect(chooseConfigSource({ root, context: 'a.yaml', environment: 'b.yaml' })).toEqual({ kind: 'file', file: 'a.yaml', chosenBy: 'context' });
    expect(chooseConfigSource({ root, environment: 'b.yaml' })).toEqual({ kind: 'file', file: 'b.yaml', chosenBy: 'environment' });
    expect(chooseConfigSource({ root, context: '', environment: '' })).toEqual({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' });
    expect(chooseConfigSource({ root: repository() })).toEqual({ kind: 'example' });
  });

  test.each(['config/platform.yaml', 'config/platform.yml', 'config/platform.json'])('%s is found by convention', (file) => {
    expect(chooseConfigSource({ root: repository({ [file]: SAMPLE }) })).toEqual({ kind: 'file', file, chosenBy: 'convention' });
  });

  test('a named file is given relative to the repository root, as the pipeline names it', () => {
    const root = repository();
    expect(chooseConfigSource({ root, context: path.join(root, 'config', 'prod.yaml') })).toMatchObject({ file: 'config/prod.yaml' });
    expect(chooseConfigSource({ root, environment: './config/../config/prod.yaml' })).toMatchObject({ file: 'config/prod.yaml' });
  });

  test('two conventional files are one too many, and the message names both', () => {
    const root = repository({ 'config/platform.yaml': SAMPLE, 'config/platform.yml': SAMPLE });
    expect(messageOf(() => chooseConfigSource({ root })))
      .toBe('Both config/platform.yaml and config/platform.yml exist; keep one platform configuration and delete the other.');
  });

  test('every synth prints one line that names the file and why it was used', () => {
    expect(describeConfigSource({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }))
      .toBe('Platform configuration: config/platform.yaml (found at the conventional path)');
    expect(describeConfigSource({ kind: 'file', file: 'config/prod.yaml', chosenBy: 'context' }))
      .toBe('Platform configuration: config/prod.yaml (named by -c config)');
    expect(describeConfigSource({ kind: 'file', file: 'config/prod.yaml', chosenBy: 'environment' }))
      .toBe('Platform configuration: config/prod.yaml (named by PLATFORM_CONFIG)');
    expect(describeConfigSource({ kind: 'example' }))
      .toBe('Platform configuration: the example (src/config/example-config.ts), because there is no config/platform.yaml');
  });
});

describe('reading the configuration file', () => {
  test('the committed YAML and the example load to the same configuration', () => {
    const root = repository({ 'config/platform.yaml': SAMPLE });
    expect(loadConfig({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }, root)).toEqual(loadConfig({ kind: 'example' }, root));
  });

  test('a missing file is a sentence that says which setting named it, not ENOENT', () => {
    const root = repository();
    const message = messageOf(() => loadConfig({ kind: 'file', file: 'config/prod.yaml', chosenBy: 'environment' }, root));
    expect(message).toBe('PLATFORM_CONFIG names config/prod.yaml, which does not exist. '
      + 'Check the path (it is relative to the repository root), or leave it out to use config/platform.yaml.');
    expect(messageOf(() => loadConfig({ kind: 'file', file: 'prod.yaml', chosenBy: 'context' }, root)))
      .toMatch(/^the -c config option names prod\.yaml, which does not exist\./);
  });

  test('a folder where the file should be says so', () => {
    const root = repository({ 'config/platform.yaml/readme.txt': '' });
    expect(messageOf(() => loadConfig({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }, root)))
      .toBe('The configuration file config/platform.yaml, which is a folder; name the YAML or JSON file in it.');
  });

  // After an unquoted value the yaml library reports the line before (it reads the key as that value's
  // continuation); after a quoted one it reports the right line in its own words. Both must read the same.
  test.each([
    { after: 'an unquoted value', lines: ['toolchain:', '  region: eu-west-1', '    account: "111111111111"'], expected: 'this key is indented deeper than the keys above it' },
    { after: 'a quoted value', lines: ['toolchain:', '  account: "111111111111"', '    region: eu-west-1'], expected: 'this key is not aligned with the keys above it' },
  ])('a key indented deeper than its siblings after $after is reported on its own line, with that line quoted', ({ lines, expected }) => {
    const root = repository({ 'config/platform.yaml': [...lines, 'stages: []', ''].join('\n') });
    const message = messageOf(() => loadConfig({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }, root));
    expect(message.split('\n')).toEqual([
      'config/platform.yaml is not valid YAML (or JSON):',
      `  - line 3: ${expected}; align it with them`,
      `      3| ${lines[2]}`,
    ]);
  });

  test('a key without its colon is reported on its line', () => {
    const yaml = ['toolchain:', '  account "111111111111"', '  region: eu-west-1', ''].join('\n');
    const root = repository({ 'config/platform.yaml': yaml });
    const message = messageOf(() => loadConfig({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }, root));
    expect(message).toMatch(/^ {2}- line 2: .*a key is missing its ":"$/m);
    expect(message).toContain('      2|   account "111111111111"');
  });

  test('a valid file with a wrong value names the file and the field', () => {
    const root = repository({ 'config/platform.yaml': SAMPLE.replace('eu-west-1', 'eu-wset-1') });
    expect(messageOf(() => loadConfig({ kind: 'file', file: 'config/platform.yaml', chosenBy: 'convention' }, root)))
      .toMatch(/^Invalid platform configuration in config\/platform\.yaml:\n {2}- [a-z.[\]0-9]+region: "eu-wset-1" is not an AWS region; did you mean eu-west-1\?/);
  });
});
