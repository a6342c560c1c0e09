import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mutableTagsOf } from './app-pipeline-run';
import { runBuildSpec, type BuildSpecRun } from './run-build-spec';
import { StandIns, type StandInCall } from './stand-ins';
import type { SynthesizedPlatform } from '../synth-app';

/*
 * What the rehearsals of the release (test/release) and of the meta-pipeline's steps (test/pipeline) share:
 * a workspace with stand-in `aws`, `docker` and `curl`, the synthesized specs they run, and the ids of the
 * example configuration.
 */

export const TOOLCHAIN = '111111111111';
export const HOME = 'eu-west-1';
export const REPOSITORY = 'hello-codepipeline';
export const CENTRAL_URI = `${TOOLCHAIN}.dkr.ecr.${HOME}.amazonaws.com/${REPOSITORY}`;
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const TAG = '0123456789ab';
export const DOCKERHUB_PASSWORD = 's3cr3t-hub-pass';

expect.extend({
  toSucceed(run: BuildSpecRun) {
    const pass = run.succeeded && run.status === 0;
    return {
      pass,
      message: () => (pass
        ? 'expected the build to fail'
        : `expected the build to succeed; it ran ${JSON.stringify(run.phases)}${run.error ? ` (${run.error})` : ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`),
    };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toSucceed(): R;
    }
  }
}

/** A temporary app checkout plus stand-ins and their registry (the release's repositories, empty), torn down after each test. */
export class Workspace {
  public readonly root = mkdtempSync(path.join(tmpdir(), 'rehearsal-'));
  public readonly sourceDir = path.join(this.root, 'src');
  public readonly standIns = StandIns.install(this.root);

  public constructor(public readonly synth: SynthesizedPlatform) {
    mkdirSync(this.sourceDir);
    writeFileSync(path.join(this.sourceDir, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/node:24-alpine\n');
    for (const region of new Set([HOME, ...synth.config.stages.map((stage) => stage.region)])) this.standIns.createRepository(region, REPOSITORY);
    this.standIns.codeBuildProject('hello-codepipeline-image-build', imageProject(synth).rawSpec);
  }

  /** Runs a build spec the way a project of the toolchain would, with CodeBuild's own variables. */
  public run(spec: unknown, variables: Record<string, string>, options: { resolvedSecrets?: Record<string, string> } = {}): BuildSpecRun {
    const region = HOME;
    const buildDir = mkdtempSync(path.join(this.root, 'build-'));
    for (const file of readdirSync(this.sourceDir)) writeFileSync(path.join(buildDir, file), readFileSync(path.join(this.sourceDir, file)));
    return runBuildSpec({
      spec,
      sourceDir: buildDir,
      environment: {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        CODEBUILD_BUILD_ID: 'rehearsal:00000000-0000-0000-0000-000000000000',
        CODEBUILD_BUILD_NUMBER: '7',
        IMAGE_TOOL_POLL_SECONDS: '0',
        ...this.standIns.environment(mutableTagsOf(this.synth)),
        ...variables,
      },
      resolvedSecrets: options.resolvedSecrets,
      pathPrefix: [this.standIns.binDir],
    });
  }

  /** The image build project's spec and variables, as synthesized, for a pipeline run of `commit`. */
  public buildImage(commit: string, extra: Record<string, string> = {}, spec: unknown = imageProject(this.synth).spec): BuildSpecRun {
    return this.run(spec, { ...imageProject(this.synth).variables, SOURCE_COMMIT_ID: commit, ...extra });
  }

  /** The files the last run left in its build folder. */
  public outputsOf(run: BuildSpecRun): Record<string, unknown> {
    const dir = run.sourceDir!;
    return Object.fromEntries(readdirSync(dir).filter((file) => file.startsWith('imagedefinitions-')).map((file) => [file, JSON.parse(readFileSync(path.join(dir, file), 'utf8'))]));
  }

  public dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The synthesized image build project: its spec and its project variables with concrete values. */
export function imageProject(synth: SynthesizedPlatform): { spec: unknown; rawSpec: string; variables: Record<string, string> } {
  const project = Object.values<any>(synth.template('release/Build').Resources).find((resource) => resource.Type === 'AWS::CodeBuild::Project').Properties;
  const variables = Object.fromEntries(project.Environment.EnvironmentVariables.map((variable: any) => [variable.Name, variable.Value]));
  // Every variable is a literal: the seed step starts this project outside any pipeline, with nothing to resolve.
  expect(Object.values(variables).every((value) => typeof value === 'string')).toBe(true);
  expect(variables.IMAGE_REPOSITORY_URI).toBe(CENTRAL_URI);
  return { spec: JSON.parse(project.Source.BuildSpec), rawSpec: project.Source.BuildSpec, variables };
}

/** A meta-pipeline step's spec, as synthesized (CDK Pipelines inlines it in the project). */
export function stepSpec(synth: SynthesizedPlatform, stepName: string): unknown {
  const template = synth.template('DeliveryPipeline');
  const pipeline = Object.values<any>(template.Resources).find((resource) => resource.Type === 'AWS::CodePipeline::Pipeline');
  const action = pipeline.Properties.Stages.flatMap((stage: any) => stage.Actions).find((candidate: any) => candidate.Name === stepName);
  return JSON.parse(template.Resources[action.Configuration.ProjectName.Ref].Properties.Source.BuildSpec);
}

export function pushes(calls: readonly StandInCall[]): string[] {
  return calls.filter((call) => call.tool === 'docker' && call.args[0] === 'push').map((call) => call.args[1]);
}
