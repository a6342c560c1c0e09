import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import globalTeardown from './global-teardown';
import { enterRunTmpdir, KEEP_TMPDIR_ENV, leaveRunTmpdir, RUN_TMPDIR_ENV } from './run-tmpdir';

const MACHINE_TMPDIR = Symbol.for('platform-test-machine-tmpdir');
const SAVED = ['TMPDIR', RUN_TMPDIR_ENV, KEEP_TMPDIR_ENV] as const;

describe('the test run\'s temporary folder', () => {
  test('is where every test file writes: os.tmpdir() points into it', () => {
    const runTmpdir = process.env[RUN_TMPDIR_ENV];
    expect(runTmpdir).toBeDefined();
    expect(tmpdir()).toBe(runTmpdir);
    expect(path.basename(runTmpdir!)).toMatch(/^platform-test-run-/);
  });

  describe('made and removed around each run', () => {
    let scratch: string;
    let saved: Record<string, string | undefined>;
    let savedSlot: unknown;
    beforeEach(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'run-tmpdir-'));
      saved = Object.fromEntries(SAVED.map((name) => [name, process.env[name]]));
      savedSlot = (globalThis as Record<symbol, unknown>)[MACHINE_TMPDIR];
      // A process as jest starts: the machine's TMPDIR (here the scratch folder), no run yet. (This file's
      // process.env is jest's copy, which os.tmpdir() does not read: the run's folder is judged by TMPDIR.)
      delete (globalThis as Record<symbol, unknown>)[MACHINE_TMPDIR];
      process.env.TMPDIR = scratch;
      delete process.env[RUN_TMPDIR_ENV];
      delete process.env[KEEP_TMPDIR_ENV];
    });
    afterEach(() => {
      for (const name of SAVED) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      (globalThis as Record<symbol, unknown>)[MACHINE_TMPDIR] = savedSlot;
      rmSync(scratch, { recursive: true, force: true });
    });

    /** A run whose folder holds a link to a folder outside it, as the main command's workspace links the repository. */
    function runWithLink(): { run: string; outside: string } {
      const outside = path.join(scratch, 'repository');
      mkdirSync(path.join(outside, 'node_modules'), { recursive: true });
      writeFileSync(path.join(outside, 'node_modules', 'kept'), '');
      const run = enterRunTmpdir();
      mkdirSync(path.join(run, 'workspace'));
      symlinkSync(path.join(outside, 'node_modules'), path.join(run, 'workspace', 'node_modules'));
      writeFileSync(path.join(run, 'workspace', 'written'), '');
      return { run, outside };
    }

    test('the teardown removes the folder and what the tests wrote in it, and nothing a link in it points to', async () => {
      const { run, outside } = runWithLink();
      expect(path.dirname(run)).toBe(scratch);
      expect(process.env.TMPDIR).toBe(run);
      await globalTeardown();
      expect(existsSync(run)).toBe(false);
      expect(existsSync(path.join(outside, 'node_modules', 'kept'))).toBe(true);
      expect({ TMPDIR: process.env.TMPDIR, run: process.env[RUN_TMPDIR_ENV] }).toEqual({ TMPDIR: scratch, run: undefined });
    });

    test(`${KEEP_TMPDIR_ENV}=1 keeps it, and the teardown says where`, async () => {
      const { run } = runWithLink();
      process.env[KEEP_TMPDIR_ENV] = '1';
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await globalTeardown();
        expect(existsSync(path.join(run, 'workspace', 'written'))).toBe(true);
        expect(log).toHaveBeenCalledWith(expect.stringContaining(run));
      } finally {
        log.mockRestore();
      }
    });

    test('a second run in the same process (watch mode) starts in the machine\'s folder, even when the first was kept', () => {
      process.env[KEEP_TMPDIR_ENV] = '1';
      const first = enterRunTmpdir();
      expect(leaveRunTmpdir()).toBe(first);
      const second = enterRunTmpdir();
      expect(path.dirname(second)).toBe(scratch);
      expect(second).not.toBe(first);
      leaveRunTmpdir();
    });
  });
});
