import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyValidationStack } from 'aws-cdk-lib';
import { BackgroundPlugin } from './background/background-plugin';
import type { StartsEarly } from './background/start-background-checks';
import { mergeViolations } from './background/template-report-cache';

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
 * - each template is checked against only the rule files about resource types it contains. Every rule
 *   file names the types it checks, and cfn-guard checks each template on its own: a rule about a type
 *   the template lacks cannot find anything in it. cfn-guard's time grows with the number of rule files
 *   times the size of the templates. Evaluating every rule file took three times as long as the rule files
 *   about the types of all templates together (11.6 s against 3.7 s of CPU, the same findings); choosing
 *   them template by template took 2.85-3.0 s against 3.3-3.8 s for the example's six templates.
 */
export class StrictCfnGuardValidator implements IPolicyValidationPlugin, StartsEarly {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly disabledRules: readonly string[];
  private readonly ruleFiles: ReadonlyArray<{ file: string; types: readonly string[] }>;
  /** Runs started early, one per group of templates (see `start`). */
  private started?: ReadonlyArray<{ readonly key: string; readonly background: BackgroundPlugin }>;

  public constructor(props: StrictCfnGuardValidatorProps = {}) {
    const reference = new CfnGuardValidator({ controlTowerRulesEnabled: true, disabledRules: [...props.disabledRules ?? []] });
    this.name = reference.name;
    this.version = reference.version;
    this.ruleIds = reference.ruleIds;
    this.disabledRules = props.disabledRules ?? [];
    this.ruleFiles = guardFiles(CONTROL_TOWER_RULES)
      .filter((file) => !this.disabledRules.includes(path.parse(file).name))
      .map((file) => ({ file, types: [...new Set(readFileSync(file, 'utf8').match(RESOURCE_TYPE) ?? [])] }));
    // The worker thread starts loading now, while the app's constructs are built.
    new BackgroundPlugin(GUARD_SOURCE);
  }

  /**
   * Starts cfn-guard in a worker thread (see StartBackgroundChecks): one run for each group of templates
   * that need the same rule files.
   */
  public start(context: IPolicyValidationContext): void {
    this.started = this.groupsOf(context).map((group) => {
      const background = new BackgroundPlugin(GUARD_SOURCE);
      background.start(group.context, group.props);
      return { key: group.key, background };
    });
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const started = this.started;
    this.started = undefined;
    const reports = this.groupsOf(context).map((group) =>
      started?.find((run) => run.key === group.key)?.background.report(group.context.templatePaths)
        ?? new CfnGuardValidator(group.props).validate(group.context));
    return {
      success: reports.every((report) => report.success),
      pluginVersion: this.version,
      violations: mergeViolations(reports.map((report) => report.violations))
        .map((violation) => ({ ...violation, severity: violation.severity || 'error' })),
    };
  }

  /** The templates grouped by the rule files they need; a template no rule file concerns is in none. */
  private groupsOf(context: IPolicyValidationContext): GuardGroup[] {
    const groups = new Map<string, { rules: string[]; templatePaths: string[]; stackTemplates: PolicyValidationStack[] }>();
    for (const templatePath of context.templatePaths) {
      const present = new Set(Object.values<{ Type?: string }>(JSON.parse(readFileSync(templatePath, 'utf8')).Resources ?? {}).map((resource) => resource.Type));
      const rules = this.ruleFiles.filter((rule) => rule.types.some((type) => present.has(type))).map((rule) => rule.file);
      if (rules.length === 0) continue;
      const key = rules.join('\n');
      const group = groups.get(key) ?? { rules, templatePaths: [], stackTemplates: [] };
      group.templatePaths.push(templatePath);
      group.stackTemplates.push(...context.stackTemplates.filter((stack) => stack.templatePath === templatePath));
      groups.set(key, group);
    }
    return [...groups].map(([key, group]) => ({
      key,
      props: { controlTowerRulesEnabled: false, rules: group.rules },
      context: { ...context, templatePaths: group.templatePaths, stackTemplates: group.stackTemplates },
    }));
  }
}

interface GuardGroup {
  readonly key: string;
  readonly props: { readonly controlTowerRulesEnabled: false; readonly rules: string[] };
  readonly context: IPolicyValidationContext;
}

function guardFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return guardFiles(full);
    return entry.endsWith('.guard') ? [full] : [];
  });
}
