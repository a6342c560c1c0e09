import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from './config';
import { buildPlatform } from './platform-app';

/**
 * The CDK app. The only place that reads the environment or CDK context:
 * the configuration file comes from `-c config=<file>` or PLATFORM_CONFIG=<file>; neither: the example.
 */
function main(): void {
  const app = new App();
  const file: string | undefined = app.node.tryGetContext('config') ?? process.env.PLATFORM_CONFIG;
  try {
    const config = loadConfig(file);
    buildPlatform(app, config, { configFile: file ? path.relative(process.cwd(), path.resolve(file)) : undefined });
    app.synth();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    if (error instanceof Error && error.name === 'ValidationFailed') {
      console.error(`Compliance gate failed: ${error.message}\nFix the findings above (rule, resource path and fix are listed), or acknowledge one with a reason in src/compliance/acknowledgements.ts.`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

main();
