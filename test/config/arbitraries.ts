import * as fc from 'fast-check';
import type { PlatformConfigInput } from '../../src/config';
import { DELIVERY_REGIONS } from '../../src/config/aws-names';
import { FARGATE_CPU_UNITS, fargateMemoryOptions } from '../../src/config/fargate-sizes';

const account = fc.stringMatching(/^\d{12}$/);
const region = fc.constantFrom(...DELIVERY_REGIONS);
const sizing = fc.constantFrom(...FARGATE_CPU_UNITS).chain((cpu) =>
  fc.record({
    cpu: fc.constant(cpu),
    memoryMiB: fc.constantFrom(...fargateMemoryOptions(cpu)),
    minTasks: fc.integer({ min: 1, max: 3 }),
  }).chain((partial) => fc.integer({ min: partial.minTasks, max: 6 }).map((maxTasks) => ({ ...partial, maxTasks }))));
const branch = fc.constantFrom('main', 'master', 'release/2026', 'feature/x-1');
const uuid = fc.uuid({ version: 4 });

function stage(name: string, isProduction: boolean) {
  return fc.record({
    name: fc.constant(name),
    account,
    region,
    availabilityZones: fc.integer({ min: 2, max: 3 }),
    cpuArchitecture: fc.constantFrom('ARM64' as const, 'X86_64' as const),
    service: sizing,
    clientInstance: fc.boolean(),
    requiresApproval: fc.constant(isProduction),
    postDeployCheck: fc.constant(!isProduction),
    retention: fc.record({
      statefulResources: fc.constant(isProduction ? 'retain' as const : 'destroy' as const),
      logDays: fc.constantFrom(14, 30, 365),
    }),
    appRepository: fc.record({ name: fc.constantFrom('hello-codepipeline', 'shop.api', 'app_1'), branch }),
  });
}

/** Configurations a user could write that the platform must accept and synthesize. */
export const validConfig: fc.Arbitrary<PlatformConfigInput> = fc.record({
  toolchain: fc.record({ account, region }),
  source: fc.record({
    repository: fc.constantFrom('acme/platform', 'some-org/infra.repo'),
    branch,
    connectionArn: fc.tuple(fc.constantFrom('codeconnections', 'codestar-connections'), region, account, uuid)
      .map(([service, where, owner, id]) => `arn:aws:${service}:${where}:${owner}:connection/${id}`),
  }),
  stages: fc.tuple(stage('dev', false), stage('prod', true)).map((stages) => [...stages]),
});
