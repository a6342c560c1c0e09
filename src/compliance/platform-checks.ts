import { CfnResource, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NODE_MAJOR } from '../toolchain/node-major';
import { withRenderCache } from './rules/cfn-template';
import { CodeBuildNodeRuntime } from './rules/codebuild-node-runtime';
import { EcsDeployRoleComplete } from './rules/ecs-deploy-role-complete';
import { EcsNoWildcardActions } from './rules/ecs-no-wildcard-actions';
import { EcsWritesScoped } from './rules/ecs-writes-scoped';
import { KmsKeyRetention } from './rules/kms-key-retention';
import { NotificationRuleAfterTopicPolicy } from './rules/notification-rule-after-topic-policy';
import { PassRoleScoped } from './rules/pass-role-scoped';
import { RetainExceptOnCreate } from './rules/retain-except-on-create';
import { StartsAfterEndpoints } from './rules/starts-after-endpoints';
import { StartsAfterRolePolicies } from './rules/starts-after-role-policies';

/**
 * The platform's own rules for what ships code to ECS, on top of AwsSolutionsChecks, which has no rule
 * for `iam:PassRole` at all. cdk-nag names each rule `PlatformChecks-<rule function name>`, and each
 * finding `PlatformChecks-<rule>[<finding>]`; acknowledge a finding with that full id.
 */
export class PlatformChecks extends NagPack {
  public readonly name = 'PlatformChecks';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'PlatformChecks';
  }

  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return withRenderCache(() => super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      info: 'A policy statement allows iam:PassRole on roles that are not named by explicit ARN, or without an iam:PassedToService condition that names specific services.',
      explanation:
        'Whoever may pass a role may act with its permissions through the service it is passed to: PassRole on * (or on arn:aws:iam::<account>:role/*) lets the holder hand any role in the account, an admin role included, to a task or function it controls. ' +
        'Fix: name the roles and the service, e.g. for an ECS deployment new iam.PolicyStatement({ actions: ["iam:PassRole"], resources: [taskDefinition.taskRole.roleArn, taskDefinition.executionRole!.roleArn], conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } }). ' +
        'StringLike counts only with no wildcard in the value; IfExists, ForAllValues and negated operators limit nothing. ' +
        'role.grantPassRole() adds no condition, and codepipeline_actions.EcsDeployAction adds PassRole on * to any mutable role it gets: hand it role.withoutPolicyUpdates().',
      level: NagMessageLevel.ERROR,
      rule: PassRoleScoped,
      node,
    });
    this.applyRule({
      info: 'A policy statement grants ECS actions by wildcard (ecs:*, ecs:Update*, *, or a NotAction that leaves ECS in).',
      explanation:
        'A wildcard grants every ECS action that matches it, today and whenever ECS adds one: ecs:* includes ExecuteCommand (a shell in every container), DeleteCluster and DeleteService. ' +
        'Fix: list the actions the principal calls. The CodePipeline ECS deploy action needs exactly ecs:DescribeServices, ecs:DescribeTaskDefinition, ecs:DescribeTasks, ecs:ListTasks, ecs:RegisterTaskDefinition, ecs:TagResource and ecs:UpdateService.',
      level: NagMessageLevel.ERROR,
      rule: EcsNoWildcardActions,
      node,
    });
    this.applyRule({
      info: 'A policy statement grants ECS actions that change state on Resource "*" although they accept specific ARNs.',
      explanation:
        'ECS actions such as UpdateService, RegisterTaskDefinition, TagResource, RunTask, StopTask and DeleteService accept the ARN of the service, task definition, task or cluster they act on; on "*" they reach every ECS resource in the account. ' +
        'Fix: split the statement. Grant the writes on ARNs: ecs:UpdateService on the service ARN (service.serviceArn), ecs:RegisterTaskDefinition and ecs:TagResource on arn:<partition>:ecs:<region>:<account>:task-definition/<family>:* (each deploy registers a new revision), task actions on task/<cluster>/*. ' +
        'Keep on "*" only the actions that accept nothing else (DescribeTaskDefinition, ListClusters, ListTaskDefinitions, DeregisterTaskDefinition, ...; see ECS_WILDCARD_ONLY_ACTIONS in src/compliance/rules/ecs-writes-scoped.ts) and read-only ones.',
      level: NagMessageLevel.ERROR,
      rule: EcsWritesScoped,
      node,
    });
    this.applyRule({
      info: 'The role that runs an ECS deploy action of this pipeline lacks a permission the action needs; the finding names it.',
      explanation:
        'The CodePipeline ECS standard deploy action calls ecs:DescribeServices, ecs:DescribeTaskDefinition, ecs:DescribeTasks, ecs:ListTasks, ecs:RegisterTaskDefinition, ecs:TagResource and ecs:UpdateService, passes the service\'s task role and execution role to ecs-tasks.amazonaws.com (iam:PassRole), and reads imagedefinitions.json from the artifact bucket (s3:GetObject, plus kms:Decrypt when the artifact store has a key). ' +
        'Without one of them the deploy fails at run time, after the pipeline has shipped. ' +
        'Fix: grant the missing permission to the action\'s role (or the pipeline role when the action has none), scoped as the other PlatformChecks rules require: e.g. role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["ecs:RegisterTaskDefinition", "ecs:TagResource"], resources: [stack.formatArn({ service: "ecs", resource: "task-definition", resourceName: "<family>:*" })] })), the PassRole statement that PlatformChecks-PassRoleScoped describes, and artifactBucket.grantRead(role).',
      level: NagMessageLevel.ERROR,
      rule: EcsDeployRoleComplete,
      node,
    });
    this.applyRule({
      info: `A CodeBuild project runs node, npm or npx without selecting Node ${NODE_MAJOR}, the project's Node major.`,
      explanation:
        'Each CodeBuild curated image activates a default Node of its own, and it lags: aws/codebuild/standard:7.0 runs Node 18, on which `npx projen build` fails. CDK Pipelines sets no runtime-versions for its synth, self-mutation, asset and step projects. ' +
        `Fix: add phases.install["runtime-versions"].nodejs: ${NODE_MAJOR} to the build spec; for CDK Pipelines, codeBuildDefaults: { partialBuildSpec: BuildSpec.fromObject(codeBuildNodeRuntime()) } (src/toolchain/node-runtime.ts). ` +
        'The images that offer it: aws/codebuild/standard:7.0 and 8.0, amazonlinux-x86_64-standard:5.0, amazonlinux-aarch64-standard:3.0.',
      level: NagMessageLevel.ERROR,
      rule: CodeBuildNodeRuntime,
      node,
    });
    this.applyRule({
      info: 'A resource kept when its stack is deleted uses DeletionPolicy Retain, which also keeps it when its first create fails.',
      explanation:
        'A failed first create rolls back, and Retain leaves the resource behind: a named repository or bucket then makes every retry fail with AlreadyExists, and an unnamed key or log group is billed with nothing using it. ' +
        'Fix: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (CloudFormation RetainExceptOnCreate) instead of RemovalPolicy.RETAIN; src/retention.ts maps the configuration\'s "retain" to it. For a resource a library creates, resource.applyRemovalPolicy(...) on it.',
      level: NagMessageLevel.ERROR,
      rule: RetainExceptOnCreate,
      node,
    });
    this.applyRule({
      info: 'A KMS key is not kept exactly as long as the data it encrypts: deleted while that data is retained, or retained while all of it is deleted.',
      explanation:
        'Retained logs, buckets or topics whose key is deleted can never be read again; a retained key whose data are all deleted is billed every month for nothing. ' +
        'Fix: give the key the removal policy of what it encrypts, e.g. new kms.Key(this, "Key", { removalPolicy }) with the same removalPolicy as the log groups (src/logs/log-settings.ts keeps them together).',
      level: NagMessageLevel.ERROR,
      rule: KmsKeyRetention,
      node,
    });
    this.applyRule({
      info: 'A CodeStar notification rule targets an SNS topic of its template without waiting for the topic policy that lets it publish.',
      explanation:
        'CloudFormation creates the rule and the topic policy in parallel; when the rule comes first its creation fails with "Invalid request provided" (aws/aws-cdk#29484) and the first deploy fails. ' +
        'Fix: rule.node.addDependency(topic.node.findChild("Policy")) after pipeline.notifyOn(...), as NotificationTopic.notifyOn does (src/notifications/notification-topic.ts).',
      level: NagMessageLevel.ERROR,
      rule: NotificationRuleAfterTopicPolicy,
      node,
    });
    this.applyRule({
      info: 'A pipeline or ECS service starts working before the policies of the roles it works as exist.',
      explanation:
        'Creating a pipeline starts its first run, and creating a service starts its tasks; CloudFormation creates role policies in parallel with both, so the first run or the first tasks can fail (and the circuit breaker roll the stack back) for a permission that arrives a moment later. ' +
        'Fix: add the policies as dependencies, e.g. waitForRolePolicies(pipeline) (src/iam/wait-for-policies.ts) or service.node.addDependency(executionRole.node.findChild("DefaultPolicy")).',
      level: NagMessageLevel.ERROR,
      rule: StartsAfterRolePolicies,
      node,
    });
    this.applyRule({
      info: 'An ECS service without public IPs is created without waiting for the VPC endpoints its tasks pull and log through, or for the rules that let it into them.',
      explanation:
        'CloudFormation creates the endpoints and the security group rules in parallel with the service, which refers to the VPC\'s subnets only. '
        + 'Tasks started before the ECR, S3 and CloudWatch Logs endpoints exist cannot pull their image, and the deployment circuit breaker rolls the first deploy back. '
        + 'Fix: make the service depend on them, e.g. service.node.addDependency(network.endpointsReady) (src/stages/network/private-network.ts).',
      level: NagMessageLevel.ERROR,
      rule: StartsAfterEndpoints,
      node,
    });
  }
}
