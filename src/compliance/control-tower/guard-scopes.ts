import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** A Control Tower rule file and the resource types it names. */
export interface GuardRuleFile {
  readonly file: string;
  readonly types: readonly string[];
  /** Its text for templates of ASCII characters only, where that is faster to run (ascii-rule-text.ts). */
  readonly asciiText?: string;
}

/**
 * One cfn-guard run: the rule files that name the same resource types among those the templates hold,
 * and each template that holds any of them, cut down to what those rule files can read.
 */
export interface GuardScope {
  /** The Control Tower rule files: what the scope's findings are the findings of. */
  readonly ruleFiles: readonly string[];
  /**
   * What cfn-guard runs to find them: the rule files, each replaced by its ASCII text where it has one and
   * every cut-down template of the scope is ASCII throughout.
   */
  readonly runFiles: readonly string[];
  /** Each cut-down template, by its path, with the path of the template it was cut from. */
  readonly sources: ReadonlyMap<string, string>;
}

interface Template {
  readonly Resources?: Record<string, { readonly Type?: string }>;
  readonly [section: string]: unknown;
}

/**
 * Writes into `directory` the cut-down templates of each scope, and returns the scopes.
 *
 * cfn-guard's time grows with the number of rule files times the size of the templates it is given: it
 * evaluates every rule file against the whole template. A Control Tower rule file reads a template's
 * resources only through selections by types it names, and looks another resource up only by the logical
 * id in a `Ref` or `Fn::GetAtt` of one it selected, to check that it exists (and often, its type).
 * test/compliance/control-tower/strict-guard-validator.test.ts checks both against every rule file. So a
 * rule file finds in a template exactly what it finds in the template's other sections, the resources of
 * its types and the resources those reference; the cut keeps references of references too.
 */
export function writeGuardScopes(templatePaths: readonly string[], ruleFiles: readonly GuardRuleFile[], directory: string): GuardScope[] {
  const templates = templatePaths.map((templatePath) => ({ templatePath, template: JSON.parse(readFileSync(templatePath, 'utf8')) as Template }));
  const present = new Set(templates.flatMap(({ template }) => Object.values(template.Resources ?? {}).map((resource) => resource.Type)));
  // Rule files naming the same types among those present read the same resources: one run serves them all.
  const byTypes = new Map<string, { types: Set<string>; ruleFiles: string[] }>();
  for (const rule of ruleFiles) {
    const types = [...new Set(rule.types.filter((type) => present.has(type)))].sort();
    if (types.length === 0) continue;
    const id = types.join(' ');
    const group = byTypes.get(id) ?? { types: new Set(types), ruleFiles: [] };
    group.ruleFiles.push(rule.file);
    byTypes.set(id, group);
  }
  const asciiFiles = new AsciiRuleFiles(ruleFiles, path.join(directory, 'ascii-rules'));
  return [...byTypes.values()].map((group, index) => {
    const sources = new Map<string, string>();
    let ascii = true;
    templates.forEach(({ templatePath, template }, templateIndex) => {
      const resources = template.Resources ?? {};
      const selected = Object.keys(resources).filter((id) => group.types.has(resources[id].Type ?? ''));
      if (selected.length === 0) return;
      const kept = withReferencedResources(selected, resources);
      const cut = path.join(directory, `${index}-${templateIndex}-${path.basename(templatePath)}`);
      const text = JSON.stringify({ ...template, Resources: Object.fromEntries(Object.entries(resources).filter(([id]) => kept.has(id))) });
      ascii &&= !NOT_ASCII.test(text);
      writeFileSync(cut, text);
      sources.set(cut, templatePath);
    });
    return { ruleFiles: group.ruleFiles, runFiles: ascii ? group.ruleFiles.map((file) => asciiFiles.pathOf(file)) : group.ruleFiles, sources };
  }).filter((scope) => scope.sources.size > 0);
}

const NOT_ASCII = /[^\x00-\x7f]/;

/** The ASCII texts of rule files, each written into `directory` the first time a scope runs it. */
class AsciiRuleFiles {
  private readonly texts: ReadonlyMap<string, string>;
  private readonly written = new Map<string, string>();

  public constructor(ruleFiles: readonly GuardRuleFile[], private readonly directory: string) {
    this.texts = new Map(ruleFiles.flatMap((rule) => (rule.asciiText === undefined ? [] : [[rule.file, rule.asciiText]])));
  }

  /** The file that runs in place of `file` on ASCII templates: its ASCII text, or itself. */
  public pathOf(file: string): string {
    const text = this.texts.get(file);
    if (text === undefined) return file;
    let written = this.written.get(file);
    if (written === undefined) {
      mkdirSync(this.directory, { recursive: true });
      // Numbered: rule files of different folders may share a name.
      written = path.join(this.directory, `${this.written.size}-${path.basename(file)}`);
      writeFileSync(written, text);
      this.written.set(file, written);
    }
    return written;
  }
}

/**
 * The resources and every resource they reference, directly or through others: a rule reads one hop today,
 * and a closure costs little more than that.
 */
function withReferencedResources(selected: readonly string[], resources: NonNullable<Template['Resources']>): Set<string> {
  const kept = new Set(selected);
  const pending = [...selected];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    for (const target of referencedResources(resources[id])) {
      if (target in resources && !kept.has(target)) {
        kept.add(target);
        pending.push(target);
      }
    }
  }
  return kept;
}

/** The logical ids a resource names in a `Ref` or an `Fn::GetAtt`, anywhere in it. */
function referencedResources(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedResources(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : typeof inner === 'string' ? inner.split('.')[0] : undefined;
        if (typeof target === 'string') found.add(target);
      }
      referencedResources(inner, found);
    }
  }
  return found;
}
