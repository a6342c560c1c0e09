import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PolicyValidationPluginReport, PolicyValidationStack, PolicyViolation } from 'aws-cdk-lib';

/**
 * Where the gate keeps the findings of templates it checked, relative to the repository's root: in
 * node_modules/.cache, where tools keep such caches, and which a fresh `npm ci` empties. CI restores it
 * after `npm ci` (.github/workflows/build.yml).
 */
export const GATE_CACHE_DIRECTORY = 'node_modules/.cache/fargate-delivery-platform/gate';

/** The sources that decide what is kept and how: a change to them makes every earlier finding a stranger. */
export const GATE_CACHE_SOURCES = ['src/compliance/background', 'src/compliance/control-tower'];

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

let gateSourcesDigest: string | null | undefined;

/** The TypeScript and JavaScript files of a source: itself, or those below it. */
function sourceFiles(full: string): string[] {
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { withFileTypes: true })
    // By code unit, not by locale: the same sources give the same digest on every machine.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const child = path.join(full, entry.name);
      if (entry.isDirectory()) return sourceFiles(child);
      return entry.isFile() && /\.[cm]?[jt]s$/.test(entry.name) ? [child] : [];
    });
}

/**
 * One digest of GATE_CACHE_SOURCES, read once per process; null when they cannot be read, and then
 * nothing is cached: a cache that cannot tell which code wrote an entry must not answer at all.
 */
function digestOfGateSources(): string | null {
  if (gateSourcesDigest === undefined) {
    try {
      const hash = createHash('sha256');
      for (const file of GATE_CACHE_SOURCES.flatMap((source) => sourceFiles(path.join(REPOSITORY_ROOT, source)))) {
        hash.update(path.relative(REPOSITORY_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
      }
      gateSourcesDigest = hash.digest('hex');
    } catch {
      gateSourcesDigest = null;
    }
  }
  return gateSourcesDigest;
}

/**
 * `text` with the repository's root taken out of every path in it, so that a checkout elsewhere yields the
 * same text. The root becomes a NUL character, which no JSON text (the plugins' props) holds unescaped.
 */
export function withoutRepositoryRoot(text: string): string {
  return text.split(REPOSITORY_ROOT + path.sep).join('\0' + path.sep);
}

/**
 * The findings of a plugin for one template, kept under a key that covers everything they depend on: the
 * plugin, its version and props, the template's bytes and the stack's path, account and region. The same
 * template is then checked once, however many syntheses meet it: the build's synth and the tests' read the
 * example's, and stages of several test configurations are byte-identical.
 *
 * The key covers the gate's own code too (GATE_CACHE_SOURCES), and names files of the repository by their
 * path in it, so that a checkout elsewhere (another CI runner) finds the same keys. Reading an entry
 * touches it: a build can tell the entries it used from the ones it did not.
 *
 * It lives in GATE_CACHE_DIRECTORY; PLATFORM_GATE_CACHE=off turns it off.
 */
export class TemplateReportCache {
  public static forPlugin(identity: string, directory = path.join(REPOSITORY_ROOT, ...GATE_CACHE_DIRECTORY.split('/'))): TemplateReportCache | undefined {
    if (process.env.PLATFORM_GATE_CACHE === 'off') return undefined;
    const gateSources = digestOfGateSources();
    if (gateSources === null) return undefined;
    return new TemplateReportCache(directory, `${gateSources}\0${withoutRepositoryRoot(identity)}`);
  }

  private constructor(private readonly directory: string, private readonly identity: string) {}

  public keyOf(stack: PolicyValidationStack): string {
    return createHash('sha256')
      .update(this.identity).update('\0')
      .update(`${stack.stackConstructPath}\0${stack.accountId ?? ''}\0${stack.region ?? ''}\0`)
      .update(readFileSync(stack.templatePath))
      .digest('hex');
  }

  /** The violations stored for this key, with the template's path put back in; undefined when not stored. */
  public read(key: string, templatePath: string): PolicyViolation[] | undefined {
    let stored: string;
    try {
      stored = readFileSync(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(this.file(key), now, now);
    } catch {
      // A cache that cannot be touched still answers; only pruning it would drop this entry.
    }
    return (JSON.parse(stored) as PolicyViolation[]).map((violation) => ({
      ...violation,
      violatingResources: violation.violatingResources.map((resource) => ({ ...resource, templatePath })),
    }));
  }

  /** Stores the violations of one template; written whole and renamed, so a reader never sees half a file. */
  public write(key: string, violations: readonly PolicyViolation[]): void {
    mkdirSync(this.directory, { recursive: true });
    const file = this.file(key);
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(partial, JSON.stringify(violations.map((violation) => ({
      ...violation,
      violatingResources: violation.violatingResources.map((resource) => ({ ...resource, templatePath: '' })),
    }))));
    renameSync(partial, file);
  }

  private file(key: string): string {
    return path.join(this.directory, `${key}.json`);
  }
}

/**
 * A report's violations, one list per template they name; undefined when a violation names none of these
 * templates (nothing is stored then: a finding that cannot be told apart by template must not be lost).
 */
export function violationsByTemplate(
  report: PolicyValidationPluginReport,
  templatePaths: readonly string[],
): Map<string, PolicyViolation[]> | undefined {
  const byTemplate = new Map<string, PolicyViolation[]>(templatePaths.map((templatePath) => [templatePath, []]));
  for (const violation of report.violations) {
    const named = new Set(violation.violatingResources.map((resource) => resource.templatePath));
    if (named.size === 0) return undefined;
    for (const templatePath of named) {
      const list = templatePath === undefined ? undefined : byTemplate.get(templatePath);
      if (!list) return undefined;
      list.push({ ...violation, violatingResources: violation.violatingResources.filter((resource) => resource.templatePath === templatePath) });
    }
  }
  return byTemplate;
}

/** One violation per rule again, with the resources of every template it was found in. */
export function mergeViolations(lists: ReadonlyArray<readonly PolicyViolation[]>): PolicyViolation[] {
  const merged = new Map<string, PolicyViolation>();
  for (const violation of lists.flat()) {
    const key = JSON.stringify([violation.ruleName, violation.description, violation.fix, violation.severity]);
    const existing = merged.get(key);
    merged.set(key, existing ? { ...existing, violatingResources: [...existing.violatingResources, ...violation.violatingResources] } : violation);
  }
  return [...merged.values()];
}
