import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { BackgroundPlugin } from './background/background-plugin';
import type { StartsEarly } from './background/start-background-checks';

const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;
/** The package's version: its rules and its cfn-guard binary decide the findings. */
const GUARD_PACKAGE_VERSION: string = JSON.parse(readFileSync(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), 'utf8')).version;

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
 * - only the rule files about resource types the templates contain are run. Every rule file names the
 *   types it checks; a rule about a type that is absent cannot find anything, and evaluating all of them
 *   took three times as long (measured: 11.6 s against 3.7 s of CPU, the same findings).
 */
export class StrictCfnGuardValidator implements IPolicyValidationPlugin, StartsEarly {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly disabledRules: readonly string[];
  private readonly ruleFiles: ReadonlyArray<{ file: string; types: readonly string[] }>;
  private readonly background = new BackgroundPlugin({ module: '@cdklabs/cdk-validator-cfnguard', exportName: 'CfnGuardValidator', version: GUARD_PACKAGE_VERSION });

  public constructor(props: StrictCfnGuardValidatorProps = {}) {
    const reference = new CfnGuardValidator({ controlTowerRulesEnabled: true, disabledRules: [...props.disabledRules ?? []] });
    this.name = reference.name;
    this.version = reference.version;
    this.ruleIds = reference.ruleIds;
    this.disabledRules = props.disabledRules ?? [];
    this.ruleFiles = guardFiles(CONTROL_TOWER_RULES)
      .filter((file) => !this.disabledRules.includes(path.parse(file).name))
      .map((file) => ({ file, types: [...new Set(readFileSync(file, 'utf8').match(RESOURCE_TYPE) ?? [])] }));
  }

  /** Starts cfn-guard in a worker thread on the rule files that concern these templates (see StartBackgroundChecks). */
  public start(context: IPolicyValidationContext): void {
    this.background.start(context, this.guardProps(context.templatePaths));
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const props = this.guardProps(context.templatePaths);
    if (props.rules.length === 0) return { success: true, violations: [] };
    const report = this.background.report(context.templatePaths) ?? new CfnGuardValidator(props).validate(context);
    return {
      ...report,
      pluginVersion: this.version,
      violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity || 'error' })),
    };
  }

  private guardProps(templatePaths: readonly string[]): { controlTowerRulesEnabled: false; rules: string[] } {
    const present = new Set(templatePaths.flatMap((template) =>
      Object.values<{ Type?: string }>(JSON.parse(readFileSync(template, 'utf8')).Resources ?? {}).map((resource) => resource.Type)));
    const rules = this.ruleFiles.filter((rule) => rule.types.some((type) => present.has(type))).map((rule) => rule.file);
    return { controlTowerRulesEnabled: false, rules };
  }
}

function guardFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return guardFiles(full);
    return entry.endsWith('.guard') ? [full] : [];
  });
}
