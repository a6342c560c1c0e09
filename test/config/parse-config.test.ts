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

/**
 * Every field a user writes, with the kind of value it takes: a value of another kind must be reported as
 * what it is ("got the number …"), never as a missing field.
 */
type FieldKind = 'text' | 'number' | 'boolean' | 'mapping' | 'list';
const TYPED_FIELDS: ReadonlyArray<{ path: (config: Mutable) => [Mutable, string]; field: RegExp; kind: FieldKind }> = [
  { path: (c) => [c.toolchain, 'account'], field: /toolchain\.account/, kind: 'text' },
  { path: (c) => [c.toolchain, 'region'], field: /toolchain\.region/, kind: 'text' },
  { path: (c) => [c.source, 'repository'], field: /source\.repository/, kind: 'text' },
  { path: (c) => [c.source, 'branch'], field: /source\.branch/, kind: 'text' },
  { path: (c) => [c.app, 'name'], field: /app\.name/, kind: 'text' },
  { path: (c) => [c.stages[0], 'account'], field: /stages\[0\]\.account/, kind: 'text' },
  { path: (c) => [c.stages[0], 'name'], field: /stages\[0\]\.name/, kind: 'text' },
  { path: (c) => [c.stages[0].service, 'cpu'], field: /stages\[0\]\.service\.cpu/, kind: 'number' },
  { path: (c) => [c.stages[0].service, 'minTasks'], field: /stages\[0\]\.service\.minTasks/, kind: 'number' },
  { path: (c) => [c.stages[0], 'availabilityZones'], field: /stages\[0\]\.availabilityZones/, kind: 'number' },
  { path: (c) => [c.stages[0].retention, 'logDays'], field: /stages\[0\]\.retention\.logDays/, kind: 'number' },
  { path: (c) => [c.stages[0], 'clientInstance'], field: /stages\[0\]\.clientInstance/, kind: 'boolean' },
  { path: (c) => [c.stages[0], 'requiresApproval'], field: /stages\[0\]\.requiresApproval/, kind: 'boolean' },
  { path: (c) => [c, 'app'], field: /app/, kind: 'mapping' },
  { path: (c) => [c.stages[0], 'service'], field: /stages\[0\]\.service/, kind: 'mapping' },
  { path: (c) => [c, 'stages'], field: /stages/, kind: 'list' },
];
const VALUE_OF_KIND: Record<FieldKind, fc.Arbitrary<unknown>> = {
  text: fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !/^\d+$/.test(text) && !['true', 'false'].includes(text)),
  number: fc.integer({ min: 1, max: 999_999_999_999 }),
  boolean: fc.boolean(),
  mapping: fc.constant({ some: 'thing' }),
  list: fc.constant(['an item']),
};
/** How the message names a value of each kind it did not expect. */
const GOT_KIND: Record<FieldKind, RegExp> = {
  text: /got the text "/,
  number: /got the number \d+/,
  boolean: /got (true|false)/,
  mapping: /got a mapping/,
  list: /got a list/,
};

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

  test.each(TYPED_FIELDS.map((typed) => ({ ...typed, name: typed.field.source.replace(/\\/g, '') })))(
    'a value of the wrong kind for $name names the field, the value it got, and what to write',
    (typed) => {
      const otherKinds = (Object.keys(VALUE_OF_KIND) as FieldKind[]).filter((kind) => kind !== typed.kind);
      const wrongValue = fc.constantFrom(...otherKinds).chain((kind) => fc.tuple(fc.constant(kind), VALUE_OF_KIND[kind]));
      fc.assert(fc.property(validConfig, wrongValue, (valid, [kind, value]) => {
        const config = clone(valid);
        const [parent, key] = typed.path(config);
        parent[key] = value;
        const message = errorOf(config)?.message ?? '';
        expect(message).toMatch(typed.field);
        expect(message).toMatch(GOT_KIND[kind]);
        expect(message).not.toMatch(/is required/);
        // What it accepts: a kind to write, an example, or the values allowed.
        expect(message).toMatch(/; (write|must be|e\.g\.)/);
      }), { numRuns: 25 });
    },
  );

  test.each([
    {
      mistake: 'an unquoted account id',
      apply: (c: Mutable) => { c.stages[1].account = 222222222222; },
      message: '  - stages[1].account: got the number 222222222222; write the 12-digit account id in quotes, e.g. "222222222222" '
        + '(unquoted, YAML reads it as a number and drops leading zeros)',
    },
    {
      mistake: 'a region typo',
      apply: (c: Mutable) => { c.stages[0].region = 'eu-wset-1'; },
      message: '  - stages[0].region: "eu-wset-1" is not an AWS region; did you mean eu-west-1? The platform runs in ',
    },
    {
      mistake: 'a stage name with capitals',
      apply: (c: Mutable) => { c.stages[0].name = 'Dev_1'; },
      message: '  - stages[0].name: got the text "Dev_1"; must be 1-16 lowercase letters, digits or "-", starting with a letter (e.g. dev, prod)',
    },
    {
      mistake: 'a word for a number',
      apply: (c: Mutable) => { c.stages[0].service.minTasks = 'two'; },
      message: '  - stages[0].service.minTasks: got the text "two"; write a number without quotes, e.g. 2',
    },
    {
      mistake: 'a quoted yes for a flag',
      apply: (c: Mutable) => { c.stages[0].clientInstance = 'yes'; },
      message: '  - stages[0].clientInstance: got the text "yes"; write true or false, without quotes',
    },
  ])('the message for $mistake is the one the configuration reference quotes', ({ apply, message }) => {
    const config = clone(EXAMPLE_CONFIG);
    apply(config);
    const error = errorOf(config);
    const lines = error!.message.split('\n');
    expect(lines[0]).toBe('Invalid platform configuration in platform.yaml:');
    expect(lines).toHaveLength(2);
    expect(lines[1].startsWith(message)).toBe(true);
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
