import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { EXAMPLE_CONFIG, parseConfig, type PlatformConfig, type PlatformConfigInput } from '../../src/config';
import { buildPlatform } from '../../src/platform-app';

/** The app's context from cdk.json (feature flags), so tests synthesize what `cdk synth` synthesizes. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

export interface SynthesizedPlatform {
  readonly config: PlatformConfig;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
  /** The template of a stack by its path below the app, e.g. `DeliveryPipeline`, `dev/Service`. */
  template(stackPath: string): any;
  /** The stack artifact by its path below the app, e.g. `prod/Stateful`. */
  stack(stackPath: string): CloudFormationStackArtifact;
}

/**
 * Synthesizes the whole platform, compliance gate included, into a fresh directory.
 * Call it once per test file (in beforeAll) and share the result: a synth takes seconds.
 */
export function synthPlatform(input: PlatformConfigInput = EXAMPLE_CONFIG): SynthesizedPlatform {
  const config = parseConfig(input, 'test configuration');
  const outdir = mkdtempSync(path.join(tmpdir(), 'platform-synth-'));
  const app = new App({ outdir, context: CDK_JSON_CONTEXT });
  buildPlatform(app, config);
  return withAccessors(config, app.synth(), outdir);
}

/**
 * The example configuration's synth, shared by the test files that only read its templates: jest's global
 * setup (test/support/global-setup.ts) synthesizes it once; outside it, this synthesizes afresh.
 */
export function exampleSynth(): SynthesizedPlatform {
  const outdir = process.env[EXAMPLE_ASSEMBLY_ENV];
  if (!outdir) return synthPlatform();
  return withAccessors(parseConfig(EXAMPLE_CONFIG, 'example configuration'), new CloudAssembly(outdir), outdir);
}

export const EXAMPLE_ASSEMBLY_ENV = 'PLATFORM_TEST_EXAMPLE_ASSEMBLY';

function withAccessors(config: PlatformConfig, assembly: CloudAssembly, outdir: string): SynthesizedPlatform {
  return {
    config,
    assembly,
    outdir,
    stack(stackPath: string) {
      const [first, ...rest] = stackPath.split('/');
      if (rest.length === 0) return assembly.getStackArtifact(first);
      const nested = assembly.getNestedAssembly(`assembly-DeliveryPipeline-${first}`);
      const found = nested.stacks.find((stack) => [rest.join('/'), `DeliveryPipeline/${stackPath}`].includes(stack.hierarchicalId));
      if (!found) throw new Error(`no stack ${stackPath}; stacks of ${first}: ${nested.stacks.map((stack) => stack.hierarchicalId).join(', ')}`);
      return found;
    },
    template(stackPath: string) {
      return this.stack(stackPath).template;
    },
  };
}
