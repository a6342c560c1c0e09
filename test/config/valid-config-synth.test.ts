import * as fc from 'fast-check';
import { validConfig } from './arbitraries';
import { synthPlatform } from '../support/synth-app';

// Each run synthesizes the whole platform with the compliance gate (seconds each), so few runs per test
// run, and no shrinking (each step would be another synth); fast-check prints the seed and the configuration.
test('every valid configuration synthesizes, offline, through the compliance gate', () => {
  fc.assert(fc.property(validConfig, (config) => {
    const synth = synthPlatform(config);
    const stages = synth.assembly.nestedAssemblies.map((nested) => nested.nestedAssembly);
    // The release, each configured stage, then the app pipeline.
    expect(stages).toHaveLength(config.stages.length + 2);
    for (const assembly of [synth.assembly, ...stages]) expect(assembly.manifest.missing ?? []).toEqual([]);
    for (const stage of config.stages) {
      expect(synth.stack(`${stage.name}/Service`).environment).toMatchObject({ account: stage.account, region: stage.region });
    }
    for (const stackPath of ['release/Stateful', 'release/Build', 'delivery/Pipeline']) {
      expect(synth.stack(stackPath).environment).toMatchObject({ account: config.toolchain.account, region: config.toolchain.region });
    }
  }), { numRuns: 2, endOnFailure: true });
});
