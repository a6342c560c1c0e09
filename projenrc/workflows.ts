import type { javascript } from 'projen';
import { github, YamlFile } from 'projen';
import { type Job, type JobPermissions, JobPermission, type JobStep } from 'projen/lib/github/workflows-model';
import { ACTIONS, actionPath, type PinnedAction, PROJEN_ACTION_OVERRIDES } from './action-pins';

export interface WorkflowOptions {
  readonly nodeVersion: string;
  /** The install and build commands the meta-pipeline's synth step runs too. */
  readonly installCommands: readonly string[];
  readonly buildCommands: readonly string[];
  readonly complianceDirectory: string;
  /** Where the compliance gate keeps the findings of templates it checked (relative to the repository). */
  readonly gateCacheDirectory: string;
  /** The gate's sources that decide what it keeps there (files, or folders taken whole). */
  readonly gateCacheSources: readonly string[];
  /** Where the tests' lint keeps its results per file (relative to the repository), by each file's content. */
  readonly lintCacheDirectory: string;
  /** The files that decide the lint's results beside each linted file's own text: its dependencies and its configuration. */
  readonly lintCacheSources: readonly string[];
}

/** The id of the build job's step that fails when the build changed the checked-out repository. */
export const UNCHANGED_STEP_ID = 'unchanged';

/** The id of the step that installs Node: its `node-version` output is the exact version it installed. */
export const SETUP_NODE_STEP_ID = 'setup_node';

/** The id of the code-scanning job's first step, which finds out whether the upload can succeed at all. */
export const CODE_SCANNING_PROBE_ID = 'available';

const READ_ONLY: JobPermissions = { contents: JobPermission.READ };

/** A step name that shows the pinned version: YAML comments cannot be emitted, step names can. */
function pinnedName(action: PinnedAction, name: string): string {
  return `${name} (${actionPath(action)} ${action.version})`;
}

function uses(action: PinnedAction, name: string, withInputs?: Record<string, unknown>, extra: Partial<JobStep> = {}): JobStep {
  return { name: pinnedName(action, name), uses: action.uses, with: withInputs, ...extra };
}

function setup(options: WorkflowOptions): JobStep[] {
  return [
    uses(ACTIONS.checkout, 'Check out'),
    // `cache: npm` asks for the npm cache explicitly, as before; setup-node v5+'s automatic caching
    // (`package-manager-cache`) only applies when `cache` is not given.
    uses(ACTIONS.setupNode, `Set up Node.js ${options.nodeVersion}`, { 'node-version': options.nodeVersion, 'cache': 'npm' }, { id: SETUP_NODE_STEP_ID }),
    ...options.installCommands.map((run) => ({ name: `Install: ${run}`, run })),
  ];
}

/**
 * Whether code scanning accepts uploads here. Public repositories always have it; a private one only with
 * GitHub Advanced Security (Code Security), and without it every upload fails with a 403 whose message
 * names the missing feature (the patterns are the ones codeql-action itself recognises, src/api-client.ts).
 * 404 is "no analysis found": code scanning is on, nothing was uploaded yet. Anything else is a real
 * failure (a token without `security-events`, an outage) and fails the job.
 */
const CODE_SCANNING_PROBE = [
  'status="$(curl --silent --show-error --output "$RUNNER_TEMP/code-scanning.json" --write-out "%{http_code}" \\',
  '  --header "Authorization: Bearer $GITHUB_TOKEN" --header "Accept: application/vnd.github+json" \\',
  '  "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/code-scanning/analyses?per_page=1")"',
  'if [ "$status" = 200 ] || [ "$status" = 404 ]; then',
  '  echo "available=true" >> "$GITHUB_OUTPUT"',
  'elif [ "$status" = 403 ] && grep -qiE "(Advanced|Code) Security must be enabled|Code scanning is not enabled" "$RUNNER_TEMP/code-scanning.json"; then',
  '  echo "available=false" >> "$GITHUB_OUTPUT"',
  '  echo "::notice title=Code scanning skipped::Code scanning is not enabled for this repository (a private repository needs GitHub Advanced Security). The compliance report is in the build job\'s summary and artifact."',
  '  echo "Code scanning is not enabled for this repository, so the findings were not uploaded; see README.md, GitHub setup." >> "$GITHUB_STEP_SUMMARY"',
  'else',
  '  echo "::error title=Code scanning check failed::GET code-scanning/analyses answered HTTP $status"',
  '  cat "$RUNNER_TEMP/code-scanning.json"',
  '  exit 1',
  'fi',
].join('\n');

/**
 * `cdk synth` into `out`, where a failed compliance gate does not stop the diff: the app writes every
 * template, then the validation plugins run and fail the synth, and the app still writes the compliance
 * report. Templates plus report means the gate failed on a complete assembly (the build job reports the
 * findings); a failure without them (the app did not compile, the configuration is invalid) fails the step.
 */
export function synthForDiff(out: string, what: string): string[] {
  return [
    'status=0',
    `npx cdk synth --no-lookups --quiet --output "${out}" || status=$?`,
    'if [ "$status" -eq 0 ]; then',
    '  echo "gate=passed" >> "$GITHUB_OUTPUT"',
    `elif [ -f "${out}/manifest.json" ] && [ -f "${out}/compliance/report.md" ]; then`,
    '  echo "gate=failed" >> "$GITHUB_OUTPUT"',
    `  echo "::warning title=Compliance gate failed on the ${what}::The templates were written before the gate failed the synth, so the diff goes on; the build job reports the findings."`,
    'else',
    `  echo "::error title=Synthesis failed on the ${what}::cdk synth exited $status before writing the templates and the compliance report; there is nothing to diff."`,
    '  exit "$status"',
    'fi',
  ];
}

/** Where the gate's cache steps keep the time the build started, to tell the entries it used from the others. */
const GATE_CACHE_STARTED = '"$RUNNER_TEMP/gate-cache-started"';

/** Only pushes to the default branch save the caches (the gate's findings, the lint's results); every build reads them. */
const SAVES_CACHES = "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";

/**
 * The compliance gate's findings for templates it checked before, so that a build validates only the
 * templates it has not met (the suite's syntheses and the build's own). Restored after the install:
 * `npm ci` empties node_modules. Every build restores what the newest build of the default branch saved
 * (a pull request reads the base branch's too); only builds of the default branch save, so no pull
 * request writes what another build trusts. The gate keys each finding by the template's bytes, the
 * validator's version and options and the gate's own code (GATE_CACHE_SOURCES), so an entry only
 * answers for the template it was found in; the key here also changes with the lock file and that code,
 * which starts a fresh cache instead of carrying entries nothing will read again.
 */
function gateCacheKey(sources: readonly string[]): { key: string; prefix: string } {
  return cacheKey('compliance-gate', ['package-lock.json', ...sources.map((source) => (source.endsWith('.ts') ? source : `${source}/**`))]);
}

/**
 * A cache's key for this commit, and the prefix a build restores the newest entry by: the cache's name,
 * the runner, anything else the entries depend on (`qualifier`, ending in `-`) and the hash of `hashed`.
 */
function cacheKey(name: string, hashed: readonly string[], qualifier = ''): { key: string; prefix: string } {
  const prefix = `${name}-\${{ runner.os }}-\${{ runner.arch }}-${qualifier}\${{ hashFiles(${hashed.map((file) => `'${file}'`).join(', ')}) }}-`;
  return { key: `${prefix}\${{ github.sha }}`, prefix };
}

function restoreGateCache(directory: string, sources: readonly string[]): JobStep[] {
  const { key, prefix } = gateCacheKey(sources);
  return [
    uses(ACTIONS.cacheRestore, 'Restore the compliance gate\'s findings of earlier builds', { 'path': directory, key, 'restore-keys': prefix }),
    { name: 'Note when the build started', if: SAVES_CACHES, run: `touch ${GATE_CACHE_STARTED}` },
  ];
}

/** After a successful build: the entries it neither read nor wrote are dropped, so the cache does not grow without end. */
function saveGateCache(directory: string, sources: readonly string[]): JobStep[] {
  return [
    {
      name: 'Drop the gate\'s findings this build did not use',
      if: SAVES_CACHES,
      run: [
        `if [ -d "${directory}" ]; then`,
        `  dropped="$(find "${directory}" -type f ! -newer ${GATE_CACHE_STARTED} -print -delete | wc -l)"`,
        '  echo "Dropped $dropped entries this build did not use"',
        'fi',
      ].join('\n'),
    },
    uses(ACTIONS.cacheSave, 'Save the compliance gate\'s findings', { path: directory, key: gateCacheKey(sources).key }, { if: SAVES_CACHES }),
  ];
}

/**
 * The tests' lint results of the newest build of the default branch, so that a build lints again only the
 * files whose text differs from what that build linted: eslint:syntax keys each file's results by its
 * content, not by its modification time, which every checkout renews. Restored after the install (`npm ci`
 * empties node_modules) and saved like the gate's findings. ESLint drops an entry whose file changed, or
 * whose configuration, ESLint version or Node version did; it does not look at the plugins' and the
 * parser's versions, or at options it leaves out of its configuration, so the key changes with the files
 * that set those (the lock file, the tasks, the configurations) and with the exact Node version, which
 * starts a fresh cache. Rules that read other files (import/no-unresolved, import/order) keep what they saw
 * when the entry was written: an unchanged file importing one a change deleted is not linted again, and
 * the type check of the build's compile step fails on that import instead.
 */
function lintCacheKey(sources: readonly string[]): { key: string; prefix: string } {
  return cacheKey('eslint-syntax', sources, `node-\${{ steps.${SETUP_NODE_STEP_ID}.outputs.node-version }}-`);
}

function restoreLintCache(directory: string, sources: readonly string[]): JobStep[] {
  const { key, prefix } = lintCacheKey(sources);
  return [uses(ACTIONS.cacheRestore, 'Restore the lint\'s results of earlier builds', { 'path': directory, key, 'restore-keys': prefix })];
}

function saveLintCache(directory: string, sources: readonly string[]): JobStep[] {
  return [uses(ACTIONS.cacheSave, 'Save the lint\'s results', { path: directory, key: lintCacheKey(sources).key }, { if: SAVES_CACHES })];
}

/** Fails the build when it changed the checkout: generated files out of date, or anything else written. */
const UNCHANGED_CHECK = [
  'changes="$(git status --porcelain)"',
  'if [ -n "$changes" ]; then',
  '  echo "::error title=The build changed the repository::Run npx projen build locally and commit what it changes; CI never rewrites source."',
  '  echo "$changes"',
  '  git --no-pager diff',
  '  exit 1',
  'fi',
].join('\n');

/**
 * `build`: the same install and build as the meta-pipeline's synth step, the compliance report in the job
 * summary, as an artifact and in code scanning (also when the gate failed), and an offline infra diff.
 */
export function addBuildWorkflow(project: javascript.NodeProject, options: WorkflowOptions): github.GithubWorkflow {
  const workflow = new github.GithubWorkflow(project.github!, 'build', {
    limitConcurrency: true,
    concurrencyOptions: {
      group: '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}',
      cancelInProgress: true,
    },
  });
  workflow.on({ pullRequest: {}, push: { branches: ['main'] }, workflowDispatch: {} });
  workflow.file!.addOverride('permissions', { contents: 'read' });

  const report = options.complianceDirectory;
  workflow.addJob('build', {
    name: 'Build, test and compliance gate',
    runsOn: ['ubuntu-latest'],
    permissions: READ_ONLY,
    timeoutMinutes: 30,
    outputs: { report: { stepId: 'report', outputName: 'exists' } },
    steps: [
      ...setup(options),
      ...restoreGateCache(options.gateCacheDirectory, options.gateCacheSources),
      ...restoreLintCache(options.lintCacheDirectory, options.lintCacheSources),
      ...options.buildCommands.map((run) => ({ name: `Build: ${run}`, run })),
      { name: 'Fail if the build changed the repository', id: UNCHANGED_STEP_ID, run: UNCHANGED_CHECK },
      ...saveGateCache(options.gateCacheDirectory, options.gateCacheSources),
      ...saveLintCache(options.lintCacheDirectory, options.lintCacheSources),
      {
        name: 'Compliance report in the job summary',
        id: 'report',
        if: 'always()',
        run: [
          `if [ -f ${report}/report.md ]; then`,
          `  cat ${report}/report.md >> "$GITHUB_STEP_SUMMARY"`,
          '  echo "exists=true" >> "$GITHUB_OUTPUT"',
          'else',
          '  echo "No compliance report: the build stopped before synthesis." >> "$GITHUB_STEP_SUMMARY"',
          'fi',
        ].join('\n'),
      },
      uses(ACTIONS.uploadArtifact, 'Upload the compliance report', { 'name': 'compliance-report', 'path': `${report}/`, 'if-no-files-found': 'ignore' }, { if: "always() && steps.report.outputs.exists == 'true'" }),
    ],
  });

  const scanning = `steps.${CODE_SCANNING_PROBE_ID}.outputs.available == 'true'`;
  workflow.addJob('code-scanning', {
    name: 'Compliance findings to code scanning',
    needs: ['build'],
    // Pull requests from forks get a read-only token, which code scanning refuses.
    if: "always() && needs.build.outputs.report == 'true' && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository)",
    runsOn: ['ubuntu-latest'],
    // The only job that may write security events. In a private repository the upload also reads the
    // workflow run (its analysis key is the workflow's path), which needs `actions: read`.
    permissions: { contents: JobPermission.READ, securityEvents: JobPermission.WRITE, actions: JobPermission.READ },
    steps: [
      { name: 'Is code scanning enabled here?', id: CODE_SCANNING_PROBE_ID, env: { GITHUB_TOKEN: '${{ github.token }}' }, run: CODE_SCANNING_PROBE },
      uses(ACTIONS.downloadArtifact, 'Download the compliance report', { name: 'compliance-report', path: 'compliance' }, { if: scanning }),
      uses(ACTIONS.uploadSarif, 'Upload SARIF', { sarif_file: 'compliance/report.sarif', category: 'compliance-gate' }, { if: scanning }),
    ],
  });

  workflow.addJob('infra-diff', {
    name: 'Infrastructure diff against the base branch',
    if: "github.event_name == 'pull_request'",
    runsOn: ['ubuntu-latest'],
    permissions: READ_ONLY,
    timeoutMinutes: 30,
    env: { BASE_SHA: '${{ github.event.pull_request.base.sha }}' },
    steps: [
      ...setup(options),
      { name: 'Synthesize the pull request', id: 'head', run: synthForDiff('$RUNNER_TEMP/head.out', 'pull request').join('\n') },
      {
        name: 'Synthesize the base branch',
        id: 'base',
        run: [
          'git fetch --no-tags --depth=1 origin "$BASE_SHA"',
          'git worktree add "$RUNNER_TEMP/base" "$BASE_SHA"',
          'cd "$RUNNER_TEMP/base"',
          ...options.installCommands,
          ...synthForDiff('$RUNNER_TEMP/base.out', 'base branch'),
        ].join('\n'),
      },
      {
        // The gate's result is the build job's; this job's result is whether the diff could be made.
        name: 'Summarize the diff',
        env: { HEAD_GATE: '${{ steps.head.outputs.gate }}', BASE_GATE: '${{ steps.base.outputs.gate }}' },
        run: [
          'gate_failed() { printf "> **The compliance gate failed on %s**: the build job lists the findings. The diff compares the templates written before the gate failed the synth.\\n\\n" "$1"; }',
          'if [ "$HEAD_GATE" = failed ]; then gate_failed "this pull request" >> "$GITHUB_STEP_SUMMARY"; fi',
          'if [ "$BASE_GATE" = failed ]; then gate_failed "the base branch" >> "$GITHUB_STEP_SUMMARY"; fi',
          'npx tsx tools/infra-diff/cli.ts "$RUNNER_TEMP/base.out" "$RUNNER_TEMP/head.out" >> "$GITHUB_STEP_SUMMARY"',
        ].join('\n'),
      },
    ],
  });
  return workflow;
}

/**
 * Pins the actions of projen's own workflows (dependency upgrades), names each such step with the pinned
 * version like the build workflow's, and keeps the workflows read-only by default.
 */
export function hardenProjenWorkflows(project: javascript.NodeProject): void {
  for (const [action, pin] of Object.entries(PROJEN_ACTION_OVERRIDES)) {
    project.github!.actions.set(action, pin.uses);
  }
  const upgrade = project.github!.tryFindWorkflow('upgrade');
  if (upgrade) {
    upgrade.file!.addOverride('permissions', { contents: 'read' });
    // projen's setup step passes `package-manager-cache: false` (an input since setup-node v5), which keeps
    // v5+'s automatic npm cache (package.json names npm in devEngines) out of the job whose output becomes a
    // pull request: nothing a pull request's build cached can reach it.
    for (const [id, job] of Object.entries(upgrade.jobs)) {
      if ('steps' in job) upgrade.updateJob(id, { ...job, steps: job.steps.map(namePinnedStep) } satisfies Job);
    }
  }
}

function namePinnedStep(step: JobStep): JobStep {
  if (!step.uses) return step;
  const action = step.uses.split('@')[0];
  const pin = PROJEN_ACTION_OVERRIDES[action];
  if (!pin) throw new Error(`${step.uses}: projen uses an action that projenrc/action-pins.ts does not pin`);
  const nodeVersion = step.with?.['node-version'];
  const name = step.name ?? action;
  return { ...step, name: pinnedName(pin, nodeVersion === undefined ? name : `${name} ${nodeVersion}`) };
}

/**
 * Dependabot's `github-actions` updates: it finds a newer release of each pinned action (a SHA pin without a
 * version comment is resolved through the tag that points at it) and opens one grouped pull request that
 * rewrites the SHAs in `.github/workflows/`. Those files are generated, so the pull request is landed with
 * `npx projen actions:adopt`, which records the new SHAs in projenrc/action-pins.ts (see README.md).
 */
export function addActionPinUpdates(project: javascript.NodeProject): YamlFile {
  return new YamlFile(project, '.github/dependabot.yml', {
    obj: {
      version: 2,
      updates: [{
        'package-ecosystem': 'github-actions',
        'directory': '/',
        'schedule': { interval: 'weekly' },
        // A release younger than a week is not proposed: time for a compromised tag to be noticed.
        'cooldown': { 'default-days': 7 },
        'groups': { 'github-actions': { patterns: ['*'] } },
        'labels': ['dependencies'],
        'commit-message': { prefix: 'ci' },
      }],
    },
  });
}
