import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8'));
const tasks: Record<string, any> = manifest.tasks;
const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
/** Empty tasks that projen's locked build and upgrade tasks spawn by name. */
const HOOKS = ['package', 'post-upgrade', 'pre-compile'];

describe('projen tasks', () => {
  test('a task does something, or says it is an empty hook of projen\'s and is no npm script', () => {
    const empty = Object.values(tasks).filter((task) => (task.steps ?? []).length === 0).map((task) => task.name).sort();
    expect(empty).toEqual(HOOKS);
    for (const name of HOOKS) {
      expect({ name, description: tasks[name].description, script: scripts[name] })
        .toEqual({ name, description: expect.stringMatching(/^Empty hook of projen's (build|upgrade) task/), script: undefined });
    }
    expect(tasks.build.steps.map((step: any) => step.spawn)).toEqual(['default', 'pre-compile', 'compile', 'post-compile', 'test', 'package']);
    expect(tasks.upgrade.steps.at(-1)).toEqual({ spawn: 'post-upgrade' });
  });

  test('no task misleads: none mentions yarn, hotswaps a deployment or cleans untracked files', () => {
    const text = JSON.stringify(tasks);
    expect(text).not.toMatch(/yarn/i);
    expect(text).not.toContain('--hotswap');
    expect(text).not.toMatch(/git.{0,20}clean/);
    expect(Object.keys(tasks)).not.toEqual(expect.arrayContaining(['watch']));
    expect(Object.keys(tasks)).not.toEqual(expect.arrayContaining(['clobber']));
    // Without a `watch` block `cdk watch` (a hotswap deploy) refuses to run; no build hook runs a removed task.
    expect(cdkJson.watch).toBeUndefined();
    expect(cdkJson.build).toBeUndefined();
  });

  test('the build synthesizes once, through the synth task, offline', () => {
    expect(tasks['post-compile'].steps).toEqual([{ spawn: 'synth' }]);
    expect(tasks.synth.steps).toEqual([{ exec: 'cdk synth --no-lookups --quiet' }]);
    expect(tasks['synth:silent']).toBeUndefined();
  });

  test('every task finds the project\'s installed commands first, then the caller\'s, without asking npm for its PATH', () => {
    // projen evaluates the PATH for each task it starts; npm took about a second each time.
    expect(JSON.stringify(manifest.env)).not.toMatch(/\bnp[mx]\b/);
    const project = mkdtempSync(path.join(tmpdir(), 'task-path-'));
    mkdirSync(path.join(project, '.projen'));
    const probe = { name: 'probe', steps: [{ exec: 'echo "$PATH"' }] };
    writeFileSync(path.join(project, '.projen', 'tasks.json'), JSON.stringify({ ...manifest, tasks: { probe } }));
    const callerPath = '/opt/caller/bin:/usr/bin:/bin';

    try {
      const printed = execFileSync(process.execPath, [require.resolve('projen/bin/projen'), 'probe'], {
        cwd: project,
        env: { PATH: callerPath, PWD: ROOT },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });

      expect(printed.trim().split('\n').at(-1)).toBe(`${path.join(realpathSync(project), 'node_modules', '.bin')}:${callerPath}`);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test('`npx projen test -- <jest arguments>` hands each argument to run-together as one word, spaces and all', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'task-args-'));
    mkdirSync(path.join(project, '.projen'));
    writeFileSync(path.join(project, '.projen', 'tasks.json'), JSON.stringify({ ...manifest, tasks: { test: tasks.test } }));
    // A tsx that prints what it was given, one argument per line, instead of running run-together.
    const bin = path.join(project, 'caller-bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'tsx'), '#!/bin/sh\nfor argument in "$@"; do printf "%s\\n" "$argument"; done\n', { mode: 0o755 });

    try {
      const printed = execFileSync(process.execPath, [require.resolve('projen/bin/projen'), 'test', '--', 'test/config', '-t', 'two stages of one account'], {
        cwd: project,
        env: { PATH: `${bin}:/usr/bin:/bin`, PWD: project },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });

      const argv = printed.trimEnd().split('\n');
      expect(argv.slice(argv.indexOf('--'))).toEqual(['--', 'test/config', '-t', 'two stages of one account']);
      expect(argv[0]).toBe('build-tools/run-together.ts');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test('the synth and the tests compile CloudFormation\'s validation engine with V8\'s baseline compiler only', () => {
    // Its WebAssembly runs a few times per synth; the optimizing tier recompiled it for about 2 s of CPU.
    expect(cdkJson.app).toMatch(/^node --liftoff-only /);
    // Jest's workers inherit the flags of the process that starts them.
    expect(tasks.test.steps[0].exec).toContain("'node --liftoff-only node_modules/jest/bin/jest.js --ci'");
    // The file the task starts is jest's own command.
    const jestBin = JSON.parse(readFileSync(require.resolve('jest/package.json'), 'utf8')).bin;
    expect(path.join('node_modules', 'jest', jestBin)).toBe(path.join('node_modules', 'jest', 'bin', 'jest.js'));
  });

  test('no task runs in a folder of its own, where the PATH would name that folder\'s node_modules', () => {
    // projen evaluates the environment in the task's folder; a step's `cwd` comes after that.
    expect(Object.values(tasks).filter((task) => task.cwd !== undefined).map((task) => task.name)).toEqual([]);
  });
});

