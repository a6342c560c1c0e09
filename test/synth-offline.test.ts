import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { recordedMainCommand } from './support/main-command';
import { exampleSynth, type SynthesizedPlatform } from './support/synth-app';

function templatesUnder(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      if (entry.startsWith('assembly-')) for (const [name, text] of templatesUnder(full)) found.set(`${entry}/${name}`, text);
    } else if (entry.endsWith('.template.json')) {
      found.set(entry, readFileSync(full, 'utf8'));
    }
  }
  return found;
}

describe('synthesis is offline and deterministic', () => {
  let first: SynthesizedPlatform;
  let mainCommandOutdir: string;
  beforeAll(() => {
    first = exampleSynth();
    // The same configuration through the README's main command, in a user's workspace (test/e2e).
    mainCommandOutdir = path.join(recordedMainCommand().workspace, 'cdk.out');
  });

  test('two synths of the same commit write byte-identical templates, through the CDK CLI and in a test alike', () => {
    const a = templatesUnder(first.outdir);
    const b = templatesUnder(mainCommandOutdir);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBeGreaterThanOrEqual(5);
    for (const [name, text] of a) expect({ name, same: b.get(name) === text }).toEqual({ name, same: true });
  });

  test('no stack needs a context lookup (which would call AWS at synth)', () => {
    const assemblies = [first.assembly, ...first.assembly.nestedAssemblies.map((nested) => nested.nestedAssembly)];
    // The pipeline, the release, dev, prod, and the app pipeline.
    expect(assemblies.length).toBe(5);
    const missing = assemblies.flatMap((assembly) => assembly.manifest.missing ?? []);
    expect(missing).toEqual([]);
  });

  test('the compliance gate passed: the report has no unacknowledged violation', () => {
    // The gate keeps the raw report beside its own (src/compliance/run-gate.ts).
    const reportFile = path.join(first.outdir, 'compliance', 'validation-report.json');
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const violations = report.pluginReports.flatMap((plugin: any) => plugin.violations);
    expect(report.pluginReports.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });
});
