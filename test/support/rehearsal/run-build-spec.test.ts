import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runBuildSpec } from './run-build-spec';

// The rehearsals are only as good as the emulator's CodeBuild semantics, so those are pinned down here.
describe('the build spec emulator', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'build-spec-emulator-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (phases: Record<string, unknown>, environment: Record<string, string> = {}, env: Record<string, unknown> = {}) =>
    runBuildSpec({ spec: { version: '0.2', env: { shell: 'bash', ...env }, phases }, sourceDir: dir, environment });

  test('variables carry across commands and phases, and the environment wins over env.variables', () => {
    const result = run(
      { pre_build: { commands: ['A=one', 'mkdir sub && cd sub'] }, build: { commands: ['echo "$A $(basename "$PWD") $B $C"'] } },
      { B: 'project' },
      { variables: { B: 'spec', C: 'spec' } },
    );
    expect(result.stdout).toBe('one sub project spec\n');
  });

  test('a failed build phase still runs post_build, which sees CODEBUILD_BUILD_SUCCEEDING=0', () => {
    const result = run({ build: { commands: ['false', 'echo skipped'], finally: ['echo "finally $CODEBUILD_BUILD_SUCCEEDING"'] }, post_build: { commands: ['echo "post $CODEBUILD_BUILD_SUCCEEDING"'] } });
    expect(result.stdout).toBe('finally 0\npost 0\n');
    expect(result.phases).toEqual([{ name: 'build', succeeded: false, failedCommand: 'false' }, { name: 'post_build', succeeded: true }]);
    expect(result.succeeded).toBe(false);
  });

  test('a failed pre_build ends the build after its finally block, ABORT ends it from any phase, CONTINUE goes on', () => {
    expect(run({ pre_build: { commands: ['false'], finally: ['echo cleanup'] }, build: { commands: ['echo build'] } }).stdout).toBe('cleanup\n');
    expect(run({ build: { 'on-failure': 'ABORT', 'commands': ['false'] }, post_build: { commands: ['echo post'] } }).phasesRun).toEqual(['build']);
    expect(run({ pre_build: { 'on-failure': 'CONTINUE', 'commands': ['false'] }, build: { commands: ['echo build'] } }).stdout).toBe('build\n');
  });

  test('exit ends only its own command, with its status', () => {
    expect(run({ build: { commands: ['exit 0', 'echo next'] } }).stdout).toBe('next\n');
    expect(run({ build: { commands: ['exit 3', 'echo next'] } }).phases).toEqual([{ name: 'build', succeeded: false, failedCommand: 'exit 3' }]);
  });

  test('a secret with no value fails the build before any phase', () => {
    const result = run({ build: { commands: ['echo ran'] } }, {}, { 'parameter-store': { P: '/missing' } });
    expect(result).toEqual(expect.objectContaining({ succeeded: false, phasesRun: [], stdout: '' }));
  });
});

describe('the build spec emulator and install.runtime-versions', () => {
  test('are accepted in install only, where CodeBuild reads them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'build-spec-emulator-'));
    try {
      const spec = (phases: Record<string, unknown>) => ({ version: '0.2', env: { shell: 'bash' }, phases });
      expect(runBuildSpec({ spec: spec({ install: { 'runtime-versions': { nodejs: 24 }, 'commands': ['echo ok'] } }), sourceDir: dir }).stdout).toBe('ok\n');
      expect(() => runBuildSpec({ spec: spec({ build: { 'runtime-versions': { nodejs: 24 }, 'commands': ['echo ok'] } }), sourceDir: dir })).toThrow(/runtime-versions not emulated/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
