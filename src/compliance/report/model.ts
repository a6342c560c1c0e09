import type { SourceLocation } from './stack-trace';

export type { SourceLocation } from './stack-trace';

export type Severity = 'fatal' | 'error' | 'warning' | 'info' | 'custom';

export interface Acknowledgement {
  /** The ID as recorded, e.g. `AwsSolutions::AwsSolutions-S1` or `Annotation::AwsSolutions-S1`. */
  readonly id: string;
  readonly reason: string;
  /** Construct path it was declared on; '' for the App. */
  readonly at: string;
  /** Where `acknowledge()` was called, when that is in the project's sources. */
  readonly source?: SourceLocation;
}

/** One violating construct of one rule. */
export interface Finding {
  readonly plugin: string;
  /** The rule name as the plugin reported it. */
  readonly ruleId: string;
  /** `<namespace>::<rule>`, the ID to acknowledge the rule with. */
  readonly qualifiedRuleId: string;
  readonly severity: Severity;
  readonly customSeverity?: string;
  readonly description: string;
  readonly fix?: string;
  readonly helpUri?: string;
  readonly constructPath: string;
  /** Relative to the cloud assembly dir. */
  readonly templatePath?: string;
  readonly logicalId?: string;
  /** 1-based line of the resource in its template, when found. */
  readonly templateLine?: number;
  readonly source?: SourceLocation;
  readonly acknowledged?: Acknowledgement;
}

export interface PluginSummary {
  readonly name: string;
  readonly version?: string;
  readonly conclusion: 'success' | 'failure';
  /** Set when the plugin itself crashed: aws-cdk-lib then reports a failure with no violations. */
  readonly error?: string;
  /** The name a reader knows the pack by, when it differs (cdk-validator-cfnguard runs the Control Tower rules). */
  readonly title?: string;
  /** False for a pack of the gate that the validation report leaves out: it ran and had nothing to report. */
  readonly reported: boolean;
}

/**
 * An acknowledgement in the assembly metadata that no reported finding refers to.
 * `unused`: a namespaced ID, which aws-cdk-lib applies itself, so it matched nothing.
 * `unverifiable`: a plain ID (recorded as `Annotation::<rule>`); cdk-nag drops
 * matching findings before reporting them, so whether it matched is unknown.
 */
export interface UnreportedAcknowledgement extends Acknowledgement {
  /** The qualified rule ID it most likely targets, e.g. `AwsSolutions::AwsSolutions-S1`. */
  readonly qualifiedRuleId: string;
  /** `library`: a library construct acknowledged, inside itself, a rule of a tool the gate does not run. */
  readonly status: 'unused' | 'unverifiable' | 'library';
  /** For an acknowledgement a library construct made itself: which library, and which of its constructs. */
  readonly declaredBy?: { readonly library: string; readonly construct: string };
}

export interface ComplianceModel {
  /** The assembly dir as outputs should name it, e.g. `cdk.out`. */
  readonly assemblyLabel: string;
  readonly reportFound: boolean;
  readonly passed: boolean;
  readonly plugins: readonly PluginSummary[];
  /** Sorted by plugin, rule, construct path. */
  readonly findings: readonly Finding[];
  readonly unreportedAcknowledgements: readonly UnreportedAcknowledgement[];
}

export const SEVERITY_ORDER: readonly Severity[] = ['fatal', 'error', 'warning', 'info', 'custom'];

/** What aws-cdk-lib treats as failing once acknowledgements are applied. */
export function isBlocking(finding: Finding): boolean {
  return !finding.acknowledged && (finding.severity === 'fatal' || finding.severity === 'error');
}
