import { CfnGuardValidator, type CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';

/**
 * CfnGuardValidator with every violation marked as an error.
 *
 * cfn-guard reports violations without a severity. Once anything in the app is acknowledged, aws-cdk-lib
 * decides each plugin's pass or fail again from the severities of what is left, and a plugin whose
 * remaining violations carry none passes: unacknowledged Control Tower findings would not fail the synth.
 */
export class StrictCfnGuardValidator implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly inner: CfnGuardValidator;

  public constructor(props: CfnGuardValidatorProps) {
    this.inner = new CfnGuardValidator(props);
    this.name = this.inner.name;
    this.version = this.inner.version;
    this.ruleIds = this.inner.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.inner.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity || 'error' })),
    };
  }
}
