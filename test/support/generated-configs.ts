import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import type { PlatformConfigInput } from '../../src/config';
import { validConfig } from '../config/arbitraries';

/** How many generated configurations each test run synthesizes: each is a whole synthesis with the gate. */
export const GENERATED_CONFIG_RUNS = 2;

export const GENERATED_CONFIGS_ENV = 'PLATFORM_TEST_GENERATED_CONFIGS';

/** A configuration fast-check generated, and where the global setup synthesized it. */
export interface GeneratedConfig {
  readonly seed: number;
  readonly config: PlatformConfigInput;
  readonly file: string;
  readonly outdir: string;
}

/**
 * Valid configurations from fast-check, with the seed that reproduces them (FC_SEED=<seed> runs the same
 * ones again), each written to a file for the synthesis job and given an output folder.
 */
export function generateConfigs(seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31))): GeneratedConfig[] {
  return fc.sample(validConfig, { numRuns: GENERATED_CONFIG_RUNS, seed }).map((config, index) => {
    const outdir = mkdtempSync(path.join(tmpdir(), `platform-generated-${index}-`));
    const file = path.join(outdir, '..', `${path.basename(outdir)}.json`);
    writeFileSync(file, JSON.stringify(config));
    return { seed, config, file, outdir };
  });
}

/**
 * The generated configurations the global setup synthesized for this run, none outside it: it generates
 * them only for a run whose test files call this (test/support/test-sequencer.js looks for the call).
 */
export function generatedConfigsOfRun(): GeneratedConfig[] {
  const generated = process.env[GENERATED_CONFIGS_ENV];
  if (generated === undefined) {
    throw new Error(`${GENERATED_CONFIGS_ENV} is not set: run the tests through jest, whose global setup generates the configurations when a test file of the run calls generatedConfigsOfRun() (test/support/test-sequencer.js looks for the call)`);
  }
  return JSON.parse(generated);
}
