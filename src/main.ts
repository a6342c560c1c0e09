import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { writeComplianceReports } from './compliance/report/write-reports';
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
    writeComplianceReports(app.outdir);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    if (error instanceof Error && error.name === 'ValidationFailed') {
      // The reports matter most when the gate failed.
      writeComplianceReports(app.outdir);
      console.error('Compliance gate failed: fix the findings above (each names its rule, resource path and fix; '
        + `${path.join(app.outdir, 'compliance', 'report.md')} lists them), or acknowledge one with a specific reason in src/compliance/acknowledgements.ts.`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

main();
