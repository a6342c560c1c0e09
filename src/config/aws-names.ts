import { RegionInfo } from 'aws-cdk-lib/region-info';

/** Regions of the commercial `aws` partition known to the installed aws-cdk-lib. */
export const AWS_REGIONS: readonly string[] = RegionInfo.regions
  .filter((region) => region.partition === 'aws')
  .map((region) => region.name)
  .sort();

/**
 * Regions where every service of a stage and of the meta-pipeline exists, CodeCommit and CodeStar
 * Notifications being the rarest, according to the CloudFormation resource schemas of the installed
 * aws-cdk-lib (test/config/delivery-regions.test.ts checks this list against them).
 */
export const DELIVERY_REGIONS: readonly string[] = [
  'ap-east-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1',
  'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'me-south-1', 'me-west-1', 'sa-east-1',
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
];

export const ACCOUNT_ID = /^\d{12}$/;

/** A CodeConnections connection, or its predecessor's (CodeStar Connections) ARN. */
export const CONNECTION_ARN =
  /^arn:aws:(codeconnections|codestar-connections):[a-z]{2}(-[a-z]+)+-\d:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/**
 * Git's ref-name rules (git-check-ref-format) as they apply to a branch name.
 * Returns what is wrong with the name, or undefined when git would accept it.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/')) return 'starts with "-" or "/", or ends with "/"';
  if (name.includes('..') || name.includes('//') || name.includes('@{')) return 'contains "..", "//" or "@{"';
  if (name.endsWith('.') || name.endsWith('.lock') || name === '@') return 'ends with "." or ".lock", or is "@"';
  if (name.split('/').some((part) => part.startsWith('.'))) return 'has a path component starting with "."';
  return undefined;
}

/**
 * The app's name names the CodeCommit and ECR repositories and prefixes every name the platform gives
 * a resource (src/config/physical-names.ts). Lowercase words joined by single hyphens suit all of them
 * (Lambda and CodeBuild refuse dots, S3 underscores); 32 characters keep the longest derived name, a
 * stage's execution role, within IAM's 64.
 */
export const APP_NAME = /^(?=.{2,32}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Stage names become construct ids, stack names and DNS labels. */
export const STAGE_NAME = /^[a-z][a-z0-9-]{0,14}[a-z0-9]$|^[a-z]$/;

/** Values CloudWatch Logs accepts for a log group's retention. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** CDK bootstrap qualifiers are up to 10 lowercase alphanumerics. */
export const BOOTSTRAP_QUALIFIER = /^[a-z0-9]{1,10}$/;

export const SSM_PARAMETER_NAME = /^\/?[a-zA-Z0-9_.\-/]{1,2047}$/;
export const SECRET_NAME = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The candidate a typo most likely meant: the one fewest single-character edits away, if that is at most a
 * third of its length (so "eu-west-l" finds eu-west-1 and "mars-north-9" finds nothing).
 */
export function closestName(value: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(value.toLowerCase(), candidate) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  const best = scored[0];
  return best && best.distance <= Math.max(1, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
