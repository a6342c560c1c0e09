import { EXAMPLE_CONFIG, type PlatformConfigInput, SINGLE_ACCOUNT_EXAMPLE_CONFIG } from '../../src/config';

const [dev, prod] = EXAMPLE_CONFIG.stages;

/**
 * The configurations the tests synthesize, once per test run (test/support/global-setup.ts), covering one,
 * two and three stages, one and three accounts, and a stage in another region than the toolchain's.
 */
export const TEST_CONFIGS = {
  /** What ships: dev and prod in two more accounts, all in one region. */
  'example': EXAMPLE_CONFIG,
  /** The tutorial's shape: every stage in the toolchain account. */
  'single-account': SINGLE_ACCOUNT_EXAMPLE_CONFIG,
  /** The smallest platform: one stage, in the toolchain account, approved before each deploy. */
  'one-stage': {
    ...EXAMPLE_CONFIG,
    stages: [{ ...prod, account: EXAMPLE_CONFIG.toolchain.account, requiresApproval: true }],
  },
  /**
   * Three stages, two stage accounts, and staging in another region: the release is copied there. Staging
   * is approved after dev's check, and prod after staging, which has no check. The toolchain keeps nothing.
   */
  'three-stages': {
    ...EXAMPLE_CONFIG,
    // A toolchain that deletes everything with its stacks, so its own acknowledgements are exercised too.
    toolchain: { ...EXAMPLE_CONFIG.toolchain, retention: 'destroy' },
    stages: [
      dev,
      { ...dev, name: 'staging', region: 'us-east-1', clientInstance: false, postDeployCheck: false, requiresApproval: true },
      prod,
    ],
  },
} satisfies Record<string, PlatformConfigInput>;

export type TestConfigName = keyof typeof TEST_CONFIGS;
