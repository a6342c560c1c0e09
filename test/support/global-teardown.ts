import { backgroundJobs } from './global-setup';

/** Jest exits only once the syntheses and the main command the global setup started have ended. */
export default async function globalTeardown(): Promise<void> {
  await backgroundJobs();
}
