import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { readJsonFile } from './read-json';
import type { SourceLocation } from './stack-trace';

/**
 * Where each acknowledgement of the gate is declared: the entry in src/compliance/acknowledgements.ts, not
 * the loop that applies them all (which is all aws-cdk-lib's recorded stack trace can show). The synth
 * writes it beside the reports; the report command reads it back, so a rewrite from cdk.out names the same lines.
 */
export const ACKNOWLEDGEMENT_SOURCES_FILE = 'acknowledgement-sources.json';

const entry = z.object({ id: z.string(), at: z.string(), file: z.string(), line: z.number().int().positive() });
export type AcknowledgementSourceEntry = z.infer<typeof entry>;

/** Declared locations by acknowledgement id and the construct path it was applied at. */
export class AcknowledgementSources {
  public static read(complianceDir: string): AcknowledgementSources {
    const file = path.join(complianceDir, ACKNOWLEDGEMENT_SOURCES_FILE);
    return new AcknowledgementSources(fs.existsSync(file) ? readJsonFile(file, z.array(entry), 'a list of acknowledgement sources') : []);
  }

  public static write(complianceDir: string, entries: readonly AcknowledgementSourceEntry[]): string {
    fs.mkdirSync(complianceDir, { recursive: true });
    const file = path.join(complianceDir, ACKNOWLEDGEMENT_SOURCES_FILE);
    const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
    fs.writeFileSync(file, `${JSON.stringify(sorted, undefined, 2)}\n`);
    return file;
  }

  private readonly byKey: ReadonlyMap<string, SourceLocation>;

  private constructor(entries: readonly AcknowledgementSourceEntry[]) {
    this.byKey = new Map(entries.map((e) => [keyOf(e.id, e.at), { file: e.file, line: e.line, column: 1 }]));
  }

  public of(id: string, at: string): SourceLocation | undefined {
    return this.byKey.get(keyOf(id, at));
  }

  /** True when the platform declared it; false for an acknowledgement a library construct made itself. */
  public declared(id: string, at: string): boolean {
    return this.byKey.has(keyOf(id, at));
  }

  public get empty(): boolean {
    return this.byKey.size === 0;
  }
}

function keyOf(id: string, at: string): string {
  return `${id}\u0000${at}`;
}
