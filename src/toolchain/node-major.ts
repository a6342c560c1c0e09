/**
 * The one Node.js major this project runs on, everywhere: engines and devEngines, `.nvmrc`, the workflows,
 * every CodeBuild project that runs node (`runtime-versions`), every Lambda function, and the app's base
 * image (container/Dockerfile). An LTS line; test/toolchain/node-major.test.ts fails when any of them differs.
 * See docs/adr/0004-one-node-major.md.
 */
export const NODE_MAJOR = 24;
