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

function stage(name: string, isProduction: boolean, accounts: fc.Arbitrary<string>) {
  return fc.record({
    name: fc.constant(name),
    account: accounts,
    region,
    availabilityZones: fc.integer({ min: 2, max: 3 }),
    service: sizing,
    clientInstance: fc.boolean(),
    requiresApproval: fc.constant(isProduction),
    postDeployCheck: fc.constant(!isProduction),
    retention: fc.record({
      statefulResources: fc.constant(isProduction ? 'retain' as const : 'destroy' as const),
      logDays: fc.constantFrom(14, 30, 365),
    }),
  });
}

/**
 * Configurations a user could write that the platform must accept and synthesize: one to three stages,
 * in the toolchain account or others (stages may share an account), in any region that has every service.
 */
export const validConfig: fc.Arbitrary<PlatformConfigInput> = fc.record({ toolchain: account, stageAccount: account }).chain((accounts) => {
  const stageAccounts = fc.constantFrom(accounts.toolchain, accounts.stageAccount);
  return fc.record({
    toolchain: fc.record({ account: fc.constant(accounts.toolchain), region, retention: fc.constantFrom('retain' as const, 'destroy' as const) }),
    source: fc.record({
      repository: fc.constantFrom('acme/platform', 'some-org/infra.repo'),
      branch,
      connectionArn: fc.tuple(fc.constantFrom('codeconnections', 'codestar-connections'), region, account, uuid)
        .map(([service, where, owner, id]) => `arn:aws:${service}:${where}:${owner}:connection/${id}`),
    }),
    app: fc.record({
      name: fc.constantFrom('hello-codepipeline', 'shop-api', 'a1', 'x'.repeat(32)),
      branch,
      cpuArchitecture: fc.constantFrom('ARM64' as const, 'X86_64' as const),
    }),
    stages: fc.integer({ min: 1, max: 3 }).chain((count) =>
      fc.tuple(...['dev', 'staging', 'prod'].slice(3 - count).map((name, index) => stage(name, index === count - 1 && count > 1, stageAccounts)))
        .map((stages) => [...stages])),
  });
});
