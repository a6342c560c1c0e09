/** The slice of a CloudFormation template the diff reads; everything else is carried as `unknown`. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly [attribute: string]: unknown;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly [section: string]: unknown;
}

/** Stack display path (e.g. `Prod/Service`) to its synthesized template. */
export type TemplateMap = ReadonlyMap<string, CfnTemplate>;
