import { z } from 'zod';
import {
  ACCOUNT_ID,
  AWS_REGIONS,
  BOOTSTRAP_QUALIFIER,
  DELIVERY_REGIONS,
  branchNameProblem,
  closestName,
  APP_NAME,
  CONNECTION_ARN,
  EMAIL,
  GITHUB_REPOSITORY,
  LOG_RETENTION_DAYS,
  SECRET_NAME,
  SSM_PARAMETER_NAME,
  STAGE_NAME,
} from './aws-names';
import { describeMemoryOptions, FARGATE_CPU_UNITS, fargateMemoryOptions } from './fargate-sizes';
import { physicalNameCollisions, RESERVED_STAGE_NAMES } from './physical-names';

const accountId = z.string().regex(ACCOUNT_ID, 'must be a 12-digit AWS account id in quotes, e.g. "123456789012"');

const region = z.string().superRefine((value, ctx) => {
  if (!AWS_REGIONS.includes(value)) {
    const suggestion = closestName(value, DELIVERY_REGIONS);
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not an AWS region${suggestion ? `; did you mean ${suggestion}?` : '.'} The platform runs in ${DELIVERY_REGIONS.join(', ')}`,
    });
  } else if (!DELIVERY_REGIONS.includes(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `${value} has no CodeCommit or no CodeStar Notifications, which the platform needs; use one of ${DELIVERY_REGIONS.join(', ')}`,
    });
  }
});

const branch = z.string().superRefine((value, ctx) => {
  const problem = branchNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid git branch name: it ${problem}` });
});

const dockerHubCredentials = z.union([
  z.strictObject({
    secretsManagerSecretName: z.string().regex(SECRET_NAME, 'must be a Secrets Manager secret name'),
  }),
  z.strictObject({
    usernameParameterName: z.string().regex(SSM_PARAMETER_NAME, 'must be an SSM parameter name'),
    passwordParameterName: z.string().regex(SSM_PARAMETER_NAME, 'must be the name of an SSM SecureString parameter'),
  }),
], {
  error: 'must be either { secretsManagerSecretName } (a secret holding {"username","password"}) or '
    + '{ usernameParameterName, passwordParameterName } (SSM parameters; the password a SecureString)',
});

const retentionPolicy = z.enum(['retain', 'destroy'], {
  error: 'must be "retain" (kept when its stack is deleted) or "destroy"',
});

const DEFAULT_CPU = 256;

const service = z.strictObject({
  cpu: z.number().refine((value) => FARGATE_CPU_UNITS.includes(value), {
    message: `must be a Fargate CPU size in units: ${FARGATE_CPU_UNITS.join(', ')}`,
  }).default(DEFAULT_CPU),
  memoryMiB: z.number().int('must be a whole number of MiB').optional(),
  minTasks: z.number().int().min(1, 'must be at least 1 so the service always answers').max(100).default(2),
  maxTasks: z.number().int().min(1).max(100).default(4),
}).superRefine((value, ctx) => {
  const options = fargateMemoryOptions(value.cpu);
  if (value.memoryMiB !== undefined && options.length > 0 && !options.includes(value.memoryMiB)) {
    ctx.addIssue({
      code: 'custom',
      path: ['memoryMiB'],
      message: `${value.memoryMiB} MiB is not a size Fargate accepts with ${value.cpu} CPU units; use ${describeMemoryOptions(options)}`,
    });
  }
  if (value.minTasks > value.maxTasks) {
    ctx.addIssue({
      code: 'custom',
      path: ['minTasks'],
      message: `${value.minTasks} is more than maxTasks (${value.maxTasks}); lower minTasks or raise maxTasks`,
    });
  }
}).transform((value) => ({ ...value, memoryMiB: value.memoryMiB ?? fargateMemoryOptions(value.cpu)[0] }));

/** A field an earlier version of the configuration had on each stage, and where it lives now. */
function movedField(where: string) {
  return z.unknown().refine(() => false, { message: `has moved to ${where}: one release, built once, now serves every stage` }).optional();
}

const stage = z.strictObject({
  name: z.string().regex(STAGE_NAME, 'must be 1-16 lowercase letters, digits or "-", starting with a letter (e.g. dev, prod)')
    .refine((name) => !RESERVED_STAGE_NAMES.includes(name), {
      message: `names a deployment of the toolchain itself (${RESERVED_STAGE_NAMES.join(', ')}); choose another stage name`,
    }),
  account: accountId,
  region,
  availabilityZones: z.number().int().min(2, 'must be at least 2: one AZ is a single point of failure').max(6).default(2),
  service: service.prefault({}),
  clientInstance: z.boolean().default(false),
  requiresApproval: z.boolean().default(false),
  postDeployCheck: z.boolean().default(false),
  retention: z.strictObject({
    statefulResources: retentionPolicy.default('retain'),
    logDays: z.number().refine((value) => LOG_RETENTION_DAYS.includes(value), {
      message: `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
    }).default(30),
  }).prefault({}),
  appRepository: movedField('app.name and app.branch'),
  cpuArchitecture: movedField('app.cpuArchitecture'),
  dockerHubCredentials: movedField('app.dockerHubCredentials'),
});

const app = z.strictObject({
  name: z.string().regex(APP_NAME, 'names the CodeCommit and ECR repositories and prefixes every resource name: 2-32 lowercase letters or digits, words joined by single "-", starting with a letter')
    .default('hello-codepipeline'),
  branch: branch.default('main'),
  cpuArchitecture: z.enum(['ARM64', 'X86_64'], { error: 'must be "ARM64" (Graviton, the default) or "X86_64"' }).default('ARM64'),
  dockerHubCredentials: dockerHubCredentials.optional(),
});

export const platformConfigSchema = z.strictObject({
  toolchain: z.strictObject({ account: accountId, region, retention: retentionPolicy.default('retain') }),
  source: z.strictObject({
    repository: z.string().regex(GITHUB_REPOSITORY, 'must be a GitHub repository as "owner/name"'),
    branch,
    connectionArn: z.string({ error: 'is required: create a CodeConnections connection to GitHub and paste its ARN' }).regex(
      CONNECTION_ARN,
      'must be a CodeConnections connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<uuid> '
        + '(or the older arn:aws:codestar-connections:... form)',
    ),
  }),
  app: app.prefault({}),
  bootstrapQualifier: z.string().regex(BOOTSTRAP_QUALIFIER, 'must be the qualifier passed to cdk bootstrap: 1-10 lowercase letters or digits').default('hnb659fds'),
  notifications: z.strictObject({
    emails: z.array(z.string().regex(EMAIL, 'must be an email address')).default([]),
  }).prefault({}),
  stages: z.array(stage).min(1, 'needs at least one stage to deploy to (e.g. dev, then prod)'),
}).superRefine((value, ctx) => {
  const seen = new Map<string, number>();
  value.stages.forEach((candidate, index) => {
    const first = seen.get(candidate.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['stages', index, 'name'],
        message: `"${candidate.name}" is already the name of stages[${first}]; stage names must be unique`,
      });
    } else {
      seen.set(candidate.name, index);
    }
  });
  if (seen.size !== value.stages.length) return;
  for (const collision of physicalNameCollisions({ app: value.app.name, toolchain: value.toolchain, stages: value.stages })) {
    ctx.addIssue({ code: 'custom', path: collision.owner.split(/[.[\]]/).filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part)), message: collision.message });
  }
});

/** What a user writes: defaults may be left out. */
export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
/** What the rest of the app reads: every default filled in, every value validated. */
export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type StageConfig = PlatformConfig['stages'][number];
export type AppConfig = PlatformConfig['app'];
export type DockerHubCredentials = NonNullable<AppConfig['dockerHubCredentials']>;
export type CpuArchitecture = AppConfig['cpuArchitecture'];
