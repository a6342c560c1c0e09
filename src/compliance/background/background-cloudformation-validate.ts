import { readFileSync } from 'node:fs';
import { CloudFormationValidatePlugin, type IPolicyValidationContext, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { BackgroundPlugin } from './background-plugin';

/** aws-cdk-lib's version: its schemas and rules decide the findings. */
const AWS_CDK_LIB_VERSION: string = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
import type { StartsEarly } from './start-background-checks';

/**
 * aws-cdk-lib's own CloudFormation validation (schemas and default rules), which every synthesis runs, in a
 * worker thread: an instance of its plugin class registered on the app replaces the default one, and this
 * one does the same work, with the same default rules, beside the gate's other packs instead of after them.
 */
export class BackgroundCloudFormationValidate extends CloudFormationValidatePlugin implements StartsEarly {
  private readonly background = new BackgroundPlugin({ module: 'aws-cdk-lib', exportName: 'CloudFormationValidatePlugin', version: AWS_CDK_LIB_VERSION });

  public start(context: IPolicyValidationContext): void {
    this.background.start(context);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.background.report(context.templatePaths) ?? super.validate(context);
  }
}
