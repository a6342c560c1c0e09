import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.join(__dirname, '..', '..');
const LOADER = path.join(ROOT, 'build-tools', 'typescript-loader.mjs');

/**
 * A project of two TypeScript files (one uses parameter properties and an enum, which need a transform, not
 * only type stripping), a JavaScript file of its own with ESM syntax, and two installed packages: one whose
 * .js file is ESM, one written in TypeScript (.cts). Node loads an ESM .js file with require(esm) and hands
 * back a module namespace; tsx transforms it to CommonJS and hands back a plain object. So what `require`
 * returns tells who loaded each file.
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
  writeFileSync(path.join(dir, 'local-esm.js'), 'export const local = 1;\n');
  writeFileSync(path.join(dir, 'main.ts'), [
    "import { Greeter } from './greeter';",
    'const kind = (loaded: unknown): string => Object.prototype.toString.call(loaded);',
    'console.log(JSON.stringify({',
    "  greeting: new Greeter('loader').greet(),",
    "  installed: kind(require('esm-in-js')),",
    "  own: kind(require('./local-esm')),",
    "  installedTypeScript: require('typescript-inside').seven,",
    '}));',
  ].join('\n'));
  const installed = (name: string, main: string, source: string) => {
    const pkg = path.join(dir, 'node_modules', name);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: '1.0.0', main }));
    writeFileSync(path.join(pkg, main), source);
  };
  installed('esm-in-js', 'index.js', 'export const answer = 42;\n');
  installed('typescript-inside', 'index.cts', 'const seven: number = 7;\nmodule.exports = { seven };\n');
  return dir;
}

interface Printed { greeting?: string; installed?: string; own?: string; installedTypeScript?: number }

// Without the caller's NODE_OPTIONS: one that loads tsx would make the loader stand aside (the third test).
function run(dir: string, importFlag: string, env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' }): { status: number | null; output: Printed; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', importFlag, 'main.ts'], { cwd: dir, encoding: 'utf8', env });
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  return { status: result.status, output: lastLine.startsWith('{') ? JSON.parse(lastLine) : {}, stderr: result.stderr };
}

const TSX = pathToFileURL(require.resolve('tsx')).href;
const LOADER_URL = pathToFileURL(LOADER).href;
const ALL_WITH_TSX: Printed = { greeting: 'hello loader (plain)', installed: '[object Object]', own: '[object Object]', installedTypeScript: 7 };

describe('build-tools/typescript-loader.mjs (how cdk.json starts the app)', () => {
  let dir: string;
  beforeAll(() => { dir = project(); });

  test('leaves installed .js files to Node, and everything else (the project\'s files, TypeScript in a package) to tsx', () => {
    const { status, output, stderr } = run(dir, LOADER_URL);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(output).toEqual({ ...ALL_WITH_TSX, installed: '[object Module]' });
  });

  test('tsx alone loads every file itself (what the test above tells apart)', () => {
    const { status, output } = run(dir, TSX);
    expect(status).toBe(0);
    expect(output).toEqual(ALL_WITH_TSX);
  });

  test('stands aside when tsx was registered before it, and the app runs as under tsx alone', () => {
    const { status, output, stderr } = run(dir, LOADER_URL, { ...process.env, NODE_OPTIONS: `--import=${TSX}` });
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(output).toEqual(ALL_WITH_TSX);
  });

  test('cdk.json starts the app with it', () => {
    const app: string = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).app;
    expect(app).toMatch(/^node( \S+)* --import \.\/build-tools\/typescript-loader\.mjs src\/main\.ts$/);
  });
});
