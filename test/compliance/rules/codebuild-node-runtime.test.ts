import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { findingsOf, newStack } from './run-pack';
import { NODE_MAJOR } from '../../../src/toolchain/node-major';

const RULE = 'CodeBuildNodeRuntime';

/** A bare project whose `Source` is exactly `source`, as CDK Pipelines or a hand-written template would set it. */
function projectWithSource(stack: Stack, source: codebuild.CfnProject.SourceProperty): void {
  new codebuild.CfnProject(stack, 'Project', {
    source,
    artifacts: { type: 'CODEPIPELINE' },
    environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
    serviceRole: 'arn:aws:iam::123456789012:role/build',
  });
}

function projectRunning(spec: Record<string, unknown>, stack: Stack = newStack()): Stack {
  new codebuild.Project(stack, 'Project', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', ...spec }) });
  return stack;
}

describe(`PlatformChecks-${RULE}`, () => {
  test('a spec that runs npm without runtime-versions fails: the image would pick its own default Node', () => {
    const stack = projectRunning({ phases: { install: { commands: ['npm ci'] }, build: { commands: ['npx projen build'] } } });
    expect(findingsOf(stack, RULE)).toEqual([`PlatformChecks-${RULE}[RuntimeVersions::missing]`]);
  });

  test.each([[NODE_MAJOR], [String(NODE_MAJOR)], [`${NODE_MAJOR}.x`]])('runtime-versions nodejs %p passes', (nodejs) => {
    const stack = projectRunning({ phases: { install: { 'runtime-versions': { nodejs }, 'commands': ['npm ci'] } } });
    expect(findingsOf(stack, RULE)).toEqual([]);
  });

  test.each([[18], ['20'], ['latest'], [NODE_MAJOR + 2]])('another Node (%p) fails, naming what it selects', (nodejs) => {
    const stack = projectRunning({ phases: { install: { 'runtime-versions': { nodejs } }, build: { commands: ['node -e "1"'] } } });
    expect(findingsOf(stack, RULE)).toEqual([`PlatformChecks-${RULE}[RuntimeVersions::${nodejs}]`]);
  });

  test.each([
    ['a finally block', { build: { commands: ['echo hi'], finally: ['npm run report'] } }],
    ['a command chained after another', { build: { commands: ['cd app && npm test'] } }],
    ['a global install', { install: { commands: ['npm install -g aws-cdk@2'] } }],
  ])('node is noticed in %s', (_, phases) => {
    expect(findingsOf(projectRunning({ phases }), RULE)).toEqual([`PlatformChecks-${RULE}[RuntimeVersions::missing]`]);
  });

  test('a spec that never runs node is not judged, however its words look', () => {
    const stack = projectRunning({ phases: { build: { commands: ['docker build --tag nodejs-app .', 'echo "npm-style" > notes'] } } });
    expect(findingsOf(stack, RULE)).toEqual([]);
  });

  test('a spec too large to inline is read from its file in the assembly', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'node-runtime-'));
    const stack = new Stack(new App({ outdir, builtinCloudFormationValidation: false }), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
    projectWithSource(stack, { type: 'CODEPIPELINE', buildSpec: 'buildspec-assets.yaml' });
    writeFileSync(path.join(outdir, 'buildspec-assets.yaml'), 'version: 0.2\nphases:\n  install:\n    commands: [npm install -g cdk-assets]\n');
    expect(findingsOf(stack, RULE)).toEqual([`PlatformChecks-${RULE}[RuntimeVersions::missing]`]);

    writeFileSync(path.join(outdir, 'buildspec-assets.yaml'), `version: 0.2\nphases:\n  install:\n    runtime-versions: { nodejs: ${NODE_MAJOR} }\n    commands: [npm install -g cdk-assets]\n`);
    expect(findingsOf(stack, RULE)).toEqual([]);
  });

  test('a spec file that is not in the assembly cannot be cleared', () => {
    const stack = newStack();
    projectWithSource(stack, { type: 'CODEPIPELINE', buildSpec: 'buildspec-missing.yaml' });
    expect(findingsOf(stack, RULE)).toEqual([`PlatformChecks-${RULE}[BuildSpec::unreadable]`]);
  });

  test('a project that takes its spec from its source repository is not judged', () => {
    const stack = newStack();
    projectWithSource(stack, { type: 'CODECOMMIT', location: 'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app' });
    expect(findingsOf(stack, RULE)).toEqual([]);
  });
});
