/**
 * The commands that install and build this project. The meta-pipeline's synth step and the GitHub build
 * workflow both run exactly these, so what CI proves is what the pipeline deploys.
 */
export const INSTALL_COMMANDS: readonly string[] = ['npm ci'];
/** Synthesis with the compliance gate, the tests and the lint: `npx projen build`. */
export const BUILD_COMMANDS: readonly string[] = ['npx projen build'];
/** Where the build leaves the compliance reports, beside the templates. */
export const COMPLIANCE_REPORT_DIRECTORY = 'cdk.out/compliance';
