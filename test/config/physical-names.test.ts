import * as fc from 'fast-check';
import { validConfig } from './arbitraries';
import { parseConfig } from '../../src/config';
import { namedResources, physicalNameCollisions } from '../../src/config/physical-names';

const toolchain = { account: '111111111111', region: 'eu-west-1' };

describe('physical names', () => {
  test('no configuration the schema accepts names two resources alike, or a name AWS would refuse', () => {
    fc.assert(fc.property(validConfig, (input) => {
      const config = parseConfig(input, 'generated');
      expect(physicalNameCollisions({ app: config.app.name, toolchain: config.toolchain, stages: config.stages })).toEqual([]);
    }), { numRuns: 200 });
  });

  test('two stages of one account and region get names of their own for every resource', () => {
    const stages = [{ name: 'dev', ...toolchain }, { name: 'prod', ...toolchain }];
    const names = namedResources({ app: 'hello-codepipeline', toolchain, stages });
    const dev = names.filter((resource) => resource.owner === 'stages[0].name').map((resource) => resource.name);
    const prod = names.filter((resource) => resource.owner === 'stages[1].name').map((resource) => resource.name);
    expect(dev.length).toBeGreaterThanOrEqual(4);
    for (const name of dev.filter((candidate) => candidate !== 'hello-codepipeline')) expect(prod).not.toContain(name);
  });

  test('a collision is reported once, on the later owner, with the account it happens in', () => {
    const stages = [{ name: 'dev', ...toolchain }, { name: 'dev', ...toolchain }];
    const problems = physicalNameCollisions({ app: 'hello-codepipeline', toolchain, stages });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.owner === 'stages[1].name')).toBe(true);
    expect(problems[0].message).toMatch(/already gives one in account 111111111111/);
  });

  test('a name over the length AWS allows is reported with its length and the limit', () => {
    const problems = physicalNameCollisions({ app: 'a'.repeat(50), toolchain, stages: [{ name: 'production-east', ...toolchain }] });
    expect(problems.map((problem) => problem.message)).toContainEqual(expect.stringMatching(/IAM role name "a{50}-production-east-execution" 76 characters long, over the 64 AWS allows/));
  });
});
