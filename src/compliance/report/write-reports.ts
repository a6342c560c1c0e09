import * as fs from 'fs';
import * as path from 'path';
import { ReportInputError } from './input-error';
import { LoadOptions, loadComplianceModel } from './load-model';
import { renderMarkdown } from './markdown';
import { ComplianceModel } from './model';
import { renderSarif, SarifOptions } from './sarif';
import { VALIDATION_REPORT_FILE } from './validation-report';

export const COMPLIANCE_DIR = 'compliance';
const REPORT_FILES = ['report.md', 'report.sarif'];

export interface WriteReportsResult {
  readonly passed: boolean;
  /** The files written, under `<assemblyDir>/compliance/`. */
  readonly files: string[];
  readonly model: ComplianceModel;
}

/**
 * Writes report.md and report.sarif to `<assemblyDir>/compliance/`, and moves the raw validation report
 * there. Throws ReportInputError when there is no assembly, when nothing was checked (no report, or an
 * empty one) or when the report cannot be read; findings never make it throw.
 */
export function writeComplianceReports(assemblyDir: string, options: LoadOptions & SarifOptions = {}): WriteReportsResult {
  const model = loadComplianceModel(assemblyDir, options);
  const outDir = path.join(assemblyDir, COMPLIANCE_DIR);
  if (!model.reportFound) {
    // A report of nothing must not stay behind to read as a pass.
    for (const name of REPORT_FILES) fs.rmSync(path.join(outDir, name), { force: true });
    throw new ReportInputError(`nothing was checked: ${assemblyDir} has no validation report (${VALIDATION_REPORT_FILE} is missing or empty), `
      + 'so no compliance pack ran. Synthesize again with `npx projen synth`; the app turns the gate on (src/compliance/gate.ts).');
  }
  fs.mkdirSync(outDir, { recursive: true });

  const files = REPORT_FILES.map(name => path.join(outDir, name));
  fs.writeFileSync(files[0], renderMarkdown(model));
  fs.writeFileSync(files[1], `${JSON.stringify(renderSarif(model, options), undefined, 2)}\n`);

  const raw = path.join(assemblyDir, VALIDATION_REPORT_FILE);
  const kept = path.join(outDir, VALIDATION_REPORT_FILE);
  if (fs.existsSync(raw)) {
    // Moved, not copied: the CDK CLI prints every finding of a report it finds in the assembly, after and
    // apart from the gate's grouped summary (src/compliance/run-gate.ts).
    fs.renameSync(raw, kept);
  }
  if (fs.existsSync(kept)) files.push(kept);
  return { passed: model.passed, files, model };
}
