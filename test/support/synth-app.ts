import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { waitForResult } from './background-results';
import { TEST_CONFIGS, type TestConfigName } from './test-configs';
import { EXAMPLE_CONFIG, parseConfig, type PlatformConfig, type PlatformConfigInput } from '../../src/config';

/** The app's context from cdk.json (feature flags). */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/**
 * What the CDK CLI adds to cdk.json's context for `cdk synth` (read from the CLI's CDK_CONTEXT_JSON), so the
 * tests synthesize, byte for byte, what `cdk synth` does: test/synth-offline.test.ts compares the two.
 */
export const CDK_CLI_CONTEXT: Record<string, unknown> = {
  ...CDK_JSON_CONTEXT,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
};

export interface SynthesizedPlatform {
  readonly config: PlatformConfig;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
  /** The template of a stack by its path below the pipeline stack, e.g. `DeliveryPipeline`, `dev/Service`, `release/Stateful`. */
  template(stackPath: string): any;
  /** The stack artifact by its path below the pipeline stack, e.g. `prod/Service`. */
  stack(stackPath: string): CloudFormationStackArtifact;
  /** Every stack of the platform, the pipeline's own and the stages', with its path. */
  stacks(): Array<{ path: string; artifact: CloudFormationStackArtifact }>;
}

/**
 * Synthesizes the whole platform, compliance gate included, into a fresh directory.
 * Call it once per test file (in beforeAll) and share the result: a synth takes seconds.
 */
export function synthPlatform(input: PlatformConfigInput = EXAMPLE_CONFIG, outdir = mkdtempSync(path.join(tmpdir(), 'platform-synth-'))): SynthesizedPlatform {
  const config = parseConfig(input, 'test configuration');
  // Loaded here, not at the top: a test file that only reads a shared synthesis never loads the app.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { buildPlatform } = require('../../src/platform-app') as typeof import('../../src/platform-app');
  const { synthesizeWithGate } = require('../../src/compliance/run-gate') as typeof import('../../src/compliance/run-gate');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = new App({ outdir, context: CDK_CLI_CONTEXT });
  buildPlatform(app, config);
  // The gate decides as it does for `cdk synth`, and a failure reads the same: its summary.
  const gate = synthesizeWithGate(app);
  if (!gate.passed) throw new Error(gate.summary);
  return withAccessors(config, gate.assembly, outdir);
}

export const SHARED_ASSEMBLIES_ENV = 'PLATFORM_TEST_SHARED_ASSEMBLIES';

/**
 * One of the test configurations (test/support/test-configs.ts), synthesized once for every test file that
 * only reads it: jest's global setup starts those the run's test files read and names their folders in
 * SHARED_ASSEMBLIES_ENV; this waits for the one asked for. Outside jest's global setup, this synthesizes afresh.
 */
export function sharedSynth(name: TestConfigName): SynthesizedPlatform {
  const shared = process.env[SHARED_ASSEMBLIES_ENV];
  if (!shared) return synthPlatform(TEST_CONFIGS[name]);
  const outdir = (JSON.parse(shared) as Record<string, string>)[name];
  if (!outdir) {
    // Failing beats synthesizing here: in a whole suite the same synthesis would run again in every file that misses.
    throw new Error(`the global setup did not synthesize the test configuration "${name}" for this run: test/support/test-sequencer.js starts `
      + 'those a test file names in quotes beside sharedSynth (or exampleSynth()); name it so in the file that reads it');
  }
  waitForResult(outdir, `the global setup's synthesis of the test configuration "${name}"`);
  return withAccessors(parseConfig(TEST_CONFIGS[name], name), new CloudAssembly(outdir), outdir);
}

/** The example configuration's synth, shared (see sharedSynth). */
export function exampleSynth(): SynthesizedPlatform {
  return sharedSynth('example');
}

function withAccessors(config: PlatformConfig, assembly: CloudAssembly, outdir: string): SynthesizedPlatform {
  const all = (): Array<{ path: string; artifact: CloudFormationStackArtifact }> => [
    ...assembly.stacks.map((artifact) => ({ path: artifact.hierarchicalId, artifact })),
    ...assembly.nestedAssemblies.flatMap((nested) => nested.nestedAssembly.stacks.map((artifact) => ({
      path: artifact.hierarchicalId.replace(/^DeliveryPipeline\//, ''),
      artifact,
    }))),
  ];
  return {
    config,
    assembly,
    outdir,
    stacks: all,
    stack(stackPath: string) {
      const found = all().find((candidate) => candidate.path === stackPath);
      if (!found) throw new Error(`no stack ${stackPath}; stacks: ${all().map((candidate) => candidate.path).join(', ')}`);
      return found.artifact;
    },
    template(stackPath: string) {
      return this.stack(stackPath).template;
    },
  };
}
