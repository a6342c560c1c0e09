import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationValidatePlugin, type IPolicyValidationContext, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { BackgroundPlugin } from './background-plugin';
import type { StartsEarly } from './start-background-checks';

const AWS_CDK_LIB_PACKAGE = require.resolve('aws-cdk-lib/package.json');
/** aws-cdk-lib's version: its schemas and rules decide the findings. */
const AWS_CDK_LIB_VERSION: string = JSON.parse(readFileSync(AWS_CDK_LIB_PACKAGE, 'utf8')).version;
/** The validation engine aws-cdk-lib depends on, by its package: the version its plugin reports. */
export const VALIDATOR_VERSION: string = JSON.parse(readFileSync(
  require.resolve('@aws/cloudformation-validate/package.json', { paths: [path.dirname(AWS_CDK_LIB_PACKAGE)] }),
  'utf8',
)).version;

/**
 * aws-cdk-lib's own CloudFormation validation (schemas and default rules), which every synthesis runs, in a
 * worker thread: an instance of its plugin class registered on the app replaces the default one, and this
 * one does the same work, with the same default rules, beside the gate's other packs instead of after them.
 */
export class BackgroundCloudFormationValidate extends CloudFormationValidatePlugin implements StartsEarly {
  private readonly background = new BackgroundPlugin({ module: 'aws-cdk-lib', exportName: 'CloudFormationValidatePlugin', version: AWS_CDK_LIB_VERSION });

  /**
   * The engine's version, as the plugin reports it, without asking the engine: that would load its 9 MB
   * WebAssembly module in the main thread (0.2 s), where nothing else needs it.
   */
  public get version(): string {
    return VALIDATOR_VERSION;
  }

  public get ruleIds(): string[] {
    return [VALIDATOR_VERSION];
  }

  public start(context: IPolicyValidationContext): void {
    this.background.start(context);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.background.report(context.templatePaths) ?? super.validate(context);
  }
}
