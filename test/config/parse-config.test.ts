import * as fc from 'fast-check';
import { validConfig } from './arbitraries';
import { ConfigError, EXAMPLE_CONFIG, parseConfig, type PlatformConfigInput } from '../../src/config';

type Mutable = any;
/** One mistake a user can make, the field the error must name, and a word of the fix it must give. */
interface Mistake {
  readonly name: string;
  readonly apply: (config: Mutable) => void;
  readonly field: RegExp;
  readonly hint: RegExp;
}

const MISTAKES: Mistake[] = [
  { name: 'short account id', apply: (c) => { c.stages[0].account = '12345'; }, field: /stages\[0\]\.account/, hint: /12-digit/ },
  { name: 'account id as a number', apply: (c) => { c.toolchain.account = 123456789012; }, field: /toolchain\.account/, hint: /string|12-digit/ },
  { name: 'unknown region', apply: (c) => { c.stages[0].region = 'eu-middle-9'; }, field: /stages\[0\]\.region/, hint: /us-east-1/ },
  { name: 'region without CodeCommit', apply: (c) => { c.toolchain.region = 'af-south-1'; }, field: /toolchain\.region/, hint: /no CodeCommit.*eu-west-1/ },
  { name: 'memory Fargate rejects for the CPU', apply: (c) => { c.stages[0].service.cpu = 256; c.stages[0].service.memoryMiB = 4096; }, field: /stages\[0\]\.service\.memoryMiB/, hint: /512, 1024, 2048/ },
  { name: 'CPU Fargate does not offer', apply: (c) => { c.stages[0].service.cpu = 300; }, field: /stages\[0\]\.service\.cpu/, hint: /256, 512/ },
  { name: 'duplicate stage names', apply: (c) => { c.stages.push({ ...c.stages[0] }); }, field: /stages\[\d\]\.name/, hint: /unique/ },
  { name: 'not a connection ARN', apply: (c) => { c.source.connectionArn = 'arn:aws:iam::111111111111:role/github'; }, field: /source\.connectionArn/, hint: /codeconnections/ },
  { name: 'missing connection ARN', apply: (c) => { delete c.source.connectionArn; }, field: /source\.connectionArn/, hint: /CodeConnections/ },
  { name: 'empty branch', apply: (c) => { c.source.branch = ''; }, field: /source\.branch/, hint: /empty/ },
  { name: 'branch git rejects', apply: (c) => { c.app.branch = 'feature..x'; }, field: /app\.branch/, hint: /\.\./ },
  { name: 'min tasks above max', apply: (c) => { c.stages[0].service.minTasks = 9; c.stages[0].service.maxTasks = 2; }, field: /stages\[0\]\.service\.minTasks/, hint: /maxTasks/ },
  { name: 'a single AZ', apply: (c) => { c.stages[0].availabilityZones = 1; }, field: /stages\[0\]\.availabilityZones/, hint: /single point of failure/ },
  { name: 'misspelt field', apply: (c) => { c.stages[0].clientInstanse = true; }, field: /stages\[0\]/, hint: /clientInstanse/ },
  { name: 'no stage at all', apply: (c) => { c.stages = []; }, field: /stages/, hint: /at least one/ },
  { name: 'app name ECR or Lambda would reject', apply: (c) => { c.app.name = 'Hello_App'; }, field: /app\.name/, hint: /lowercase/ },
  { name: 'app name too long for the names derived from it', apply: (c) => { c.app.name = 'a'.repeat(33); }, field: /app\.name/, hint: /2-32/ },
  { name: 'a stage named after a deployment of the toolchain', apply: (c) => { c.stages[0].name = 'release'; }, field: /stages\[0\]\.name/, hint: /another stage name/ },
  { name: 'a stage field that moved to the app', apply: (c) => { c.stages[0].appRepository = { name: 'hello' }; }, field: /stages\[0\]\.appRepository/, hint: /moved to app\.name/ },
];

function clone(config: PlatformConfigInput): Mutable {
  return JSON.parse(JSON.stringify(config));
}

function errorOf(config: unknown): ConfigError | undefined {
  try {
    parseConfig(config, 'platform.yaml');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('parseConfig', () => {
  test('the example configuration is valid and fills in defaults', () => {
    const config = parseConfig(EXAMPLE_CONFIG, 'example');
    expect(config.bootstrapQualifier).toBe('hnb659fds');
    expect(config.stages.map((stage) => stage.name)).toEqual(['dev', 'prod']);
    expect(config.app).toEqual({ name: 'hello-codepipeline', branch: 'main', cpuArchitecture: 'ARM64' });
    expect(config.toolchain.retention).toBe('retain');
  });

  test('a partial block takes the documented defaults for what it leaves out', () => {
    const input = clone(EXAMPLE_CONFIG);
    input.stages[0].service = { minTasks: 2, maxTasks: 6 };
    input.stages[1].service = { cpu: 1024 };
    delete input.stages[1].retention.statefulResources;
    const config = parseConfig(input, 'platform.yaml');
    expect(config.stages[0].service).toEqual({ cpu: 256, memoryMiB: 512, minTasks: 2, maxTasks: 6 });
    // Without memoryMiB, the smallest size Fargate allows for the CPU.
    expect(config.stages[1].service).toEqual({ cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 4 });
    expect(config.stages[1].retention).toEqual({ statefulResources: 'retain', logDays: 365 });
  });

  test('every generated valid configuration is accepted', () => {
    fc.assert(fc.property(validConfig, (config) => {
      expect(errorOf(config)).toBeUndefined();
    }), { numRuns: 300 });
  });

  test.each(MISTAKES)('rejects $name with one message naming the field and the fix', (mistake) => {
    fc.assert(fc.property(validConfig, (valid) => {
      const config = clone(valid);
      mistake.apply(config);
      const error = errorOf(config);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error!.message).toMatch(/^Invalid platform configuration in platform\.yaml:/);
      expect(error!.message).toMatch(mistake.field);
      expect(error!.message).toMatch(mistake.hint);
      // A user mistake is reported as a message, not as a stack trace.
      expect(error!.message).not.toMatch(/\n\s+at /);
    }), { numRuns: 40 });
  });
});
