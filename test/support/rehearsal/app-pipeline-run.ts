import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runBuildSpec, type BuildSpecRun } from './run-build-spec';
import type { StandIns } from './stand-ins';
import type { SynthesizedPlatform } from '../synth-app';

/** What one action of a rehearsed app pipeline run did. */
export interface ActionOutcome {
  readonly stage: string;
  readonly action: string;
  readonly provider: string;
  readonly succeeded: boolean;
  /** The build, for a CodeBuild action. */
  readonly build?: BuildSpecRun;
}

export interface AppPipelineRun {
  readonly succeeded: boolean;
  readonly actions: readonly ActionOutcome[];
  /** The image each stage's ECS deploy action deployed, as its image definitions named it. */
  readonly deployed: Readonly<Record<string, string>>;
  /** What each manual approval asked, with the pipeline's variables resolved. */
  readonly approvals: Readonly<Record<string, string>>;
}

export interface AppPipelineRunOptions {
  readonly synth: SynthesizedPlatform;
  readonly standIns: StandIns;
  /** A folder to work in: one artifact folder and one build folder per action. */
  readonly workDir: string;
  /** The app's source at the pushed commit. */
  readonly sourceDir: string;
  readonly commitId: string;
  /** Values for project variables whose template value is a reference, by variable name. */
  readonly projectVariables: Readonly<Record<string, string>>;
  /** Whether an approval is given; default: every one is. */
  readonly approve?: (stage: string) => boolean;
}

interface Action {
  Name: string;
  RunOrder: number;
  Region?: string;
  Namespace?: string;
  ActionTypeId: { Category: string; Provider: string };
  Configuration?: Record<string, any>;
  InputArtifacts?: Array<{ Name: string }>;
  OutputArtifacts?: Array<{ Name: string }>;
}

/**
 * Runs the synthesized app pipeline (delivery/Pipeline) the way CodePipeline would, for one pushed commit:
 * stage after stage, actions by run order, stopping at the first stage with a failed action. CodeBuild
 * actions run their project's build spec, as synthesized, through the build spec emulator with the
 * project's and the action's variables (pipeline variables resolved); an ECS deploy action records the
 * image its image definitions file names; approvals are given (or refused) as the test says.
 */
export function runAppPipeline(options: AppPipelineRunOptions): AppPipelineRun {
  const { synth } = options;
  const pipelineTemplate = synth.template('delivery/Pipeline');
  const pipeline = Object.values<any>(pipelineTemplate.Resources).find((resource) => resource.Type === 'AWS::CodePipeline::Pipeline');
  const homeRegion = synth.config.toolchain.region;
  const variables: Record<string, string> = {};
  const artifacts: Record<string, string> = {};
  const actions: ActionOutcome[] = [];
  const deployed: Record<string, string> = {};
  const approvals: Record<string, string> = {};
  let buildNumber = 0;

  const resolve = (value: string) => value.replace(/#\{([\w@-]+\.[\w]+)\}/g, (_, reference: string) => {
    if (!(reference in variables)) throw new Error(`the pipeline references #{${reference}}, which no earlier action set`);
    return variables[reference];
  });
  const newDir = (name: string) => mkdtempSync(path.join(options.workDir, `${name.replace(/\W/g, '-')}-`));

  const runCodeBuild = (stage: string, action: Action): boolean => {
    const project = projectOf(synth, pipelineTemplate, action.Configuration!.ProjectName);
    const buildDir = newDir(`${stage}-${action.Name}`);
    const input = action.InputArtifacts?.[0]?.Name;
    if (input) cpSync(artifacts[input], buildDir, { recursive: true });
    const projectVariables = Object.fromEntries((project.Environment.EnvironmentVariables ?? []).map((variable: any) => {
      const value = typeof variable.Value === 'string' ? variable.Value : options.projectVariables[variable.Name];
      if (value === undefined) throw new Error(`no rehearsal value for the project variable ${variable.Name}`);
      return [variable.Name, value];
    }));
    const actionVariables = Object.fromEntries(JSON.parse(action.Configuration!.EnvironmentVariables ?? '[]')
      .map((variable: any) => [variable.name, resolve(variable.value)]));
    const region = action.Region ?? homeRegion;
    buildNumber += 1;
    const build = runBuildSpec({
      spec: JSON.parse(project.Source.BuildSpec),
      sourceDir: buildDir,
      environment: {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        CODEBUILD_BUILD_ID: `${project.Name ?? stage}:${buildNumber}`,
        CODEBUILD_BUILD_NUMBER: String(buildNumber),
        ...options.standIns.environment(mutableTagsOf(synth)),
        ...projectVariables,
        ...actionVariables,
      },
      pathPrefix: [options.standIns.binDir],
    });
    actions.push({ stage, action: action.Name, provider: 'CodeBuild', succeeded: build.succeeded, build });
    if (!build.succeeded) return false;
    if (action.Namespace) {
      for (const [name, value] of Object.entries(build.exportedVariables)) variables[`${action.Namespace}.${name}`] = value;
    }
    for (const output of action.OutputArtifacts ?? []) {
      const files: string[] = JSON.parse(project.Source.BuildSpec).artifacts?.files ?? [];
      const outputDir = newDir(output.Name);
      for (const file of readdirSync(buildDir).filter((candidate) => files.some((pattern) => globToRegExp(pattern).test(candidate)))) {
        cpSync(path.join(buildDir, file), path.join(outputDir, file));
      }
      artifacts[output.Name] = outputDir;
    }
    return true;
  };

  const runAction = (stage: string, action: Action): boolean => {
    switch (action.ActionTypeId.Provider) {
      case 'CodeCommit': {
        const outputDir = newDir('source');
        cpSync(options.sourceDir, outputDir, { recursive: true });
        artifacts[action.OutputArtifacts![0].Name] = outputDir;
        if (action.Namespace) variables[`${action.Namespace}.CommitId`] = options.commitId;
        actions.push({ stage, action: action.Name, provider: 'CodeCommit', succeeded: true });
        return true;
      }
      case 'CodeBuild':
        return runCodeBuild(stage, action);
      case 'ECS': {
        const file = path.join(artifacts[action.InputArtifacts![0].Name], action.Configuration!.FileName);
        const succeeded = existsSync(file);
        if (succeeded) {
          const definitions: Array<{ name: string; imageUri: string }> = JSON.parse(readFileSync(file, 'utf8'));
          const container = containerNameOf(synth, stage);
          const entry = definitions.find((definition) => definition.name === container);
          if (!entry) throw new Error(`${file} names no container "${container}": the deploy would fail to find it`);
          deployed[stage] = entry.imageUri;
        }
        actions.push({ stage, action: action.Name, provider: 'ECS', succeeded });
        return succeeded;
      }
      case 'Manual': {
        approvals[stage] = resolve(action.Configuration!.CustomData);
        const approved = options.approve?.(stage) ?? true;
        actions.push({ stage, action: action.Name, provider: 'Manual', succeeded: approved });
        return approved;
      }
      default:
        throw new Error(`the rehearsal does not run ${action.ActionTypeId.Provider} actions`);
    }
  };

  for (const stage of pipeline.Properties.Stages as Array<{ Name: string; Actions: Action[] }>) {
    const runOrders = [...new Set(stage.Actions.map((action) => action.RunOrder ?? 1))].sort((a, b) => a - b);
    for (const runOrder of runOrders) {
      const parallel = stage.Actions.filter((action) => (action.RunOrder ?? 1) === runOrder).sort((a, b) => a.Name.localeCompare(b.Name));
      const results = parallel.map((action) => runAction(stage.Name, action));
      if (results.includes(false)) return { succeeded: false, actions, deployed, approvals };
    }
  }
  return { succeeded: true, actions, deployed, approvals };
}

/** The CodeBuild project an action names: by reference within the pipeline's stack, or by name anywhere. */
function projectOf(synth: SynthesizedPlatform, pipelineTemplate: any, projectName: unknown): any {
  if (typeof projectName === 'object' && projectName !== null && 'Ref' in projectName) {
    return pipelineTemplate.Resources[(projectName as { Ref: string }).Ref].Properties;
  }
  const found = synth.stacks().flatMap(({ artifact }) => Object.values<any>(artifact.template.Resources ?? {}))
    .filter((resource) => resource.Type === 'AWS::CodeBuild::Project' && resource.Properties.Name === projectName);
  if (found.length !== 1) throw new Error(`expected one CodeBuild project named ${String(projectName)}, found ${found.length}`);
  return found[0].Properties;
}

function containerNameOf(synth: SynthesizedPlatform, stage: string): string {
  const task = Object.values<any>(synth.template(`${stage}/Service`).Resources).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition');
  return task.Properties.ContainerDefinitions[0].Name;
}

/** The release repository's tag-immutability exclusions, as the stand-in registry applies them. */
export function mutableTagsOf(synth: SynthesizedPlatform): string[] {
  const repository = Object.values<any>(synth.template('release/Stateful').Resources).find((resource) => resource.Type === 'AWS::ECR::Repository');
  return (repository.Properties.ImageTagMutabilityExclusionFilters ?? []).map((filter: any) => filter.ImageTagMutabilityExclusionFilterValue);
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
