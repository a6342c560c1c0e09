import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const LIBRARY = path.join(__dirname, 'stand-ins', 'standin-lib.sh');
/** Where standin_record keeps its calls, for the test that records some. */
let logDir = tmpdir();

/** Runs a script with the stand-ins' shared functions loaded; its stdout. */
function withLibrary(script: string, ...args: string[]): string {
  const result = spawnSync('bash', ['-c', `set -euo pipefail; . "$0"; ${script}`, LIBRARY, ...args], {
    encoding: 'utf8',
    env: { ...process.env, STANDIN_LOG_DIR: logDir },
  });
  if (result.status !== 0) throw new Error(`bash failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

// The stand-ins print the AWS CLI's JSON answers and read manifests without jq; the product's scripts then
// read those answers with jq. What they print must mean exactly what jq would have made of the same data.
describe('the stand-ins\' JSON without jq', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'stand-in-json-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['plain text', 'hello-codepipeline'],
    ['quotes and backslashes', 'a "quoted" \\ back\\slash \\"both\\"'],
    ['line breaks and tabs', 'one\ntwo\r\n\tthree\n\n'],
    ['other control characters', 'bell\u0007 escape\u001b delete\u007f'],
    ['non-ASCII text', 'Grüße, 世界'],
    ['a manifest', '{"schemaVersion":2,"config":{"digest":"sha256:0a"},"annotations":{"note":"say \\"hi\\"\\n"}}\n'],
  ])('a string with %s is printed as a JSON string that reads back byte for byte', (_, text) => {
    const file = path.join(dir, 'text');
    writeFileSync(file, text);

    expect(JSON.parse(withLibrary('standin_json_string_into json "$1"; printf "%s" "$json"', text))).toBe(text);
    expect(JSON.parse(withLibrary('standin_json_file_into json "$1"; printf "%s" "$json"', file))).toBe(text);
  });

  test.each([
    ['an image manifest, compact', '.config.digest, .layers[].digest',
      { schemaVersion: 2, config: { mediaType: 'c', size: 2, digest: 'sha256:c0' }, layers: [{ size: 1, digest: 'sha256:l1' }, { digest: 'sha256:l2' }] }, 0],
    ['an image manifest, indented', '.config.digest, .layers[].digest', { config: { digest: 'sha256:c0' }, layers: [{ digest: 'sha256:l1' }] }, 2],
    ['an index', '.manifests[].digest', { manifests: [{ digest: 'sha256:m1', platform: { os: 'linux' } }, { digest: 'sha256:m2' }] }, 0],
    ['a manifest with a subject', '.config.digest, .layers[].digest',
      { config: { digest: 'sha256:c0' }, layers: [{ digest: 'sha256:l1' }], subject: { digest: 'sha256:s9' } }, 0],
  ])('the digests %s references are the ones jq finds', (_, filter, manifest, indent) => {
    const file = path.join(dir, 'manifest');
    writeFileSync(file, JSON.stringify(manifest, undefined, indent));
    const expected = spawnSync('jq', ['-r', filter, file], { encoding: 'utf8' }).stdout;

    expect(withLibrary('standin_referenced_digests "$1" "$2"', file, filter)).toBe(expected);
    expect(expected.split('\n').filter(Boolean).length).toBeGreaterThan(1);
  });
});

// The stand-ins read files and record calls without starting a process for each: what they read and the
// record they keep must be what `$(cat ...)` and a process per call would have given.
describe('the stand-ins\' shared functions without subshells', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stand-in-lib-'));
    logDir = dir;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['empty', ''],
    ['no line break', 'IN_PROGRESS'],
    ['one trailing line break', 'SUCCEEDED\n'],
    ['several trailing line breaks', 'sha256:0a\n\n\n'],
    ['inner line breaks and blanks', '  two\tlines \nand a half\r\n'],
    ['backslashes', 'a\\nb\\\\c\\\n'],
    ['NUL bytes, which a variable cannot hold', 'abc\0def\n\0\0ghi\0\n\n'],
  ])('a file read into a variable (%s) holds what $(cat) gives', (_, text) => {
    const file = path.join(dir, 'file');
    writeFileSync(file, text);

    const read = withLibrary('standin_read_into value "$1"; printf "[%s]" "$value"', file);

    expect(read).toBe(withLibrary('printf "[%s]" "$(cat "$1")"', file));
  });

  test('reading a missing file fails', () => {
    expect(() => withLibrary('standin_read_into value "$1"', path.join(dir, 'missing'))).toThrow(/bash failed/);
  });

  // As with a failed $(...), the variable is then empty, not unset: the stand-ins run under `set -u` and
  // compare it next.
  test.each([
    ['a file read', 'standin_read_into'],
    ['a digest', 'standin_digest_into'],
  ])('%s that fails leaves the variable empty', (_, helper) => {
    expect(withLibrary(`${helper} value "$1" 2>/dev/null && exit 9; printf "[%s]" "$value"`, path.join(dir, 'missing'))).toBe('[]');
    expect(withLibrary(`${helper} value "$1" 2>/dev/null && exit 9; printf "[%s]" "$value"`, dir)).toBe('[]');
  });

  test('completing a layer upload that does not exist is refused as ECR refuses a bad layer', () => {
    const registry = path.join(dir, 'ecr');
    mkdirSync(path.join(registry, 'eu-west-1', 'app', 'uploads'), { recursive: true });

    const args = ['ecr', 'complete-layer-upload', '--region', 'eu-west-1', '--repository-name', 'app', '--upload-id', 'unknown', '--layer-digests', 'sha256:0a'];
    const result = spawnSync('bash', [path.join(__dirname, 'stand-ins', 'aws.sh'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, STANDIN_LOG_DIR: dir, STANDIN_ECR_DIR: registry, STANDIN_STATE_DIR: dir },
    });

    expect(result.stderr).toMatch(/^An error occurred \(InvalidLayerException\) when calling the CompleteLayerUpload operation: [^\n]*\n$/);
    expect(result.status).toBe(254);
  });

  test('a digest is the sha256 of the file, as ECR names it', () => {
    const file = path.join(dir, 'blob');
    writeFileSync(file, 'layer bytes\n');

    expect(withLibrary('standin_digest_into digest "$1"; printf "%s" "$digest"', file))
      .toBe(`sha256:${createHash('sha256').update('layer bytes\n').digest('hex')}`);
  });

  test('calls recorded at the same time get the numbers 1 to n, each its own tool and arguments', () => {
    const calls = 16;
    withLibrary(`for i in $(seq ${calls}); do (standin_record aws call "$i" "two words") & done; wait`);

    const records = readdirSync(path.join(dir, 'calls')).filter((name) => name.endsWith('.tool')).map((name) => Number(name.split('.')[0]));
    expect(records.sort((a, b) => a - b)).toEqual(Array.from({ length: calls }, (_, index) => index + 1));
    const argvs = records.map((n) => readFileSync(path.join(dir, 'calls', `${n}.argv`), 'utf8'));
    expect(argvs.sort()).toEqual(Array.from({ length: calls }, (_, index) => `call\0${index + 1}\0two words\0`).sort());
  });

  test('a call takes the next free number and leaves an existing record as it was', () => {
    const calls = path.join(dir, 'calls');
    mkdirSync(calls);
    writeFileSync(path.join(calls, '2.tool'), 'kept');

    const call = withLibrary('AWS_ACCESS_KEY_ID=ASIASTANDIN222222222222 standin_record docker push; printf "%s" "$STANDIN_CALL"');

    expect(call).toBe(path.join(calls, '3'));
    expect(readFileSync(path.join(calls, '2.tool'), 'utf8')).toBe('kept');
    expect(readFileSync(path.join(calls, '3.tool'), 'utf8')).toBe('docker');
    expect(readFileSync(path.join(calls, '3.argv'), 'utf8')).toBe('push\0');
    expect(readFileSync(path.join(calls, '3.credentials'), 'utf8')).toBe('ASIASTANDIN222222222222');
  });
});
