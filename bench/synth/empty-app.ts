import { App } from 'aws-cdk-lib';

// The baseline: the same toolchain (CDK CLI, tsx, aws-cdk-lib load) synthesizing nothing.
new App().synth();
