/*
 * Syntheses of test configurations, one after the other in one process: the first synthesis of a process
 * pays for loading aws-cdk-lib, cdk-nag and CloudFormation's validation (about two thirds of its time), the
 * next ones do not. The global setup runs this beside the README's main command.
 *
 * Usage: node <the options cdk.json starts the app with> test/support/synth-job.ts <job> ...
 *   <name>=<output dir>          a test configuration (test-configs.ts)
 *   <config.json>=<output dir>   a configuration in a file; a failure is written to <output dir>/synth-error.txt
 *                                for the test that generated it
 * Each output dir is marked done or failed when its job ends (background-results.ts); the jobs go on either way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { markDone, markFailed } from './background-results';
import { synthPlatform } from './synth-app';
import { TEST_CONFIGS, type TestConfigName } from './test-configs';

/** Where a generated configuration's synthesis writes its failure: the test reads it there. */
export const SYNTH_ERROR_FILE = 'synth-error.txt';

function main(jobs: string[][]): void {
  for (const [source, outdir] of jobs) {
    if (source in TEST_CONFIGS) {
      try {
        synthPlatform(TEST_CONFIGS[source as TestConfigName], outdir);
        markDone(outdir);
      } catch (error) {
        markFailed(outdir, (error as Error).message);
        process.exitCode = 1;
      }
    } else {
      try {
        synthPlatform(JSON.parse(readFileSync(source, 'utf8')), outdir);
      } catch (error) {
        writeFileSync(`${outdir}/${SYNTH_ERROR_FILE}`, (error as Error).stack ?? String(error));
      }
      // Done either way: the test of generated configurations reports the failure, with the seed.
      markDone(outdir);
    }
  }
}

if (require.main === module) {
  const jobs = process.argv.slice(2).map((argument) => argument.split('='));
  if (jobs.length === 0 || jobs.some(([source, outdir]) => !source || !outdir)) {
    console.error('usage: synth-job.ts <test configuration name or config.json>=<output dir> ...');
    process.exitCode = 2;
  } else {
    main(jobs);
  }
}
