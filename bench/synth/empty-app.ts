import { App, Stack } from 'aws-cdk-lib';

// The baseline: the same toolchain (CDK CLI, tsx, aws-cdk-lib load) synthesizing one empty stack;
// the CLI refuses an app with no stack at all.
const app = new App();
new Stack(app, 'Empty');
app.synth();
