import type { PlatformConfigInput } from './platform-config';

/**
 * The configuration that ships, so that a fresh clone synthesizes offline.
 * Every account id, the connection ARN and the repository are FAKE placeholders:
 * 111111111111 is the toolchain account, 222222222222 dev, 333333333333 prod.
 * Deploying needs your own values: see "Deploy to your AWS accounts" in README.md.
 */
export const EXAMPLE_CONFIG: PlatformConfigInput = {
  toolchain: { account: '111111111111', region: 'eu-west-1', retention: 'retain' },
  source: {
    repository: 'example-org/fargate-delivery-platform',
    branch: 'main',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
  },
  app: { name: 'hello-codepipeline', branch: 'main', cpuArchitecture: 'ARM64' },
  notifications: { emails: [] },
  stages: [
    {
      name: 'dev',
      account: '222222222222',
      region: 'eu-west-1',
      availabilityZones: 2,
      service: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
      clientInstance: true,
      postDeployCheck: true,
      requiresApproval: false,
      retention: { statefulResources: 'destroy', logDays: 14 },
    },
    {
      name: 'prod',
      account: '333333333333',
      region: 'eu-west-1',
      availabilityZones: 3,
      service: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 6 },
      clientInstance: false,
      postDeployCheck: false,
      requiresApproval: true,
      retention: { statefulResources: 'retain', logDays: 365 },
    },
  ],
};

/** The same two stages with every stage in the toolchain account: the single-account setup of the tutorial. */
export const SINGLE_ACCOUNT_EXAMPLE_CONFIG: PlatformConfigInput = {
  ...EXAMPLE_CONFIG,
  stages: EXAMPLE_CONFIG.stages.map((stage) => ({ ...stage, account: EXAMPLE_CONFIG.toolchain.account })),
};
