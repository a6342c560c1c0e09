import { rmSync } from 'node:fs';
import { backgroundJobs, RUN_TMPDIR_ENV } from './global-setup';

/**
 * Jest exits only once the syntheses and the main command the global setup started have ended, and then
 * removes the run's temporary folder with everything the tests wrote there (PLATFORM_TEST_KEEP_TMPDIR=1
 * keeps it, to look at what a failing test synthesized).
 */
export default async function globalTeardown(): Promise<void> {
  await backgroundJobs();
  const runTmpdir = process.env[RUN_TMPDIR_ENV];
  if (!runTmpdir) return;
  if (process.env.PLATFORM_TEST_KEEP_TMPDIR === '1') {
    console.log(`\nThe tests' temporary files are kept in ${runTmpdir}`);
    return;
  }
  rmSync(runTmpdir, { recursive: true, force: true });
}
