import { EXAMPLE_ASSEMBLY_ENV, synthPlatform } from './synth-app';

/** Synthesizes the example once for every test file that only reads it (exampleSynth()); workers inherit the path. */
export default function globalSetup(): void {
  process.env[EXAMPLE_ASSEMBLY_ENV] = synthPlatform().outdir;
}
