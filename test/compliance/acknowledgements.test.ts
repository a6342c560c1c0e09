import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ACCEPTED_FINDINGS, CROSS_REGION_FINDINGS, DISABLED_GUARD_RULES } from '../../src/compliance/acknowledgements';
import { sharedSynth } from '../support/synth-app';
import { TEST_CONFIGS, type TestConfigName } from '../support/test-configs';

/**
 * The accepted findings, as `rule @ where`. Adding an acknowledgement means adding it here too, in the
 * same change, where a reviewer sees the list grow.
 */
const EXPECTED = [
  'AwsSolutions::AwsSolutions-IAM5 @ Pipeline/Pipeline',
  'AwsSolutions::AwsSolutions-IAM5 @ Pipeline/Assets/FileRole',
  'AwsSolutions::AwsSolutions-IAM5 @ Pipeline/UpdatePipeline/SelfMutation',
  'AwsSolutions::AwsSolutions-S1 @ Pipeline/Pipeline/ArtifactsBucket',
  'cdk-validator-cfnguard::s3_bucket_logging_enabled_check @ Pipeline/Pipeline/ArtifactsBucket',
  'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check @ Pipeline/Pipeline/ArtifactsBucket',
  'cdk-validator-cfnguard::s3_lifecycle_policy_check @ Pipeline/Pipeline/ArtifactsBucket',
  'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check @ Pipeline/Pipeline/ArtifactsBucket',
  'cdk-validator-cfnguard::s3_event_notifications_enabled_check @ Pipeline/Pipeline/ArtifactsBucket',
  'AwsSolutions::AwsSolutions-IAM5 @ release/Build/ImageBuild/Role',
  'cdk-validator-cfnguard::codebuild_project_environment_privileged_check @ release/Build/ImageBuild/Project',
  'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check @ release/*/Images/Repository',
  'AwsSolutions::AwsSolutions-IAM5 @ release/*/AppPipelineRole',
  'AwsSolutions::AwsSolutions-IAM5 @ delivery/Pipeline/AppPipeline/Pipeline',
  'AwsSolutions::AwsSolutions-IAM5 @ delivery/Pipeline/PipelineRole',
  'AwsSolutions::AwsSolutions-IAM5 @ delivery/Pipeline/*/Project',
  'AwsSolutions::AwsSolutions-IAM4 @ AWS679f53fac002430cb0da5b7982bd2287',
  'cdk-validator-cfnguard::lambda_inside_vpc_check @ AWS679f53fac002430cb0da5b7982bd2287',
  'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check @ release/*/Artifacts/AccessLogs',
  'cdk-validator-cfnguard::s3_bucket_logging_enabled_check @ release/*/Artifacts/AccessLogs',
  'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check @ release/*/Artifacts',
  'cdk-validator-cfnguard::s3_event_notifications_enabled_check @ release/*/Artifacts',
  'AwsSolutions::AwsSolutions-IAM5 @ */Service/App/ExecutionRole',
  'AwsSolutions::AwsSolutions-IAM5 @ */Service/DeployRole/Policy',
  'AwsSolutions::AwsSolutions-IAM5 @ */Service/ServiceCheck/Role',
  'cdk-validator-cfnguard::lambda_inside_vpc_check @ */Service/Custom::VpcRestrictDefaultSGCustomResourceProvider',
];
const EXPECTED_CROSS_REGION = [
  'AwsSolutions::AwsSolutions-IAM5 @ Pipeline/Pipeline/Role',
  'AwsSolutions::AwsSolutions-S1 @ support:Default/CrossRegionCodePipelineReplicationBucket',
  'cdk-validator-cfnguard::s3_bucket_logging_enabled_check @ support:Default/CrossRegionCodePipelineReplicationBucket',
  'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check @ support:Default/CrossRegionCodePipelineReplicationBucket',
  'cdk-validator-cfnguard::s3_lifecycle_policy_check @ support:Default/CrossRegionCodePipelineReplicationBucket',
  'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check @ support:Default/CrossRegionCodePipelineReplicationBucket',
  'cdk-validator-cfnguard::s3_event_notifications_enabled_check @ support:Default/CrossRegionCodePipelineReplicationBucket',
];
const EXPECTED_DISABLED_GUARD_RULES = ['ct-kms-pr-3'];

/** Where the acknowledgements are declared: each `accept({` call is one entry, by its line. */
const ACKNOWLEDGEMENTS_FILE = 'src/compliance/acknowledgements.ts';

function declaredLines(): number[] {
  const source = readFileSync(path.join(__dirname, '..', '..', ACKNOWLEDGEMENTS_FILE), 'utf8').split('\n');
  return source.flatMap((line, index) => (/\baccept\(\{/.test(line) && !/function accept/.test(line) ? [index + 1] : []));
}

interface SuppressedViolation { acknowledgedId: string; acknowledgedAt?: string }

/**
 * For each shared synthesis (test/support/test-configs.ts), which declared lines suppressed a finding the
 * report lists: the synth records each acknowledgement it applies with its line and construct path
 * (compliance/acknowledgement-sources.json), and the validation report names each suppressed finding's
 * acknowledgement and path.
 */
function linesThatSuppressedAFinding(): Set<number> {
  const used = new Set<number>();
  for (const name of Object.keys(TEST_CONFIGS) as TestConfigName[]) {
    const compliance = path.join(sharedSynth(name).outdir, 'compliance');
    const report = JSON.parse(readFileSync(path.join(compliance, 'validation-report.json'), 'utf8'));
    const suppressed = new Set(report.pluginReports.flatMap((plugin: { suppressedViolations?: SuppressedViolation[] }) =>
      (plugin.suppressedViolations ?? []).map((violation) => `${violation.acknowledgedId}\u0000${violation.acknowledgedAt ?? ''}`)));
    const applied: Array<{ id: string; at: string; file: string; line: number }> = JSON.parse(readFileSync(path.join(compliance, 'acknowledgement-sources.json'), 'utf8'));
    for (const entry of applied) {
      if (entry.file === ACKNOWLEDGEMENTS_FILE && suppressed.has(`${entry.id}\u0000${entry.at}`)) used.add(entry.line);
    }
  }
  return used;
}

describe('acknowledged findings', () => {
  test('the list is the expected one: a new acknowledgement must be added to this test in the same change', () => {
    expect(ACCEPTED_FINDINGS.map((finding) => `${finding.id} @ ${finding.where}`)).toEqual(EXPECTED);
    expect(CROSS_REGION_FINDINGS.map((finding) => `${finding.id} @ ${finding.where}`)).toEqual(EXPECTED_CROSS_REGION);
    expect(DISABLED_GUARD_RULES.map((disabled) => disabled.rule)).toEqual(EXPECTED_DISABLED_GUARD_RULES);
  });

  test('every acknowledgement has a specific reason', () => {
    const disabled = DISABLED_GUARD_RULES.map((rule) => ({ id: rule.rule, reason: rule.reason }));
    for (const { id, reason } of [...ACCEPTED_FINDINGS, ...CROSS_REGION_FINDINGS, ...disabled]) {
      expect({ id, reason: reason.trim().length >= 60 }).toEqual({ id, reason: true });
      expect(reason).not.toMatch(/^(not needed|n\/a|ok|fine|todo)\b/i);
    }
  });

  // Stronger than matching a finding of an app without acknowledgements: each entry must have suppressed a
  // finding that the gate reported, in one of the configurations the tests synthesize (between them: one
  // and three accounts, a stage in another region, and a toolchain whose retention is "destroy").
  test('every acknowledgement still suppresses a finding of the app', () => {
    const used = linesThatSuppressedAFinding();
    const lines = declaredLines();
    expect(lines.length).toBeGreaterThanOrEqual(ACCEPTED_FINDINGS.length + CROSS_REGION_FINDINGS.length);
    const stale = lines.filter((line) => !used.has(line)).map((line) => `${ACKNOWLEDGEMENTS_FILE}:${line}`);
    expect(stale).toEqual([]);
  });
});
