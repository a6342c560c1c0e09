import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NODE_MAJOR } from '../../src/toolchain/node-major';
import { exampleSynth, type SynthesizedPlatform } from '../support/synth-app';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const json = (file: string) => JSON.parse(read(file));

/** One Node major everywhere the project runs: a second one would be a Node nobody tested on. */
describe(`every runtime is Node ${NODE_MAJOR}`, () => {
  test('package.json engines and devEngines, and .nvmrc', () => {
    const manifest = json('package.json');
    expect(manifest.engines.node).toBe(`${NODE_MAJOR}.x`);
    expect(manifest.devEngines.runtime).toEqual({ name: 'node', version: `${NODE_MAJOR}.x`, onFail: 'error' });
    expect(read('.nvmrc').trim()).toBe(String(NODE_MAJOR));
  });

  test('the app: its engines and both stages of its image', () => {
    expect(json('container/package.json').engines.node).toBe(`>=${NODE_MAJOR}`);
    const bases = [...read('container/Dockerfile').matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(new RegExp(`^public\\.ecr\\.aws/docker/library/node:${NODE_MAJOR}\\.\\d+\\.\\d+-alpine`));
  });

  test('every workflow step that sets up Node sets up this one', () => {
    const workflowsDir = path.join(ROOT, '.github', 'workflows');
    const setups = ['build.yml', 'upgrade.yml'].flatMap((file) => Object.values<any>(parseYaml(readFileSync(path.join(workflowsDir, file), 'utf8')).jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step: any) => String(step.uses ?? '').startsWith('actions/setup-node@')));
    expect(setups.length).toBeGreaterThan(0);
    for (const step of setups) {
      const version = step.with?.['node-version'] ?? (step.with?.['node-version-file'] === '.nvmrc' ? read('.nvmrc').trim() : undefined);
      expect(String(version)).toBe(String(NODE_MAJOR));
    }
  });

  describe('the synthesized example', () => {
    let synth: SynthesizedPlatform;
    beforeAll(() => { synth = exampleSynth(); });

    const resources = (type: string) => synth.assembly.stacksRecursively.flatMap((stack) =>
      Object.entries<any>(stack.template.Resources ?? {}).filter(([, resource]) => resource.Type === type)
        .map(([id, resource]) => ({ stack, id, properties: resource.Properties })));

    test('every Lambda function, ours and aws-cdk-lib\'s', () => {
      const runtimes = resources('AWS::Lambda::Function').map(({ stack, id, properties }) => `${stack.hierarchicalId}/${id}: ${properties.Runtime}`);
      expect(runtimes.length).toBeGreaterThan(0);
      for (const runtime of runtimes) expect(runtime).toMatch(new RegExp(`: nodejs${NODE_MAJOR}\\.x$`));
    });

    test('every CodeBuild project that runs node selects it (CodeBuild images default to an older one)', () => {
      const specs = resources('AWS::CodeBuild::Project').map(({ stack, id, properties }) => {
        const source: string = properties.Source.BuildSpec;
        // Specs too large to inline are files of the assembly, next to the template.
        const text = source.includes('\n') ? source : readFileSync(path.join(path.dirname(stack.templateFullPath), source), 'utf8');
        return { where: `${stack.hierarchicalId}/${id}`, spec: parseYaml(text) };
      });
      const runningNode = specs.filter(({ spec }) => /\b(node|npm|npx)\s/.test(JSON.stringify(spec.phases)));
      // Synth, self-mutation and asset publishing at least.
      expect(runningNode.length).toBeGreaterThanOrEqual(3);
      for (const { where, spec } of runningNode) {
        expect({ where, nodejs: spec.phases.install?.['runtime-versions']?.nodejs }).toEqual({ where, nodejs: NODE_MAJOR });
      }
    });
  });
});
