import { App, Stack } from 'aws-cdk-lib';
import { ReportInputError } from './compliance/report/input-error';
import { synthesizeWithGate } from './compliance/run-gate';
import { chooseConfigSource, ConfigError, describeConfigSource, loadConfig } from './config';
import { buildPlatform } from './platform-app';

/**
 * The CDK app. The only place that reads the environment or CDK context: the configuration comes from
 * `-c config=<file>`, else PLATFORM_CONFIG=<file>, else the committed config/platform.yaml (or .yml,
 * .json), else the example. It runs from the repository root, as `cdk` and the meta-pipeline run it.
 */
function main(): void {
  const app = new App();
  const root = process.cwd();
  try {
    const source = chooseConfigSource({ root, context: app.node.tryGetContext('config'), environment: process.env.PLATFORM_CONFIG });
    console.error(describeConfigSource(source));
    const config = loadConfig(source, root);
    const started = Date.now();
    // Said before the work starts: building the stages synthesizes them, most of the wait.
    console.error('Synthesizing every stack and checking it against AwsSolutions, PlatformChecks and the AWS Control Tower rules…');
    // A committed config/platform.yaml is found by the pipeline's synth as it is here; a file named by -c or
    // PLATFORM_CONFIG is passed on to it.
    buildPlatform(app, config, { configFile: source.kind === 'file' && source.chosenBy !== 'convention' ? source.file : undefined });
    const stacks = app.node.findAll().filter(Stack.isStack).length;
    const gate = synthesizeWithGate(app);
    console.error(`${gate.summary} (${stacks} stacks, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (!gate.passed) process.exitCode = 1;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ReportInputError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

main();
