import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Median wall time of `cdk synth` of the full app against an empty CDK app, through the same toolchain
 * (the CDK CLI running the app the way cdk.json says), measured in one run so the ratio holds on any machine.
 * The full app runs twice per round: cold, with the gate's report cache off (a fresh clone, or a pipeline
 * build without a cache), and warm, after a synth of the same templates (a developer's re-synth, where
 * only the templates that changed are validated again).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = path.join(__dirname, '..', '..');

function synthOnce(app: string, env: Record<string, string> = {}): number {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const result = spawnSync('npx', ['cdk', 'synth', '--no-lookups', '--quiet', '--app', app, '--output', outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
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

// The full app as `cdk synth` runs it (cdk.json's command), and the empty one through the same launcher.
const fullApp: string = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).app;
const apps = { empty: fullApp.replace('src/main.ts', 'bench/synth/empty-app.ts'), full: fullApp };
if (apps.empty === apps.full) throw new Error(`cdk.json's app no longer runs src/main.ts: ${fullApp}`);
const COLD = { PLATFORM_GATE_CACHE: 'off' };
synthOnce(apps.empty); // warm-up: npm/npx caches and the file system
synthOnce(apps.full); // and the gate's report cache, for the warm runs
const times = { empty: [] as number[], cold: [] as number[], warm: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  // Interleaved, so a slow moment of the machine hits every side alike.
  times.empty.push(synthOnce(apps.empty));
  times.cold.push(synthOnce(apps.full, COLD));
  times.warm.push(synthOnce(apps.full));
}
const empty = median(times.empty);
const row = (label: string, values: number[]) =>
  console.log(`  ${label.padEnd(26)}: ${median(values).toFixed(2)} s   ratio ${(median(values) / empty).toFixed(2)}   [${values.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`synth, median of ${RUNS} runs each (cdk CLI, cdk.json's launcher), ratio to the empty app:`);
row('empty app', times.empty);
row('full app, gate cache cold', times.cold);
row('full app, gate cache warm', times.warm);
