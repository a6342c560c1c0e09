import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DISABLED_GUARD_RULES } from './acknowledgements';
import { BackgroundCloudFormationValidate } from './background/background-cloudformation-validate';
import { StartBackgroundChecks } from './background/start-background-checks';
import { StrictCfnGuardValidator } from './control-tower/strict-guard-validator';
import { PlatformChecks } from './platform-checks';
export { GATE_PACKS } from './packs';
import { awsSolutionsFix, fixFromExplanation, PluginWithFixes } from './plugin-with-fixes';

/**
 * The compliance gate: every synth of the app runs these packs over every stack, including the stages
 * nested in the pipeline, and a finding nobody acknowledged fails the synth (src/compliance/run-gate.ts).
 */
export function enableComplianceGate(app: App): void {
  // AWS Control Tower proactive controls, evaluated offline by the cfn-guard binary the package ships.
  const controlTower = new StrictCfnGuardValidator({ disabledRules: DISABLED_GUARD_RULES.map((disabled) => disabled.rule) });
  // aws-cdk-lib's CloudFormation schema validation, which runs anyway, off the main thread.
  const cloudFormation = new BackgroundCloudFormationValidate();
  Validations.of(app).addPlugins(
    // The two that work in threads of their own start first and are collected last.
    new StartBackgroundChecks([controlTower, cloudFormation]),
    new PluginWithFixes(new AwsSolutionsChecks(app), awsSolutionsFix),
    // verbose: each rule's explanation, which ends with its fix.
    new PluginWithFixes(new PlatformChecks(app, { verbose: true }), fixFromExplanation),
    cloudFormation,
    controlTower,
  );
}
