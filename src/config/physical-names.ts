/**
 * Every name the platform gives an AWS resource itself, in one place. Names are fixed where one deployment
 * must find a resource of another that it cannot reference (the app pipeline and each stage live in
 * different stacks, accounts and CDK stages), and each one carries the app name and, for a stage's
 * resources, the stage name: two stages, or a stage and the release, never share a name in one account.
 * The configuration check (`physicalNameCollisions`) proves that for every configuration it accepts.
 */

/** The names of the app's release: what the toolchain account holds once for every stage. */
export interface ReleaseNames {
  /** The CodeCommit repository and, in every region with a stage, the ECR repository. */
  readonly repository: string;
  readonly imageBuildProject: string;
  readonly imageBuildRole: string;
  readonly pipeline: string;
  readonly pipelineRole: string;
  readonly copyImageProject: string;
  readonly markLiveProject: string;
  readonly serviceCheckProject: string;
  /** The alias of the artifact key in every region: a pipeline names a store's key in another region by it. */
  readonly artifactKeyAlias: string;
  /** The SSM parameter holding the ARN of the artifact key of the toolchain's region, for the app pipeline's stack. */
  readonly artifactKeyParameter: string;
  /** The meta-pipeline, and the stack that holds it. */
  readonly metaPipeline: string;
  readonly metaPipelineStack: string;
  /** The CodeStar notification rules of the meta-pipeline and of the app pipeline. */
  readonly metaPipelineNotifications: string;
  readonly pipelineNotifications: string;
  /** The artifact bucket of the app pipeline in `region` (S3 names are global: account and region are in it). */
  artifactBucket(account: string, region: string): string;
  /** The CloudFormation name of a stack of the platform: app-prefixed, so two platforms share an account. */
  stack(stageId: string, stackId: string): string;
}

/** The names of one stage's resources, in that stage's account and region. */
export interface StageNames {
  readonly cluster: string;
  readonly service: string;
  /** The role the app pipeline's ECS deploy action assumes in the stage account. */
  readonly deployRole: string;
  /** The role ECS pulls the image with; the release's repositories let exactly this role pull. */
  readonly executionRole: string;
  readonly checkFunction: string;
  /** The ECR tag that names what the stage runs (docs/adr/0002). */
  readonly liveTag: string;
}

export function releaseNames(app: string): ReleaseNames {
  return {
    repository: app,
    imageBuildProject: `${app}-image-build`,
    imageBuildRole: `${app}-image-build`,
    pipeline: `${app}-release`,
    pipelineRole: `${app}-release-pipeline`,
    copyImageProject: `${app}-copy-image`,
    markLiveProject: `${app}-mark-live`,
    serviceCheckProject: `${app}-service-check`,
    artifactBucket: (account, region) => `${app}-${account}-${region}`,
    artifactKeyAlias: `alias/${app}/release-artifacts`,
    artifactKeyParameter: `/${app}/release/artifact-key-arn`,
    metaPipeline: `${app}-platform`,
    metaPipelineStack: `${app}-platform-pipeline`,
    metaPipelineNotifications: `${app}-platform-notifications`,
    pipelineNotifications: `${app}-release-notifications`,
    stack: (stageId, stackId) => `${app}-${stageId}-${stackId}`,
  };
}

export function stageNames(app: string, stage: string): StageNames {
  return {
    cluster: `${app}-${stage}`,
    service: app,
    deployRole: `${app}-${stage}-deploy`,
    executionRole: `${app}-${stage}-execution`,
    checkFunction: `${app}-${stage}-check`,
    liveTag: `live-${stage}`,
  };
}

/** The CDK stage ids of the toolchain's own deployments; a workload stage may not take them. */
export const RESERVED_STAGE_NAMES: readonly string[] = ['release', 'delivery'];

/**
 * Where a name must be unique, and the limit AWS sets for it. IAM names are unique in an account;
 * S3 bucket names everywhere; the others in an account and region (ECS services within a cluster).
 */
const NAME_RULES: Record<string, { scope: 'account' | 'region' | 'global' | 'cluster'; maxLength: number }> = {
  'IAM role': { scope: 'account', maxLength: 64 },
  'Lambda function': { scope: 'region', maxLength: 64 },
  'CodeBuild project': { scope: 'region', maxLength: 255 },
  'CodePipeline pipeline': { scope: 'region', maxLength: 100 },
  'CodeCommit repository': { scope: 'region', maxLength: 100 },
  'ECR repository': { scope: 'region', maxLength: 256 },
  'ECS cluster': { scope: 'region', maxLength: 255 },
  'ECS service': { scope: 'cluster', maxLength: 255 },
  'S3 bucket': { scope: 'global', maxLength: 63 },
  'CloudFormation stack': { scope: 'region', maxLength: 128 },
  'CodeStar notification rule': { scope: 'region', maxLength: 64 },
};

export interface NamedResource {
  readonly kind: keyof typeof NAME_RULES;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** The field whose value the name comes from, for the message. */
  readonly owner: string;
  readonly cluster?: string;
}

export interface NamingInput {
  readonly app: string;
  readonly toolchain: { readonly account: string; readonly region: string };
  readonly stages: ReadonlyArray<{ readonly name: string; readonly account: string; readonly region: string }>;
}

/** Every resource the platform names itself, with where its name must be unique. */
export function namedResources(input: NamingInput): NamedResource[] {
  const release = releaseNames(input.app);
  const { account, region } = input.toolchain;
  const toolchain = (kind: NamedResource['kind'], name: string, where = region): NamedResource =>
    ({ kind, name, account, region: where, owner: 'app.name' });
  const stageRegions = [...new Set([region, ...input.stages.map((stage) => stage.region)])];
  const resources: NamedResource[] = [
    toolchain('CodeCommit repository', release.repository),
    ...stageRegions.map((where) => toolchain('ECR repository', release.repository, where)),
    ...stageRegions.map((where) => toolchain('S3 bucket', release.artifactBucket(account, where), where)),
    toolchain('CodeBuild project', release.imageBuildProject),
    toolchain('CodeBuild project', release.copyImageProject),
    toolchain('CodeBuild project', release.markLiveProject),
    toolchain('CodeBuild project', release.serviceCheckProject),
    toolchain('CodePipeline pipeline', release.pipeline),
    toolchain('IAM role', release.imageBuildRole),
    toolchain('IAM role', release.pipelineRole),
    toolchain('CodePipeline pipeline', release.metaPipeline),
    toolchain('CloudFormation stack', release.metaPipelineStack),
    toolchain('CodeStar notification rule', release.metaPipelineNotifications),
    toolchain('CodeStar notification rule', release.pipelineNotifications),
    toolchain('CloudFormation stack', release.stack('release', 'Stateful')),
    toolchain('CloudFormation stack', release.stack('release', 'Build')),
    toolchain('CloudFormation stack', release.stack('delivery', 'Pipeline')),
    ...stageRegions.filter((where) => where !== region).map((where) => toolchain('CloudFormation stack', release.stack('release', `Regional-${where}`), where)),
  ];
  input.stages.forEach((stage, index) => {
    const names = stageNames(input.app, stage.name);
    const at = (kind: NamedResource['kind'], name: string, cluster?: string): NamedResource =>
      ({ kind, name, account: stage.account, region: stage.region, owner: `stages[${index}].name`, cluster });
    resources.push(
      at('ECS cluster', names.cluster),
      at('ECS service', names.service, names.cluster),
      at('IAM role', names.deployRole),
      at('IAM role', names.executionRole),
      at('Lambda function', names.checkFunction),
      at('CloudFormation stack', release.stack(stage.name, 'Service')),
    );
  });
  return resources;
}

/** One line per name that two resources would share, or that AWS would refuse for its length. */
export function physicalNameCollisions(input: NamingInput): Array<{ owner: string; message: string }> {
  const problems: Array<{ owner: string; message: string }> = [];
  const seen = new Map<string, NamedResource>();
  for (const resource of namedResources(input)) {
    const rule = NAME_RULES[resource.kind];
    if (resource.name.length > rule.maxLength) {
      problems.push({
        owner: resource.owner,
        message: `makes the ${resource.kind} name "${resource.name}" ${resource.name.length} characters long, over the ${rule.maxLength} AWS allows; shorten it`,
      });
    }
    const where = {
      global: '',
      account: resource.account,
      region: `${resource.account}/${resource.region}`,
      cluster: `${resource.account}/${resource.region}/${resource.cluster}`,
    }[rule.scope];
    const key = `${resource.kind}|${where}|${resource.name.toLowerCase()}`;
    const first = seen.get(key);
    if (first && first.owner !== resource.owner) {
      problems.push({
        owner: resource.owner,
        message: `gives the ${resource.kind} "${resource.name}" the name that ${first.owner} already gives one in account ${resource.account}`
          + `${rule.scope === 'account' || rule.scope === 'global' ? '' : ` and ${resource.region}`}; rename one of them`,
      });
    } else if (!first) {
      seen.set(key, resource);
    }
  }
  return problems;
}
