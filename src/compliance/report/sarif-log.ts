/*
 * The subset of SARIF 2.1.0 the compliance report writes. sarif-2.1.0.schema.json
 * beside this file is the full schema (2.1.0-rtm.5, as JSON Schema Store and
 * Microsoft's SARIF SDK publish it) that the tests validate against.
 */

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifMessage {
  readonly text: string;
}

export interface SarifLocation {
  readonly physicalLocation?: {
    readonly artifactLocation: { readonly uri: string };
    readonly region?: { readonly startLine: number; readonly startColumn?: number };
  };
  readonly logicalLocations?: ReadonlyArray<{ readonly name: string; readonly fullyQualifiedName: string; readonly kind: string }>;
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: SarifMessage;
  readonly fullDescription: SarifMessage;
  readonly help: SarifMessage;
  readonly helpUri?: string;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: SarifMessage;
  readonly locations: readonly SarifLocation[];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly suppressions?: ReadonlyArray<{
    readonly kind: 'inSource' | 'external';
    readonly status: 'accepted';
    readonly justification: string;
    readonly location?: SarifLocation;
  }>;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: ReadonlyArray<{
    readonly tool: { readonly driver: { readonly name: string; readonly rules: readonly SarifRule[] } };
    readonly automationDetails?: { readonly id: string };
    readonly invocations: ReadonlyArray<{
      readonly executionSuccessful: boolean;
      readonly toolExecutionNotifications: ReadonlyArray<{ readonly level: SarifLevel; readonly message: SarifMessage }>;
    }>;
    readonly columnKind: 'utf16CodeUnits';
    readonly results: readonly SarifResult[];
    readonly properties: Readonly<Record<string, unknown>>;
  }>;
}
