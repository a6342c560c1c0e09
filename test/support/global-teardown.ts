import { backgroundJobs } from './global-setup';
import { leaveRunTmpdir } from './run-tmpdir';

/**
 * Jest exits only once the syntheses and the main command the global setup started have ended; then the
 * run's temporary folder goes, with everything the tests wrote there (run-tmpdir.ts).
 */
export default async function globalTeardown(): Promise<void> {
  await backgroundJobs();
  const kept = leaveRunTmpdir();
  if (kept) console.log(`\nThe tests' temporary files are kept in ${kept}`);
}
