import * as fs from 'fs';
import * as path from 'path';

/**
 * Finds the line a resource starts on in a synthesized template, so code
 * scanning can point into the template when no project source line is known.
 * Caches each template's lines; a missing template just yields no line.
 */
export class TemplateLines {
  private readonly cache = new Map<string, readonly string[]>();

  constructor(private readonly assemblyDir: string) {}

  public lineOf(templatePath: string, logicalId: string): number | undefined {
    const lines = this.linesOf(templatePath);
    const resourcesStart = lines.findIndex(l => /^\s*"Resources"\s*:/.test(l));
    if (resourcesStart < 0) {
      return undefined;
    }
    const key = `${JSON.stringify(logicalId)}:`;
    const index = lines.findIndex((l, i) => i > resourcesStart && l.trimStart().startsWith(key));
    return index < 0 ? undefined : index + 1;
  }

  private linesOf(templatePath: string): readonly string[] {
    let lines = this.cache.get(templatePath);
    if (!lines) {
      const file = path.join(this.assemblyDir, templatePath);
      lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
      this.cache.set(templatePath, lines);
    }
    return lines;
  }
}
