import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { parseConfig } from '../../src/config';
import { waitForResult } from '../support/background-results';
import { GENERATED_CONFIG_RUNS, type GeneratedConfig, generatedConfigsOfRun } from '../support/generated-configs';
import { SYNTH_ERROR_FILE } from '../support/synth-job';

/**
 * Configurations fast-check generates (test/config/arbitraries.ts), a few per test run: the global setup
 * synthesizes each one whole, compliance gate included, beside the other syntheses, and this file checks
 * the results. A failure names the seed: FC_SEED=<seed> npx jest generates the same configurations again.
 */
const generated: GeneratedConfig[] = generatedConfigsOfRun();

test('the global setup synthesized the generated configurations', () => {
  expect(generated).toHaveLength(GENERATED_CONFIG_RUNS);
});

describe.each(generated.map((sample, index) => [index, sample] as const))('generated configuration %i', (_index, sample) => {
  const reproduce = `seed ${sample.seed} (FC_SEED=${sample.seed} npx jest test/config/valid-config-synth), configuration ${JSON.stringify(sample.config)}`;

  test('every valid configuration synthesizes, offline, through the compliance gate', () => {
    waitForResult(sample.outdir, `the global setup's synthesis of generated configuration ${_index}`);
    const errorFile = path.join(sample.outdir, SYNTH_ERROR_FILE);
    const error = existsSync(errorFile) ? readFileSync(errorFile, 'utf8') : undefined;
    expect({ reproduce, error }).toEqual({ reproduce, error: undefined });

    const config = parseConfig(sample.config, 'generated configuration');
    const assembly = new CloudAssembly(sample.outdir);
    const stages = assembly.nestedAssemblies.map((nested) => nested.nestedAssembly);
    // The release, each configured stage, then the app pipeline.
    expect(stages).toHaveLength(config.stages.length + 2);
    for (const nested of [assembly, ...stages]) expect(nested.manifest.missing ?? []).toEqual([]);
    const environmentOf = (id: string) => {
      const stack = stages.flatMap((nested) => nested.stacks).find((candidate) => candidate.hierarchicalId === `DeliveryPipeline/${id}`);
      if (!stack) throw new Error(`no stack ${id}; ${reproduce}`);
      return stack.environment;
    };
    for (const stage of config.stages) {
      expect(environmentOf(`${stage.name}/Service`)).toMatchObject({ account: stage.account, region: stage.region });
    }
    for (const stackPath of ['release/Stateful', 'release/Build', 'delivery/Pipeline']) {
      expect(environmentOf(stackPath)).toMatchObject({ account: config.toolchain.account, region: config.toolchain.region });
    }
  });
});
