/**
 * Every action the workflows use, pinned to a full commit SHA. A tag can be moved to other code; a SHA
 * cannot. The version each SHA was published as is kept beside it and shown in the step names.
 */
export interface PinnedAction {
  /** `owner/repo[/path]@<40-hex sha>` as written in `uses:`. */
  readonly uses: string;
  readonly version: string;
}

export const ACTIONS = {
  checkout: { uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: { uses: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020', version: 'v4.4.0' },
  uploadArtifact: { uses: 'actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a', version: 'v7.0.1' },
  downloadArtifact: { uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
  uploadSarif: { uses: 'github/codeql-action/upload-sarif@ce28f5bb42b7a9f2c824e633a3f6ee835bab6858', version: 'v3.29.0' },
  createPullRequest: { uses: 'peter-evans/create-pull-request@271a8d0340265f705b14b6d32b9829c1cb33d45e', version: 'v7.0.8' },
} satisfies Record<string, PinnedAction>;

/** The tags projen's generated workflows use, mapped to the pins above. */
export const PROJEN_ACTION_OVERRIDES: Record<string, PinnedAction> = {
  'actions/setup-node': ACTIONS.setupNode,
  'peter-evans/create-pull-request': ACTIONS.createPullRequest,
  'actions/checkout': ACTIONS.checkout,
  'actions/upload-artifact': ACTIONS.uploadArtifact,
  'actions/download-artifact': ACTIONS.downloadArtifact,
};
