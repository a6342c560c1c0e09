import type { javascript } from 'projen';
import { github } from 'projen';
import { type JobPermissions, JobPermission, type JobStep } from 'projen/lib/github/workflows-model';
import { ACTIONS, type PinnedAction, PROJEN_ACTION_OVERRIDES } from './action-pins';

export interface WorkflowOptions {
  readonly nodeVersion: string;
  /** The install and build commands the meta-pipeline's synth step runs too. */
  readonly installCommands: readonly string[];
  readonly buildCommands: readonly string[];
  readonly complianceDirectory: string;
}

const READ_ONLY: JobPermissions = { contents: JobPermission.READ };

function uses(action: PinnedAction, name: string, withInputs?: Record<string, unknown>, extra: Partial<JobStep> = {}): JobStep {
  return { name: `${name} (${action.uses.split('@')[0]} ${action.version})`, uses: action.uses, with: withInputs, ...extra };
}

function setup(options: WorkflowOptions): JobStep[] {
  return [
    uses(ACTIONS.checkout, 'Check out'),
    uses(ACTIONS.setupNode, `Set up Node.js ${options.nodeVersion}`, { 'node-version': options.nodeVersion, 'cache': 'npm' }),
    ...options.installCommands.map((run) => ({ name: `Install: ${run}`, run })),
  ];
}

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
      ...options.buildCommands.map((run) => ({ name: `Build: ${run}`, run })),
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

  workflow.addJob('code-scanning', {
    name: 'Compliance findings to code scanning',
    needs: ['build'],
    // Pull requests from forks get a read-only token, which code scanning refuses.
    if: "always() && needs.build.outputs.report == 'true' && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository)",
    runsOn: ['ubuntu-latest'],
    // The only job that may write security events.
    permissions: { contents: JobPermission.READ, securityEvents: JobPermission.WRITE },
    steps: [
      uses(ACTIONS.downloadArtifact, 'Download the compliance report', { name: 'compliance-report', path: 'compliance' }),
      uses(ACTIONS.uploadSarif, 'Upload SARIF', { sarif_file: 'compliance/report.sarif', category: 'compliance-gate' }),
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
      { name: 'Synthesize the pull request', run: 'npx cdk synth --no-lookups --quiet --output "$RUNNER_TEMP/head.out"' },
      {
        name: 'Synthesize the base branch',
        run: [
          'git fetch --no-tags --depth=1 origin "$BASE_SHA"',
          'git worktree add "$RUNNER_TEMP/base" "$BASE_SHA"',
          'cd "$RUNNER_TEMP/base"',
          ...options.installCommands,
          'npx cdk synth --no-lookups --quiet --output "$RUNNER_TEMP/base.out"',
        ].join('\n'),
      },
      {
        name: 'Summarize the diff',
        run: 'npx tsx tools/infra-diff/cli.ts "$RUNNER_TEMP/base.out" "$RUNNER_TEMP/head.out" >> "$GITHUB_STEP_SUMMARY"',
      },
    ],
  });
  return workflow;
}

/** Pins the actions of projen's own workflows (dependency upgrades) and keeps them read-only by default. */
export function hardenProjenWorkflows(project: javascript.NodeProject): void {
  for (const [action, pin] of Object.entries(PROJEN_ACTION_OVERRIDES)) {
    project.github!.actions.set(action, pin.uses);
  }
  const upgrade = project.github!.tryFindWorkflow('upgrade');
  if (upgrade) {
    upgrade.file!.addOverride('permissions', { contents: 'read' });
    // An input of setup-node v5+, unknown to the pinned v4.
    upgrade.file!.addDeletionOverride('jobs.upgrade.steps.1.with.package-manager-cache');
  }
}
