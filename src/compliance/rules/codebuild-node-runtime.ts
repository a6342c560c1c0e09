import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stage } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { parse as parseYaml } from 'yaml';
import { isObject, renderResource } from './cfn-template';
import { NODE_MAJOR } from '../../toolchain/node-major';

/** A command that runs Node.js itself or a tool that needs it. */
const RUNS_NODE = /(^|[\s;&|(`$])(node|npm|npx|corepack|yarn|pnpm)(?=[\s;&|)`]|$)/m;

/**
 * Every CodeBuild project whose build spec runs `node`, `npm` or `npx` (or yarn, pnpm, corepack) selects the
 * project's Node major in `phases.install.runtime-versions.nodejs`. CodeBuild's curated images each activate a
 * default Node of their own, and it is old: `aws/codebuild/standard:7.0` runs Node 18 unless told otherwise,
 * and CDK Pipelines sets no `runtime-versions`. A build then fails at run time on whatever the older Node
 * lacks (`node --test --test-timeout`, for one), after the pipeline has shipped.
 *
 * The build spec is read from `Source.BuildSpec`: inline JSON or YAML, or, for a spec too large to inline
 * (CDK Pipelines' asset publishing), the file of that name in the cloud assembly. Tokens inside an inline
 * spec stand for values and are read as placeholders.
 *
 * Findings: `RuntimeVersions::missing` when the spec runs node and selects no Node; `RuntimeVersions::<value>`
 * when it selects another one (`latest` included: it moves with the image); `BuildSpec::unreadable` when the
 * spec cannot be parsed or its file is not in the assembly (it cannot be told whether it runs node). Not
 * applicable to projects whose spec comes from their source (no `Source.BuildSpec`) or that never run node.
 */
export function CodeBuildNodeRuntime(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::CodeBuild::Project') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const source = renderResource(node)?.properties.Source;
  const text = isObject(source) ? buildSpecText(source.BuildSpec, node) : undefined;
  if (text === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const spec = text === UNREADABLE ? undefined : parseSpec(text);
  if (spec === undefined) {
    return ['BuildSpec::unreadable'];
  }
  if (!commandsOf(spec).some((command) => RUNS_NODE.test(command))) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const install = isObject(spec.phases) && isObject(spec.phases.install) ? spec.phases.install : {};
  const runtimes = isObject(install['runtime-versions']) ? install['runtime-versions'] : {};
  const selected = runtimes.nodejs;
  if (selected === undefined) {
    return ['RuntimeVersions::missing'];
  }
  return /^\d+(\.x)?$/.test(String(selected)) && parseInt(String(selected), 10) === NODE_MAJOR
    ? NagRuleCompliance.COMPLIANT
    : [`RuntimeVersions::${String(selected).replace(/\s+/g, '_')}`];
}

const UNREADABLE = Symbol('unreadable');

/** The spec's text: inline, or from its file in the assembly; undefined when the source supplies it. */
function buildSpecText(buildSpec: unknown, node: CfnResource): string | typeof UNREADABLE | undefined {
  if (buildSpec === undefined) return undefined;
  if (isObject(buildSpec) && Array.isArray(buildSpec['Fn::Join'])) {
    const [delimiter, parts] = buildSpec['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(delimiter);
  }
  if (typeof buildSpec !== 'string') return UNREADABLE;
  if (/\n/.test(buildSpec) || !/\.(ya?ml|json)$/.test(buildSpec)) return buildSpec;
  try {
    return readFileSync(path.join(Stage.of(node)?.outdir ?? '.', buildSpec), 'utf8');
  } catch {
    // Before synthesis (a rule test) or outside an assembly there is no file to read.
    return UNREADABLE;
  }
}

function parseSpec(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = parseYaml(text);
    return isObject(parsed) && isObject(parsed.phases) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function commandsOf(spec: Record<string, unknown>): string[] {
  const phases = isObject(spec.phases) ? Object.values(spec.phases) : [];
  return phases.filter(isObject).flatMap((phase) => [phase.commands, phase.finally])
    .flatMap((block) => (Array.isArray(block) ? block : []))
    .filter((command): command is string => typeof command === 'string');
}
