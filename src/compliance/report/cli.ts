/*
 * `compliance:report`: rewrites cdk.out/compliance/ from an existing assembly.
 * Usage: tsx src/compliance/report/cli.ts <assembly dir> [--fail-on-findings]
 *
 * Exits 0 on findings (synth is the gate) unless --fail-on-findings is given,
 * then 2 when the report fails; exits 1 with a one-line message when the
 * assembly or report is missing, empty or unreadable: then nothing was checked.
 */
import * as path from 'path';
import { GATE_PACKS } from '../packs';
import { ReportInputError } from './input-error';
import { isBlocking } from './model';
import { writeComplianceReports } from './write-reports';

function main(args: readonly string[]): number {
  const failOnFindings = args.includes('--fail-on-findings');
  const positional = args.filter(a => !a.startsWith('--'));
  if (positional.length !== 1) {
    console.error('usage: cli.ts <cloud assembly dir> [--fail-on-findings]');
    return 1;
  }
  const { passed, files, model } = writeComplianceReports(positional[0], { packs: GATE_PACKS });
  const open = model.findings.filter(f => !f.acknowledged);
  const acknowledged = model.findings.length - open.length;
  const blocking = open.filter(isBlocking).length;
  const detail = `${open.length} to fix (${blocking} blocking), ${acknowledged} acknowledged, ${model.plugins.length} pack(s)`;
  console.log(`compliance: ${passed ? 'PASS' : 'FAIL'}: ${detail}`);
  for (const file of files) {
    console.log(`  ${path.relative(process.cwd(), file)}`);
  }
  return failOnFindings && !passed ? 2 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  const message = e instanceof ReportInputError ? e.message : `unexpected error: ${(e as Error).message}`;
  console.error(`compliance:report: ${message}`);
  process.exitCode = 1;
}
