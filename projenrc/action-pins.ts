/**
 * Every action the workflows use, pinned to a full commit SHA. A tag can be moved to other code; a SHA
 * cannot. This file is the only record of the pins: the workflows are generated from it, so a pin changes
 * here and nowhere else (README.md, "GitHub setup": how a Dependabot pull request lands here).
 *
 * Each `version` is the release tag the SHA was verified against: in a copy of the action's repository,
 * `git rev-parse <version>^{commit}` printed the SHA; `npx projen actions:verify` checks them all against
 * the tags on GitHub.
 */
export interface PinnedAction {
  /** `owner/repo[/path]@<40-hex sha>` as written in `uses:`. */
  readonly uses: string;
  /** The release tag the SHA is the commit of, `vX.Y.Z`; shown in the step names. */
  readonly version: string;
  /**
   * The oldest major the workflows accept (test/workflows/workflows.test.ts fails below it): the major whose
   * `action.yml` inputs and outputs the workflows were checked against. Each of them runs on `node24`;
   * the majors before them ran on `node20`, which reached end of life on 2026-04-30.
   */
  readonly minimumMajor: number;
}

export const ACTIONS = {
  checkout: { uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1', minimumMajor: 7 },
  setupNode: { uses: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0', minimumMajor: 7 },
  cacheRestore: { uses: 'actions/cache/restore@27d5ce7f107fe9357f9df03efb73ab90386fccae', version: 'v5.0.5', minimumMajor: 5 },
  cacheSave: { uses: 'actions/cache/save@27d5ce7f107fe9357f9df03efb73ab90386fccae', version: 'v5.0.5', minimumMajor: 5 },
  uploadArtifact: { uses: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0', minimumMajor: 7 },
  downloadArtifact: { uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1', minimumMajor: 8 },
  uploadSarif: { uses: 'github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e', version: 'v4.36.2', minimumMajor: 4 },
  createPullRequest: { uses: 'peter-evans/create-pull-request@5f6978faf089d4d20b00c7766989d076bb2fc7f1', version: 'v8.1.1', minimumMajor: 8 },
} satisfies Record<string, PinnedAction>;

/** The tags projen's generated workflows use, mapped to the pins above. */
export const PROJEN_ACTION_OVERRIDES: Record<string, PinnedAction> = {
  'actions/setup-node': ACTIONS.setupNode,
  'peter-evans/create-pull-request': ACTIONS.createPullRequest,
  'actions/checkout': ACTIONS.checkout,
  'actions/upload-artifact': ACTIONS.uploadArtifact,
  'actions/download-artifact': ACTIONS.downloadArtifact,
};

/** `owner/repo[/path]`: what `uses:` names before the `@`. */
export function actionPath(pin: PinnedAction): string {
  return pin.uses.slice(0, pin.uses.indexOf('@'));
}

/** The repository that publishes the action, `owner/repo`, where its tags live. */
export function actionRepository(pin: PinnedAction): string {
  return actionPath(pin).split('/').slice(0, 2).join('/');
}

export function majorOf(version: string): number {
  const match = /^v(\d+)(\.\d+){0,2}$/.exec(version);
  if (!match) throw new Error(`${version}: not a release tag of the form vX[.Y[.Z]]`);
  return Number(match[1]);
}
