import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { acknowledgementSourcesOf } from './acknowledgements';
import { GATE_PACKS } from './packs';
import { AcknowledgementSources } from './report/acknowledgement-sources';
import { renderConsoleSummary } from './report/console-summary';
import type { ComplianceModel } from './report/model';
import { COMPLIANCE_DIR, writeComplianceReports } from './report/write-reports';

export interface GateOutcome {
  readonly assembly: CloudAssembly;
  readonly passed: boolean;
  /** What the gate has to say: one line on a pass; each cause with its fix on a failure. */
  readonly summary: string;
  readonly model: ComplianceModel;
}

/** The repository's root, from this file's place in it: findings are placed in its sources wherever `cdk synth` runs. */
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Synthesizes the app and decides the compliance gate, the same way for `cdk synth` (through projen or
 * not), the tests and the meta-pipeline. aws-cdk-lib's own reporting is off (cdk.json sets
 * `@aws-cdk/core:failSynthOnValidationErrors` to false, as the CDK CLI does too): it would print every
 * finding of every stage separately and leave the CLI to end with "Synthesis finished with errors" and no
 * word on what to do. Instead the gate writes the reports, keeps the raw report in the compliance folder
 * (so the CLI finds none to print again), and returns one summary.
 */
export function synthesizeWithGate(app: App): GateOutcome {
  // Reports of an earlier synth would describe templates that are about to be replaced.
  rmSync(path.join(app.outdir, COMPLIANCE_DIR), { recursive: true, force: true });
  const assembly = app.synth();
  AcknowledgementSources.write(path.join(app.outdir, COMPLIANCE_DIR), acknowledgementSourcesOf(app));
  const { model } = writeComplianceReports(app.outdir, { packs: GATE_PACKS, repoRoot: REPOSITORY_ROOT });
  const reportFile = path.relative(process.cwd(), path.join(app.outdir, COMPLIANCE_DIR, 'report.md')).split(path.sep).join('/');
  return { assembly, passed: model.passed, summary: renderConsoleSummary(model, { reportFile, packs: GATE_PACKS }), model };
}
