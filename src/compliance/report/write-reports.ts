import * as fs from 'fs';
import * as path from 'path';
import { LoadOptions, loadComplianceModel } from './load-model';
import { renderMarkdown } from './markdown';
import { ComplianceModel } from './model';
import { renderSarif, SarifOptions } from './sarif';
import { VALIDATION_REPORT_FILE } from './validation-report';

export const COMPLIANCE_DIR = 'compliance';

export interface WriteReportsResult {
  readonly passed: boolean;
  /** The files written, under `<assemblyDir>/compliance/`. */
  readonly files: string[];
  readonly model: ComplianceModel;
}

/**
 * Writes report.md, report.sarif and a copy of the raw validation report to
 * `<assemblyDir>/compliance/`. Throws ReportInputError when there is no
 * assembly or the report cannot be read; findings never make it throw.
 */
export function writeComplianceReports(assemblyDir: string, options: LoadOptions & SarifOptions = {}): WriteReportsResult {
  const model = loadComplianceModel(assemblyDir, options);
  const outDir = path.join(assemblyDir, COMPLIANCE_DIR);
  fs.mkdirSync(outDir, { recursive: true });

  const files = [path.join(outDir, 'report.md'), path.join(outDir, 'report.sarif')];
  fs.writeFileSync(files[0], renderMarkdown(model));
  fs.writeFileSync(files[1], `${JSON.stringify(renderSarif(model, options), undefined, 2)}\n`);

  const raw = path.join(assemblyDir, VALIDATION_REPORT_FILE);
  const copy = path.join(outDir, VALIDATION_REPORT_FILE);
  if (fs.existsSync(raw)) {
    fs.copyFileSync(raw, copy);
    files.push(copy);
  } else {
    // A copy left by an earlier synth would contradict the reports just written.
    fs.rmSync(copy, { force: true });
  }
  return { passed: model.passed, files, model };
}
