/** A pack of the compliance gate: the name it reports under, and the name a reader knows it by. */
export interface GatePack {
  readonly plugin: string;
  readonly title: string;
}

/**
 * The packs the gate runs (src/compliance/gate.ts). aws-cdk-lib leaves a plugin with nothing to report out
 * of its validation report, so the reports list these to show that a silent pack ran and found nothing.
 */
export const GATE_PACKS: readonly GatePack[] = [
  { plugin: 'AwsSolutions', title: 'AwsSolutions' },
  { plugin: 'PlatformChecks', title: 'PlatformChecks' },
  { plugin: 'cdk-validator-cfnguard', title: 'Control Tower' },
];
