import * as fs from 'fs';
import * as path from 'path';
import {
  ArtifactType,
  AssemblyManifest,
  AwsCloudFormationStackProperties,
  NestedCloudAssemblyProperties,
} from 'aws-cdk-lib/cloud-assembly-schema';
import { compareStrings } from './normalise';
import { CfnTemplate, TemplateMap } from './template';

const MANIFEST_FILE = 'manifest.json';

/** An input that is not a readable cloud assembly; the CLI reports it and exits 1. */
export class AssemblyError extends Error {}

/**
 * Every stack template in a cloud assembly, including those in nested
 * assemblies (CDK Pipelines stages), keyed by the stack's display path.
 */
export function readAssembly(dir: string): TemplateMap {
  if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) {
    throw new AssemblyError(`${dir}: no ${MANIFEST_FILE} found; expected a synthesized cloud assembly directory (e.g. cdk.out)`);
  }
  const stacks = new Map<string, CfnTemplate>();
  collect(dir, [], stacks, new Set());
  return new Map([...stacks].sort(([a], [b]) => compareStrings(a, b)));
}

function collect(dir: string, parents: string[], stacks: Map<string, CfnTemplate>, seen: Set<string>): void {
  // A directoryName of `.` would otherwise recurse forever.
  const resolved = path.resolve(dir);
  if (seen.has(resolved)) return;
  seen.add(resolved);
  const manifest = readJson(path.join(dir, MANIFEST_FILE)) as AssemblyManifest;
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === ArtifactType.AWS_CLOUDFORMATION_STACK) {
      const { templateFile } = artifact.properties as AwsCloudFormationStackProperties;
      // Older assemblies may lack displayName; the artifact id under its stage path is the next most readable name.
      const name = artifact.displayName ?? [...parents, id].join('/');
      if (stacks.has(name)) throw new AssemblyError(`${dir}: two stacks share the display name ${name}`);
      stacks.set(name, readJson(path.join(dir, templateFile)) as CfnTemplate);
    } else if (artifact.type === ArtifactType.NESTED_CLOUD_ASSEMBLY) {
      const { directoryName, displayName } = artifact.properties as NestedCloudAssemblyProperties;
      collect(path.join(dir, directoryName), [...parents, displayName ?? id], stacks, seen);
    }
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (err) {
    throw new AssemblyError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
