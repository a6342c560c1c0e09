import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ACTIONS, actionPath, actionRepository, majorOf, type PinnedAction } from './action-pins';

/**
 * Keeps projenrc/action-pins.ts, the record the workflows are generated from, in step with the releases of
 * the actions, checking every SHA against the release tag it claims on GitHub:
 *
 * - `verify`: each recorded SHA is the commit of its recorded tag.
 * - `adopt`: the SHAs Dependabot wrote into `.github/workflows/` (generated files) go back into the record,
 *   each with the release tag that points at it; `npx projen` then regenerates the workflows from it.
 */
const USAGE = `usage: npx projen actions:verify | npx projen actions:adopt

  verify  check that every SHA in projenrc/action-pins.ts is the commit of its recorded release tag
  adopt   record in projenrc/action-pins.ts the action SHAs found in .github/workflows/ (a Dependabot
          pull request's), each checked to be the commit of a release tag, then regenerate the workflows

Both read the tags of each action's repository with git ls-remote (network access to github.com).
`;

const PINS_FILE = path.join(__dirname, 'action-pins.ts');
const WORKFLOWS_DIR = path.join(__dirname, '..', '.github', 'workflows');
const RELEASE_TAG = /^v\d+(\.\d+){0,2}$/;

/** `git ls-remote --tags` output as tag → commit; an annotated tag's peeled line (`^{}`) names its commit. */
export function parseLsRemote(output: string): Map<string, string> {
  const tags = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]{40})\s+refs\/tags\/(\S+?)(\^\{\})?$/.exec(line.trim());
    if (match) (match[3] ? peeled : tags).set(match[2], match[1]);
  }
  for (const [tag, commit] of peeled) tags.set(tag, commit);
  return tags;
}

/** The most specific release tag (v7.0.1 rather than v7) whose commit is `sha`; the highest if several. */
export function releaseTagOf(sha: string, tags: ReadonlyMap<string, string>): string | undefined {
  const parts = (tag: string) => tag.slice(1).split('.').map(Number);
  return [...tags].filter(([tag, commit]) => commit === sha && RELEASE_TAG.test(tag)).map(([tag]) => tag)
    .sort((a, b) => parts(b).length - parts(a).length || compareVersions(parts(b), parts(a)))[0];
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return 0;
}

/** Problems with the recorded pins: a SHA that is not the commit of its recorded tag. */
export function verifyPins(pins: readonly PinnedAction[], tagsOf: (repository: string) => ReadonlyMap<string, string>): string[] {
  return pins.flatMap((pin) => {
    const commit = tagsOf(actionRepository(pin)).get(pin.version);
    const sha = pin.uses.slice(pin.uses.indexOf('@') + 1);
    if (commit === undefined) return [`${actionPath(pin)}: ${actionRepository(pin)} has no tag ${pin.version}`];
    return commit === sha ? [] : [`${actionPath(pin)}: ${pin.version} is ${commit}, not the recorded ${sha}`];
  });
}

/** The `uses:` of every step of the given workflow texts, by action path; a path with two SHAs is an error. */
export function workflowShas(workflows: ReadonlyMap<string, string>): Map<string, string> {
  const shas = new Map<string, string>();
  for (const [file, text] of workflows) {
    for (const job of Object.values<any>(parse(text).jobs ?? {})) {
      for (const step of job.steps ?? []) {
        if (typeof step.uses !== 'string') continue;
        const [action, sha] = step.uses.split('@');
        const seen = shas.get(action);
        if (seen !== undefined && seen !== sha) throw new Error(`${file}: ${action} is pinned at ${sha} here and at ${seen} elsewhere`);
        shas.set(action, sha);
      }
    }
  }
  return shas;
}

export interface Adoption {
  readonly action: string;
  readonly from: string;
  readonly to: string;
  readonly sha: string;
}

/**
 * The record rewritten so that every pin has the SHA the workflows use, with the release tag of that SHA.
 * Refuses a SHA no release tag points at, and a release older than the pin's minimum major.
 */
export function adoptPins(source: string, pins: readonly PinnedAction[], workflows: ReadonlyMap<string, string>,
  tagsOf: (repository: string) => ReadonlyMap<string, string>): { source: string; adopted: Adoption[] } {
  let next = source;
  const adopted: Adoption[] = [];
  for (const [action, sha] of workflowShas(workflows)) {
    const pin = pins.find((candidate) => actionPath(candidate) === action);
    if (!pin) throw new Error(`${action}@${sha}: no pin for this action in projenrc/action-pins.ts; add one by hand`);
    if (pin.uses === `${action}@${sha}`) continue;
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`${action}@${sha}: not a full commit SHA`);
    const version = releaseTagOf(sha, tagsOf(actionRepository(pin)));
    if (!version) throw new Error(`${action}@${sha}: no release tag of ${actionRepository(pin)} points at this commit; not adopted`);
    if (majorOf(version) < pin.minimumMajor) {
      throw new Error(`${action}@${sha} is ${version}, older than the minimum major ${pin.minimumMajor} recorded for it`);
    }
    const recorded = `uses: '${pin.uses}', version: '${pin.version}'`;
    if (next.split(recorded).length !== 2) throw new Error(`projenrc/action-pins.ts: expected ${recorded} exactly once`);
    next = next.replace(recorded, `uses: '${action}@${sha}', version: '${version}'`);
    adopted.push({ action, from: pin.version, to: version, sha });
  }
  return { source: next, adopted };
}

function tagsFromGitHub(): (repository: string) => ReadonlyMap<string, string> {
  const cache = new Map<string, ReadonlyMap<string, string>>();
  return (repository) => {
    if (!cache.has(repository)) {
      const output = execFileSync('git', ['ls-remote', '--tags', `https://github.com/${repository}.git`], { encoding: 'utf8' });
      cache.set(repository, parseLsRemote(output));
    }
    return cache.get(repository)!;
  };
}

function readWorkflows(): Map<string, string> {
  return new Map(readdirSync(WORKFLOWS_DIR).filter((file) => /\.ya?ml$/.test(file))
    .map((file) => [file, readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')]));
}

export function main(args: readonly string[]): number {
  const pins: PinnedAction[] = Object.values(ACTIONS);
  switch (args[0]) {
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'verify': {
      const problems = verifyPins(pins, tagsFromGitHub());
      for (const problem of problems) console.error(`actions:verify: ${problem}`);
      if (problems.length === 0) console.log(`actions:verify: each of the ${pins.length} pins is the commit of its release tag`);
      return problems.length === 0 ? 0 : 1;
    }
    case 'adopt': {
      const { source, adopted } = adoptPins(readFileSync(PINS_FILE, 'utf8'), pins, readWorkflows(), tagsFromGitHub());
      writeFileSync(PINS_FILE, source);
      for (const change of adopted) {
        const major = majorOf(change.to) !== majorOf(change.from) ? ' (new major: read its changelog for input changes)' : '';
        console.log(`actions:adopt: ${change.action} ${change.from} -> ${change.to} ${change.sha}${major}`);
      }
      if (adopted.length === 0) console.log('actions:adopt: the workflows use the recorded pins; nothing to adopt');
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      return 1;
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`actions: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
