import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';

/** A plugin of the gate that can begin its work before aws-cdk-lib calls it. */
export interface StartsEarly {
  start(context: IPolicyValidationContext): void;
}

/**
 * The gate's first plugin: it finds nothing itself, it only hands the templates to the plugins that run in
 * worker threads, as soon as aws-cdk-lib has written them, so that they work while the in-process packs
 * (AwsSolutions, PlatformChecks) run. Each one then collects its own report when its turn comes.
 */
export class StartBackgroundChecks implements IPolicyValidationPlugin {
  public readonly name = 'StartBackgroundChecks';

  public constructor(private readonly plugins: readonly StartsEarly[]) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    for (const plugin of this.plugins) plugin.start(context);
    return { success: true, violations: [] };
  }
}
