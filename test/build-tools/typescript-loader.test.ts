import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.join(__dirname, '..', '..');
const LOADER = path.join(ROOT, 'build-tools', 'typescript-loader.mjs');

/**
 * A project of two TypeScript files (one uses parameter properties and an enum, which need a transform, not
 * only type stripping) and an installed package whose .js file is ESM. Node loads such a file with
 * require(esm) and hands back a module namespace; tsx would transform it to CommonJS and hand back a plain
 * object. So what `require` returns tells who loaded the package.
 */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'typescript-loader-'));
  writeFileSync(path.join(dir, 'greeter.ts'), [
    'export enum Tone { Plain = "plain" }',
    'export class Greeter {',
    '  public constructor(private readonly name: string, private readonly tone: Tone = Tone.Plain) {}',
    '  public greet(): string { return `hello ${this.name} (${this.tone})`; }',
    '}',
  ].join('\n'));
  writeFileSync(path.join(dir, 'main.ts'), [
    "import { Greeter } from './greeter';",
    "const installed: unknown = require('esm-in-js');",
    "console.log(JSON.stringify({ greeting: new Greeter('loader').greet(), installed: Object.prototype.toString.call(installed) }));",
  ].join('\n'));
  const pkg = path.join(dir, 'node_modules', 'esm-in-js');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'esm-in-js', version: '1.0.0', main: 'index.js' }));
  writeFileSync(path.join(pkg, 'index.js'), 'export const answer = 42;\n');
  return dir;
}

function run(dir: string, importFlag: string): { status: number | null; output: { greeting?: string; installed?: string }; stderr: string } {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', importFlag, 'main.ts'], { cwd: dir, encoding: 'utf8' });
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  return { status: result.status, output: lastLine.startsWith('{') ? JSON.parse(lastLine) : {}, stderr: result.stderr };
}

describe('build-tools/typescript-loader.mjs (how cdk.json starts the app)', () => {
  let dir: string;
  beforeAll(() => { dir = project(); });

  test('runs the project\'s TypeScript through tsx, and leaves installed packages to Node', () => {
    const { status, output, stderr } = run(dir, LOADER);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(output).toEqual({ greeting: 'hello loader (plain)', installed: '[object Module]' });
  });

  test('tsx alone would have loaded the installed package itself (what the test above tells apart)', () => {
    const { status, output } = run(dir, pathToFileURL(require.resolve('tsx')).href);
    expect(status).toBe(0);
    expect(output).toEqual({ greeting: 'hello loader (plain)', installed: '[object Object]' });
  });

  test('cdk.json starts the app with it', () => {
    const app: string = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).app;
    expect(app).toBe('node --import ./build-tools/typescript-loader.mjs src/main.ts');
  });
});
