import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RUN_TMPDIR_ENV } from './global-setup';
import globalTeardown from './global-teardown';

describe('the test run\'s temporary folder', () => {
  test('is where every test file writes: os.tmpdir() points into it', () => {
    const runTmpdir = process.env[RUN_TMPDIR_ENV];
    expect(runTmpdir).toBeDefined();
    expect(tmpdir()).toBe(runTmpdir);
    expect(path.basename(runTmpdir!)).toMatch(/^platform-test-run-/);
  });

  describe('the global teardown', () => {
    let scratch: string;
    let saved: string | undefined;
    beforeEach(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'teardown-'));
      saved = process.env[RUN_TMPDIR_ENV];
    });
    afterEach(() => {
      if (saved === undefined) delete process.env[RUN_TMPDIR_ENV];
      else process.env[RUN_TMPDIR_ENV] = saved;
      delete process.env.PLATFORM_TEST_KEEP_TMPDIR;
      rmSync(scratch, { recursive: true, force: true });
    });

    /** A run folder holding a link into a folder outside it, as the main command's workspace links the repository. */
    function runFolderWithLink(): { run: string; outside: string } {
      const outside = path.join(scratch, 'repository');
      mkdirSync(path.join(outside, 'node_modules'), { recursive: true });
      writeFileSync(path.join(outside, 'node_modules', 'kept'), '');
      const run = path.join(scratch, 'run');
      mkdirSync(path.join(run, 'workspace'), { recursive: true });
      symlinkSync(path.join(outside, 'node_modules'), path.join(run, 'workspace', 'node_modules'));
      writeFileSync(path.join(run, 'workspace', 'written'), '');
      return { run, outside };
    }

    test('removes the folder and what the tests wrote in it, and nothing a link in it points to', async () => {
      const { run, outside } = runFolderWithLink();
      process.env[RUN_TMPDIR_ENV] = run;
      await globalTeardown();
      expect(existsSync(run)).toBe(false);
      expect(existsSync(path.join(outside, 'node_modules', 'kept'))).toBe(true);
    });

    test('keeps it with PLATFORM_TEST_KEEP_TMPDIR=1', async () => {
      const { run } = runFolderWithLink();
      process.env[RUN_TMPDIR_ENV] = run;
      process.env.PLATFORM_TEST_KEEP_TMPDIR = '1';
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      await globalTeardown();
      expect(existsSync(path.join(run, 'workspace', 'written'))).toBe(true);
      expect(log).toHaveBeenCalledWith(expect.stringContaining(run));
    });
  });
});
