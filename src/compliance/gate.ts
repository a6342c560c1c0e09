import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DISABLED_GUARD_RULES } from './acknowledgements';
import { PlatformChecks } from './platform-checks';
import { StrictCfnGuardValidator } from './strict-guard-validator';

/**
 * The compliance gate: every synth of the app runs these packs over every stack, including the stages
 * nested in the pipeline, and a finding nobody acknowledged fails the synth.
 */
export function enableComplianceGate(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    // verbose: a failed synth prints each rule's explanation, which ends with the fix.
    new PlatformChecks(app, { verbose: true }),
    // AWS Control Tower proactive controls, evaluated offline by the cfn-guard binary the package ships.
    new StrictCfnGuardValidator({ disabledRules: DISABLED_GUARD_RULES.map((disabled) => disabled.rule) }),
  );
}
