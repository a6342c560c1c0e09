import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SHARED_ASSEMBLIES_ENV, synthPlatform } from './synth-app';
import { TEST_CONFIGS } from './test-configs';

/** Synthesizes every test configuration once for all test files that only read them; workers inherit the paths. */
export default function globalSetup(): void {
  const outdirs: Record<string, string> = {};
  for (const [name, config] of Object.entries(TEST_CONFIGS)) {
    outdirs[name] = synthPlatform(config, mkdtempSync(path.join(tmpdir(), `platform-${name}-`))).outdir;
  }
  process.env[SHARED_ASSEMBLIES_ENV] = JSON.stringify(outdirs);
}
