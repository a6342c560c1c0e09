import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ACCEPTED_FINDINGS, type AcceptedFinding, acceptedFindingsFor, CROSS_REGION_FINDINGS, DISABLED_GUARD_RULES, scopesAt } from '../../src/compliance/acknowledgements';
import { enableComplianceGate } from '../../src/compliance/gate';
import { EXAMPLE_CONFIG, parseConfig } from '../../src/config';
import { DeliveryPipelineStack } from '../../src/pipeline/delivery-pipeline-stack';
import { CDK_JSON_CONTEXT } from '../support/synth-app';

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

/**
 * The example with the pipeline in another region than its stages, so cross-region findings exist too, and a
 * toolchain whose retention is "destroy", so those findings do as well.
 */
const CROSS_REGION_EXAMPLE = { ...EXAMPLE_CONFIG, toolchain: { account: '111111111111', region: 'us-east-1', retention: 'destroy' as const } };

interface Violation { ruleName: string; violatingConstructs: Array<{ constructPath: string }> }

/** Findings of the example app with nothing acknowledged: what each acknowledgement must still match. */
function unacknowledgedFindings(): { findings: Array<{ rule: string; path: string }>; stack: DeliveryPipelineStack } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'unacknowledged-'));
  const app = new App({ outdir, context: CDK_JSON_CONTEXT });
  enableComplianceGate(app);
  const config = parseConfig(CROSS_REGION_EXAMPLE, 'cross-region example');
  const stack = new DeliveryPipelineStack(app, 'DeliveryPipeline', { env: { account: config.toolchain.account, region: config.toolchain.region }, config });
  // Without the acknowledgements the report lists every finding (the gate, not the synth, fails on them: cdk.json).
  app.synth();
  const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  expect(report.pluginReports.some((plugin: { violations: Violation[] }) => plugin.violations.length > 0)).toBe(true);
  const findings = report.pluginReports.flatMap((plugin: { pluginName: string; violations: Violation[] }) =>
    plugin.violations.flatMap((violation) => violation.violatingConstructs.map((construct) => ({
      // The form an acknowledgement names: `<plugin>::<rule id>`.
      rule: `${plugin.pluginName}::${violation.ruleName}`,
      path: construct.constructPath,
    }))));
  return { findings, stack };
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

  test('every acknowledgement still matches a finding of the app', () => {
    const { findings, stack } = unacknowledgedFindings();
    const matches = (accepted: AcceptedFinding) => scopesAt(stack, accepted.where).some((scope) => findings.some((finding) =>
      (finding.path === scope.node.path || finding.path.startsWith(`${scope.node.path}/`))
      && (finding.rule === accepted.id || (accepted.findings !== undefined && finding.rule.startsWith(`${accepted.id}[`)
        && accepted.findings.test(finding.rule.slice(accepted.id.length + 1, -1))))));
    const stale = acceptedFindingsFor(stack).filter((accepted) => !matches(accepted)).map((accepted) => `${accepted.id} @ ${accepted.where}`);
    expect(stale).toEqual([]);
  });
});
