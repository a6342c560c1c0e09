import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyValidationStack, PolicyViolation } from 'aws-cdk-lib';
import { asciiRuleText } from './ascii-rule-text';
import { type GuardRuleFile, type GuardScope, writeGuardScopes } from './guard-scopes';
import { BackgroundPlugin, templateSetKey } from '../background/background-plugin';
import type { StartsEarly } from '../background/start-background-checks';
import { mergeViolations } from '../background/template-report-cache';

const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;
/** The package's version: its rules and its cfn-guard binary decide the findings. */
const GUARD_PACKAGE_VERSION: string = JSON.parse(readFileSync(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), 'utf8')).version;
const GUARD_SOURCE = { module: '@cdklabs/cdk-validator-cfnguard', exportName: 'CfnGuardValidator', version: GUARD_PACKAGE_VERSION };

export interface StrictCfnGuardValidatorProps {
  /** Control Tower rule files (ct-*.guard, by name without extension) not to run. */
  readonly disabledRules?: readonly string[];
}

/**
 * The AWS Control Tower proactive controls through cfn-guard, with two changes to CfnGuardValidator:
 *
 * - every violation is an error. cfn-guard reports none with a severity, and once anything in the app is
 *   acknowledged, aws-cdk-lib decides each plugin's pass or fail again from the severities left: unacknowledged
 *   Control Tower findings would not fail the synth.
 * - each rule file sees only what it can read (guard-scopes.ts): rule files naming the same resource types
 *   run together, on the templates cut down to the resources of those types and the resources they
 *   reference. cfn-guard's time grows with the number of rule files times the size of the templates.
 *   Measured on the example's six templates, CPU of cfn-guard and its caller: every rule file on every
 *   template 11.6 s; the rule files about the types of all templates together 3.7 s; those of each template
 *   on it 3.2-3.4 s; scoped like this 1.9-2.3 s. The findings are the same each time.
 * - where a scope's templates are ASCII throughout, its rule files run with ASCII classes in their regular
 *   expressions (ascii-rule-text.ts), which cfn-guard compiles much faster.
 */
export class StrictCfnGuardValidator implements IPolicyValidationPlugin, StartsEarly {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly ruleFiles: readonly GuardRuleFile[];
  /** Runs started early, one per scope, and the templates they were started for (see `start`). */
  private started?: Started;

  public constructor(props: StrictCfnGuardValidatorProps = {}) {
    const disabledRules = props.disabledRules ?? [];
    const reference = new CfnGuardValidator({ controlTowerRulesEnabled: true, disabledRules: [...disabledRules] });
    this.name = reference.name;
    this.version = reference.version;
    this.ruleIds = reference.ruleIds;
    this.ruleFiles = guardFiles(CONTROL_TOWER_RULES)
      .filter((file) => !disabledRules.includes(path.parse(file).name))
      .map((file) => {
        const text = readFileSync(file, 'utf8');
        return { file, types: [...new Set(text.match(RESOURCE_TYPE) ?? [])], asciiText: asciiRuleText(text) };
      });
    // The worker thread starts loading now, while the app's constructs are built.
    new BackgroundPlugin(GUARD_SOURCE);
  }

  /** Starts cfn-guard in a worker thread (see StartBackgroundChecks), one run per scope. */
  public start(context: IPolicyValidationContext): void {
    this.takeStarted();
    const { directory, scopes } = this.scopesOf(context.templatePaths);
    this.started = {
      templates: templateSetKey(context.templatePaths),
      directory,
      runs: scopes.map((scope) => {
        const background = new BackgroundPlugin(GUARD_SOURCE);
        // Kept under the Control Tower rule files, whichever texts of them run: both find the same.
        background.start(scopeContext(scope, context), guardProps(scope.runFiles), guardProps(scope.ruleFiles));
        return { scope, background };
      }),
    };
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const started = this.takeStarted(context.templatePaths);
    const { directory, runs } = started ?? this.inMainThread(context.templatePaths);
    try {
      const reports = runs.map(({ scope, background }) => {
        const scoped = scopeContext(scope, context);
        const report = background?.report(scoped.templatePaths) ?? new CfnGuardValidator(guardProps(scope.runFiles)).validate(scoped);
        return { ...report, violations: report.violations.map((violation) => fromScope(violation, scope)) };
      });
      return {
        success: reports.every((report) => report.success),
        pluginVersion: this.version,
        violations: mergeViolations(reports.map((report) => report.violations))
          .map((violation) => ({ ...violation, severity: violation.severity || 'error' })),
      };
    } finally {
      removeDirectory(directory);
    }
  }

  /**
   * The runs started for exactly these templates, if any. Runs started for others are collected and thrown
   * away first: their worker reads the cut-down templates until it has finished them.
   */
  private takeStarted(templatePaths?: readonly string[]): Started | undefined {
    const started = this.started;
    this.started = undefined;
    if (started && templatePaths && started.templates === templateSetKey(templatePaths)) return started;
    if (started) {
      for (const { scope, background } of started.runs) background.report([...scope.sources.keys()]);
      removeDirectory(started.directory);
    }
    return undefined;
  }

  private inMainThread(templatePaths: readonly string[]): { directory: string; runs: readonly GuardRun[] } {
    const { directory, scopes } = this.scopesOf(templatePaths);
    return { directory, runs: scopes.map((scope) => ({ scope })) };
  }

  /** The scopes of these templates, written into a folder of their own. */
  private scopesOf(templatePaths: readonly string[]): { directory: string; scopes: GuardScope[] } {
    // Canonical: cfn-guard names each template by its canonical path, which is how its findings are mapped back.
    const directory = realpathSync(mkdtempSync(path.join(tmpdir(), 'guard-scopes-')));
    scopeDirectories().add(directory);
    try {
      return { directory, scopes: writeGuardScopes(templatePaths, this.ruleFiles, directory) };
    } catch (error) {
      removeDirectory(directory);
      throw error;
    }
  }
}

/** One cfn-guard run: a scope, and the worker thread's run of it when it was started early. */
interface GuardRun {
  readonly scope: GuardScope;
  readonly background?: BackgroundPlugin;
}

interface Started {
  readonly templates: string;
  readonly directory: string;
  readonly runs: ReadonlyArray<Required<GuardRun>>;
}

/** Folders of scopes not removed yet: a synth that fails before `validate` leaves them to the process's exit. */
let scopeFolders: Set<string> | undefined;

function scopeDirectories(): Set<string> {
  if (!scopeFolders) {
    const folders = new Set<string>();
    process.once('exit', () => { for (const folder of folders) rmSync(folder, { recursive: true, force: true }); });
    scopeFolders = folders;
  }
  return scopeFolders;
}

function removeDirectory(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
  scopeDirectories().delete(directory);
}

/** CfnGuardValidator's props for these rule files alone: a scope's, or the texts that run for them. */
function guardProps(ruleFiles: readonly string[]): { controlTowerRulesEnabled: false; rules: string[] } {
  return { controlTowerRulesEnabled: false, rules: [...ruleFiles] };
}

/** The context of one scope: its cut-down templates, each standing for the stack of the template it came from. */
function scopeContext(scope: GuardScope, context: IPolicyValidationContext): IPolicyValidationContext {
  const stackTemplates: PolicyValidationStack[] = [];
  for (const [cut, source] of scope.sources) {
    for (const stack of context.stackTemplates) if (stack.templatePath === source) stackTemplates.push({ ...stack, templatePath: cut });
  }
  return { ...context, templatePaths: [...scope.sources.keys()], stackTemplates };
}

/**
 * A violation found in a scope, naming the templates its resources are in, not their cut-down copies. A
 * template the scope does not know would be reported under a path that is gone, where no acknowledgement
 * and no construct can be found for it: that fails the check instead.
 */
function fromScope(violation: PolicyViolation, scope: GuardScope): PolicyViolation {
  return {
    ...violation,
    violatingResources: violation.violatingResources.map((resource) => {
      const templatePath = resource.templatePath === undefined ? undefined : scope.sources.get(resource.templatePath);
      if (templatePath === undefined) {
        throw new Error(`cfn-guard reported ${violation.ruleName} in ${resource.templatePath ?? 'no template'}, which is none of the templates it was given`);
      }
      return { ...resource, templatePath };
    }),
  };
}

/** The rule files below `dir`, in code-unit order: the list is part of the cache's keys, the same on every machine. */
function guardFiles(dir: string): string[] {
  return readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return guardFiles(full);
    return entry.endsWith('.guard') ? [full] : [];
  });
}
