import * as path from 'node:path';
import { CfnResource, Validations } from 'aws-cdk-lib';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { AcknowledgementSourceEntry } from './report/acknowledgement-sources';
import type { DeliveryPipelineStack } from '../pipeline/delivery-pipeline-stack';
import type { WorkloadStage } from '../stages/workload-stage';

/** A finding accepted on purpose: where it may occur, and why that is acceptable here. */
export interface AcceptedFinding {
  /** The line of this file that declares it, which the compliance report names (`accept` records it). */
  readonly declaredAt?: { readonly file: string; readonly line: number };
  /**
   * `<plugin>::<rule id>`, the form aws-cdk-lib matches and records with its reason in the validation
   * report (a bare cdk-nag id is dropped by cdk-nag itself and leaves no trace in the report).
   */
  readonly id: string;
  /**
   * Construct path below the pipeline stack where the finding is accepted; a segment `*` stands for any one
   * construct id, so a path starting with it covers every stage, and `release`, then `*`, then `Artifacts`
   * every artifact store. `support:<path>` is a path in each of CDK Pipelines' cross-region support stacks.
   */
  readonly where: string;
  readonly reason: string;
  /**
   * For rules whose findings carry their detail in the id (AwsSolutions-IAM4/IAM5): which details are
   * accepted. Only findings matching this pattern are acknowledged; any other one still fails the gate.
   */
  readonly findings?: RegExp;
}

/** The repository's root, from this file's place in it: `cdk synth` may run from anywhere. */
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/**
 * An entry of the lists below, with the line that declares it: the report's "Declared at" should lead a
 * reviewer to the entry and its reason, not to the loop that applies them all.
 */
function accept(finding: Omit<AcceptedFinding, 'declaredAt'>): AcceptedFinding {
  const caller = new Error().stack?.split('\n')[2] ?? '';
  const match = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?$/.exec(caller.trim());
  const file = match && path.relative(REPOSITORY_ROOT, match[1].replace(/^file:\/\//, '')).split(path.sep).join('/');
  return { ...finding, declaredAt: match && file && !file.startsWith('..') ? { file, line: Number(match[2]) } : undefined };
}

/**
 * The declaring line of each acknowledgement applied in an app, by the app's root. Not construct metadata:
 * CDK Pipelines has written each stage's assembly by the time the acknowledgements are applied, so metadata
 * on a stage's constructs would never reach it; the gate writes these beside the reports instead.
 */
const appliedSources = new WeakMap<IConstruct, AcknowledgementSourceEntry[]>();

export function acknowledgementSourcesOf(root: IConstruct): readonly AcknowledgementSourceEntry[] {
  return appliedSources.get(root) ?? [];
}

/** Granular rules: the cdk-nag rule function that lists a resource's findings. */
const GRANULAR_RULES: Record<string, (node: CfnResource) => unknown> = {
  'AwsSolutions::AwsSolutions-IAM5': rules.iam.IAMNoWildcardPermissions,
  'AwsSolutions::AwsSolutions-IAM4': rules.iam.IAMNoManagedPolicies,
};

/** Patterns of the wildcards aws-cdk-lib's grant methods write, each bound to one bucket, key or project. */
const GRANT_WILDCARD_FINDINGS = new RegExp([
  '^Action::s3:(GetObject|GetBucket|List|Abort|DeleteObject)\\*$',
  '^Action::kms:(ReEncrypt|GenerateDataKey)\\*$',
  '^Resource::<\\w+\\.Arn>/\\*$',
  '^Resource::\\{"Fn::GetStackOutput":\\{[^}]*"OutputName":"[\\w]+"\\}\\}/\\*$',
  '^Resource::arn:aws:logs:[\\w-]+:\\d{12}:log-group:/aws/codebuild/(<\\w+>:)?\\*$',
  '^Resource::arn:aws:codebuild:[\\w-]+:\\d{12}:report-group/(<\\w+>-)?\\*$',
].join('|'));

const GRANT_WILDCARDS = 'aws-cdk-lib grant methods emit these action wildcards (s3:GetObject*, s3:List*, kms:ReEncrypt*, '
  + 'kms:GenerateDataKey*, …) scoped to one bucket or key; they expand to read/write of that resource only.';
const CODEBUILD_DEFAULTS = 'CodeBuild writes its logs and test reports under names derived from the project name at build time; '
  + 'aws-cdk-lib scopes the grant to this project\'s prefixes, which is as narrow as the names are known.';

const STAR = /^Resource::\*$/;
/** The objects of an app pipeline artifact bucket, named `<app>-<account>-<region>` (src/config/physical-names.ts). */
const ARTIFACT_OBJECTS = /^Resource::arn:aws:s3:::[a-z][a-z0-9-]*-\d{12}-[a-z]{2}(-[a-z]+)+-\d\/\*$/;
const either = (...patterns: RegExp[]) => new RegExp(patterns.map((pattern) => pattern.source).join('|'));

export const ACCEPTED_FINDINGS: readonly AcceptedFinding[] = [
  // --- CDK Pipelines' own roles in the toolchain account -------------------------------------------------
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'Pipeline/Pipeline', findings: GRANT_WILDCARD_FINDINGS, reason: `Roles CDK Pipelines generates for its source, synth, check and pipeline actions. ${GRANT_WILDCARDS} ${CODEBUILD_DEFAULTS}` }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'Pipeline/Assets/FileRole', findings: either(GRANT_WILDCARD_FINDINGS, STAR), reason: `CDK Pipelines' asset publishing role. ${GRANT_WILDCARDS} ${CODEBUILD_DEFAULTS} Its "*" is for reading the bootstrap asset locations, which differ per stage account.` }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'Pipeline/UpdatePipeline/SelfMutation', findings: either(GRANT_WILDCARD_FINDINGS, STAR, /^Resource::arn:\*:iam::\d{12}:role\/\*$/), reason: `CDK Pipelines' self-mutation role. ${GRANT_WILDCARDS} ${CODEBUILD_DEFAULTS} It assumes the CDK bootstrap roles (role/*, limited by the aws-cdk:bootstrap-role tag condition) to deploy the pipeline stack, and cloudformation:DescribeStacks accepts "*".` }),
  accept({ id: 'AwsSolutions::AwsSolutions-S1', where: 'Pipeline/Pipeline/ArtifactsBucket', reason: 'CDK Pipelines creates its artifact bucket; artifacts are transient build outputs, and access to them is recorded by CloudTrail in the toolchain account.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', where: 'Pipeline/Pipeline/ArtifactsBucket', reason: 'Same bucket as AwsSolutions-S1: transient CDK Pipelines artifacts; CloudTrail records access.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check', where: 'Pipeline/Pipeline/ArtifactsBucket', reason: 'Every pipeline execution writes new artifact keys; nothing in the bucket is ever overwritten, so versions would only hold copies.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_lifecycle_policy_check', where: 'Pipeline/Pipeline/ArtifactsBucket', reason: 'CDK Pipelines owns this bucket\'s definition; its objects are small and are what a failed execution is debugged from.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', where: 'Pipeline/Pipeline/ArtifactsBucket', reason: 'Object Lock would stop CDK Pipelines from replacing its own artifacts; they are not records that must be immutable.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check', where: 'Pipeline/Pipeline/ArtifactsBucket', reason: 'Nothing consumes artifact events: CodePipeline itself moves artifacts between actions.' }),

  // --- The release (toolchain): repositories and the image build -------------------------------------
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'release/Build/ImageBuild/Role', findings: either(GRANT_WILDCARD_FINDINGS, STAR), reason: `The image build's role. ${GRANT_WILDCARDS} ${CODEBUILD_DEFAULTS} Its "*" is ecr:GetAuthorizationToken, which accepts only "*".` }),
  accept({ id: 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check', where: 'release/Build/ImageBuild/Project', reason: 'docker build needs privileged mode in CodeBuild; the project runs only the build spec in this repository, on code from the app\'s own CodeCommit repository.' }),
  accept({ id: 'cdk-validator-cfnguard::ecr_private_tag_immutability_enabled_check', where: 'release/*/Images/Repository', reason: 'Tags are immutable except live-<stage> (IMMUTABLE_WITH_EXCLUSION, which the rule does not know): those moving tags are how an infrastructure deploy keeps the image each stage runs (docs/adr/0002).' }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'release/*/AppPipelineRole', findings: GRANT_WILDCARD_FINDINGS, reason: `The app pipeline's role, on the artifact store of a stage region other than the toolchain's, granted in that region's stack because only there is the store's key known by ARN. ${GRANT_WILDCARDS}` }),

  // --- The app pipeline (toolchain) ---------------------------------------------------------------------
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'delivery/Pipeline/AppPipeline/Pipeline', findings: either(GRANT_WILDCARD_FINDINGS, ARTIFACT_OBJECTS), reason: `The roles of the app pipeline's actions, on the artifact store (<bucket>/*, the release stage's, named). ${GRANT_WILDCARDS}` }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'delivery/Pipeline/PipelineRole', findings: either(GRANT_WILDCARD_FINDINGS, ARTIFACT_OBJECTS), reason: `The app pipeline's own role, created by the release stage and granted here, on its artifact store of each region (<bucket>/*). ${GRANT_WILDCARDS}` }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: 'delivery/Pipeline/*/Project', findings: either(GRANT_WILDCARD_FINDINGS, ARTIFACT_OBJECTS), reason: `The copy, mark-live and check projects of the app pipeline, on the artifact store (<bucket>/*). ${GRANT_WILDCARDS} ${CODEBUILD_DEFAULTS}` }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM4', where: 'AWS679f53fac002430cb0da5b7982bd2287', findings: /^Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/, reason: 'The function aws-cdk-lib\'s AwsCustomResource runs (it creates CodeStar Notifications\' service-linked role once) has only the AWS managed basic-execution policy, for its logs.' }),
  accept({ id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', where: 'AWS679f53fac002430cb0da5b7982bd2287', reason: 'It calls the IAM API and the CloudFormation response URL once per toolchain account; the toolchain has no VPC of its own to put it in.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', where: 'release/*/Artifacts/AccessLogs', reason: 'S3 server access logs can only be delivered to a bucket encrypted with SSE-S3.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', where: 'release/*/Artifacts/AccessLogs', reason: 'This is the access-log bucket; logging it into itself would loop.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', where: 'release/*/Artifacts', reason: 'Lifecycle rules expire artifacts and logs; Object Lock would keep them. Versioning, and retention in the toolchain, already protect them.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check', where: 'release/*/Artifacts', reason: 'Nothing consumes events from the artifact or access-log buckets: CodePipeline itself moves artifacts between actions.' }),

  // --- Every stage ----------------------------------------------------------------------------------------
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: '*/Service/App/ExecutionRole', findings: STAR, reason: 'ecr:GetAuthorizationToken accepts only "*"; every other action of the execution role names the release repository or the log group.' }),
  accept({
    id: 'AwsSolutions::AwsSolutions-IAM5',
    where: '*/Service/DeployRole/Policy',
    findings: either(STAR, /^Resource::arn:aws:ecs:[\w-]+:\d{12}:task-definition\/\w+:\*$/, /^Resource::arn:aws:ecs:[\w-]+:\d{12}:task\/<\w+>\/\*$/, ARTIFACT_OBJECTS),
    reason: 'The ECS deploy action registers revisions of one task family (task-definition/<family>:*), watches the tasks of one cluster (task/<cluster>/*) and reads image definitions from one bucket, the app pipeline\'s artifact store of the stage\'s region (<bucket>/*). ecs:DescribeTaskDefinition accepts only "*"; ecs:ListTasks is held to the cluster by its ecs:cluster condition; kms:Decrypt names no key because the artifact key is created in the toolchain account after the stage (aws-cdk-lib\'s own cross-account key grants write "*" too), and is held to S3 in the stage\'s region decrypting that one bucket\'s objects.',
  }),
  accept({ id: 'AwsSolutions::AwsSolutions-IAM5', where: '*/Service/ServiceCheck/Role', findings: STAR, reason: 'Lambda needs the EC2 network-interface actions to place the function in the VPC; EC2 authorizes those calls on "*".' }),
  accept({ id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', where: '*/Service/Custom::VpcRestrictDefaultSGCustomResourceProvider', reason: 'aws-cdk-lib\'s function that strips the default security group\'s rules calls only the EC2 API, once per VPC change.' }),
];

/**
 * Control Tower rules (by their file name, ct-*) switched off in the cfn-guard validator, with the reason. A rule goes here only when
 * its findings cannot be acknowledged on a construct (cfn-guard reports some without a construct path).
 */
export const DISABLED_GUARD_RULES: ReadonlyArray<{ readonly rule: string; readonly reason: string }> = [
  {
    rule: 'ct-kms-pr-3', // reports as kms_create_grant_aws_service_check
    reason: 'Every key here keeps the default key policy that delegates to IAM in its own account, so kms:CreateGrant is '
      + 'only as broad as an IAM policy of this app makes it; AWS services (CodePipeline, CodeBuild, CloudWatch Logs) '
      + 'create the grants on behalf of those roles. Some of its findings come without a construct path, so it cannot be acknowledged per key.',
  },
];

/**
 * Findings of CDK Pipelines' cross-region support (a stage in another region than the pipeline): the
 * replication bucket of each `cross-region-stack-*` stack (`support:` paths) and the pipeline role's grants on it.
 */
export const CROSS_REGION_FINDINGS: readonly AcceptedFinding[] = [
  accept({
    id: 'AwsSolutions::AwsSolutions-IAM5',
    where: 'Pipeline/Pipeline/Role',
    // aws-cdk-lib generates the bucket's name: a prefix of the support stack's name, the end of the construct id, a hash.
    findings: /^Resource::(\*|arn:aws:s3:::[a-z0-9-]+eplicationbucket[a-f0-9]+\/\*)$/,
    reason: 'CDK Pipelines lets the pipeline role write artifacts to the replication bucket of each other region (<bucket>/*) and use its key, which it finds by alias, so the key grant cannot name the key ARN.',
  }),
  accept({ id: 'AwsSolutions::AwsSolutions-S1', where: 'support:Default/CrossRegionCodePipelineReplicationBucket', reason: 'CDK Pipelines\' replication bucket only carries artifacts between regions for the next action; CloudTrail records access to it.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', where: 'support:Default/CrossRegionCodePipelineReplicationBucket', reason: 'Same bucket as AwsSolutions-S1: transient artifacts copied between regions; CloudTrail records access.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check', where: 'support:Default/CrossRegionCodePipelineReplicationBucket', reason: 'Every execution writes new artifact keys to the replication bucket; nothing there is overwritten, so versions would only hold copies.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_lifecycle_policy_check', where: 'support:Default/CrossRegionCodePipelineReplicationBucket', reason: 'CDK Pipelines owns the replication bucket\'s definition; its objects are small copies of the toolchain region\'s artifacts.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', where: 'support:Default/CrossRegionCodePipelineReplicationBucket', reason: 'Object Lock would stop CDK Pipelines from replacing its own replicated artifacts; they are not records that must be immutable.' }),
  accept({ id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check', where: 'support:Default/CrossRegionCodePipelineReplicationBucket', reason: 'Nothing consumes events from the replication bucket: CodePipeline itself moves artifacts between regions.' }),
];

/** Findings accepted only in some stages, decided by the stage's configuration. */
function stageSpecificFindings(stage: WorkloadStage): AcceptedFinding[] {
  const accepted: AcceptedFinding[] = [];
  const config = stage.config;
  if (config.retention.logDays < 365) {
    accepted.push(accept({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      where: `${config.name}/Service`,
      reason: `The configuration keeps ${config.name}'s logs ${config.retention.logDays} days: a pre-production stage whose logs nobody audits.`,
    }));
  }
  if (config.clientInstance) {
    accepted.push(
      accept({ id: 'AwsSolutions::AwsSolutions-IAM4', where: `${config.name}/Service/Client/Role`, findings: /^Policy::arn:<AWS::Partition>:iam::aws:policy\/AmazonSSMManagedInstanceCore$/, reason: 'AmazonSSMManagedInstanceCore is the policy AWS documents for Session Manager; the instance has nothing else.' }),
      accept({ id: 'AwsSolutions::AwsSolutions-EC29', where: `${config.name}/Service/Client/Instance`, reason: 'A disposable client for curl through Session Manager; termination protection would only block deleting the stage.' }),
      accept({ id: 'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check', where: `${config.name}/Service/Client/Instance`, reason: 'The client only sends a plain HTTP request to the app inside the VPC; a t4g.nano is enough and its traffic carries nothing sensitive.' }),
    );
  }
  return accepted;
}

/** Findings accepted only when the toolchain's retention is "destroy". */
const TOOLCHAIN_DESTROY_FINDINGS: readonly AcceptedFinding[] = [
  accept({ id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', where: 'release/*/Custom::S3AutoDeleteObjectsCustomResourceProvider', reason: 'Exists only when the toolchain\'s retention is "destroy": it empties the artifact buckets on stack deletion through the S3 API.' }),
];

/** Every acceptance that applies to this app: the fixed list plus those its configuration calls for. */
export function acceptedFindingsFor(pipelineStack: DeliveryPipelineStack): AcceptedFinding[] {
  const crossRegion = pipelineStack.stages.some((stage) => stage.config.region !== pipelineStack.region);
  const destroyToolchain = pipelineStack.release.stateful.terminationProtection !== true;
  return [
    ...ACCEPTED_FINDINGS,
    ...pipelineStack.stages.flatMap(stageSpecificFindings),
    ...(crossRegion ? CROSS_REGION_FINDINGS : []),
    ...(destroyToolchain ? TOOLCHAIN_DESTROY_FINDINGS : []),
  ];
}

export function acknowledgeAcceptedFindings(pipelineStack: DeliveryPipelineStack): void {
  const root = pipelineStack.node.root;
  const sources = appliedSources.get(root) ?? [];
  appliedSources.set(root, sources);
  for (const finding of acceptedFindingsFor(pipelineStack)) {
    for (const scope of scopesAt(pipelineStack, finding.where)) {
      for (const id of acknowledgedIds(scope, finding)) {
        Validations.of(scope).acknowledge({ id, reason: finding.reason });
        if (finding.declaredAt) sources.push({ id, at: scope.node.path, ...finding.declaredAt });
      }
    }
  }
}

/** The exact ids to acknowledge: the rule id, or each granular finding under `scope` that the pattern accepts. */
function acknowledgedIds(scope: IConstruct, finding: AcceptedFinding): string[] {
  if (!finding.findings) return [finding.id];
  const rule = GRANULAR_RULES[finding.id];
  if (!rule) throw new Error(`${finding.id} has no granular findings; remove "findings" from its acknowledgement`);
  const details = new Set<string>();
  for (const node of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    const result = rule(node);
    if (!Array.isArray(result)) continue;
    for (const detail of result as string[]) if (finding.findings.test(detail)) details.add(detail);
  }
  return [...details].sort().map((detail) => `${finding.id}[${detail}]`);
}

/**
 * The constructs at `path` below the pipeline stack (none when no stage has it, e.g. no client in prod);
 * test/compliance/acknowledgements.test.ts fails on an entry that matches no finding anywhere, so a stale
 * path cannot hide here.
 */
export function scopesAt(pipelineStack: DeliveryPipelineStack, where: string): IConstruct[] {
  const roots = where.startsWith('support:')
    ? pipelineStack.node.root.node.children.filter((child) => child.node.id.startsWith('cross-region-stack-'))
    : [pipelineStack];
  const segments = where.replace(/^support:/, '').split('/');
  return segments.reduce<IConstruct[]>((scopes, segment) => scopes.flatMap((scope) => (segment === '*'
    ? scope.node.children
    : [scope.node.tryFindChild(segment)].filter((child): child is IConstruct => child !== undefined))), roots);
}
