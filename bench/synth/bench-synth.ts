import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Median wall time of `cdk synth` of the full app against an empty CDK app, through the same toolchain
 * (the CDK CLI running the app with tsx), measured in one run so the ratio holds on any machine.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = path.join(__dirname, '..', '..');

function synthOnce(app: string): number {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const result = spawnSync('npx', ['cdk', 'synth', '--no-lookups', '--quiet', '--app', app, '--output', outdir], { cwd: ROOT, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`cdk synth --app "${app}" failed:\n${result.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const apps = { empty: 'npx tsx bench/synth/empty-app.ts', full: 'npx tsx src/main.ts' };
synthOnce(apps.empty); // warm-up: npm/npx caches and the file system
const times: Record<keyof typeof apps, number[]> = { empty: [], full: [] };
for (let run = 0; run < RUNS; run++) {
  // Interleaved, so a slow moment of the machine hits both sides alike.
  times.empty.push(synthOnce(apps.empty));
  times.full.push(synthOnce(apps.full));
}
const empty = median(times.empty);
const full = median(times.full);
console.log(`synth, median of ${RUNS} runs each (cdk CLI + tsx):`);
console.log(`  empty app : ${empty.toFixed(2)} s   [${times.empty.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`  full app  : ${full.toFixed(2)} s   [${times.full.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`  ratio full/empty: ${(full / empty).toFixed(2)}`);
