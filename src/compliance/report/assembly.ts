/*
 * Index of a synthesized cloud assembly, recursing into nested `assembly-*` dirs.
 *
 * cdk-nag reports findings by construct path only, so the template and logical ID
 * come from the stacks' `aws:cdk:logicalId` metadata. That metadata, and the
 * `aws:cdk:acknowledged-rules` entries `Validations.acknowledge()` records, are in
 * each stack's `<stack>.metadata.json` (manifest `additionalMetadataFile`; older
 * assemblies inline them as the artifact's `metadata`), keyed by `/<construct path>`.
 * Acknowledgements declared on an App or a Stage are not written anywhere, so a
 * plain-id acknowledgement there leaves no trace outside the synthesizing process.
 * cdk-nag's `writeSuppressionsToCloudFormation` copies acknowledgements onto every
 * resource below them as `Metadata.cdk_nag`; that adds nothing this index lacks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { ReportInputError } from './input-error';
import { readJsonFile } from './read-json';

export interface StackInfo {
  readonly constructPath: string;
  /** Relative to the root assembly dir, '/'-separated, like the report's templatePath. */
  readonly templatePath: string;
}

export interface ResourceInfo {
  readonly templatePath: string;
  readonly logicalId: string;
}

export interface RecordedAcknowledgement {
  /** As stored: `<namespace>::<rule>`, a plain id becomes `Annotation::<rule>`. */
  readonly id: string;
  readonly reason: string;
  /** Construct path the acknowledgement was declared on. */
  readonly at: string;
  readonly trace: readonly string[];
}

export interface AssemblyIndex {
  readonly dir: string;
  readonly stacks: readonly StackInfo[];
  readonly resources: ReadonlyMap<string, ResourceInfo>;
  readonly acknowledgements: readonly RecordedAcknowledgement[];
}

const metadataEntry = z.object({ type: z.string(), data: z.unknown().optional(), trace: z.array(z.string()).optional() });
const metadataMap = z.record(z.string(), z.array(metadataEntry));
const artifact = z.object({
  type: z.string(),
  displayName: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  metadata: metadataMap.optional(),
  additionalMetadataFile: z.string().optional(),
});
const manifest = z.object({ artifacts: z.record(z.string(), artifact).optional() });
const acknowledgedRules = z.record(z.string(), z.string());

const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

interface IndexBuilder {
  stacks: StackInfo[];
  resources: Map<string, ResourceInfo>;
  acknowledgements: RecordedAcknowledgement[];
}

export function readAssembly(assemblyDir: string): AssemblyIndex {
  if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
    throw new ReportInputError(`no cloud assembly in ${assemblyDir} (manifest.json not found): synthesize the app first`);
  }
  const index: IndexBuilder = { stacks: [], resources: new Map(), acknowledgements: [] };
  visit(assemblyDir, '', index);
  return { dir: assemblyDir, ...index };
}

function visit(dir: string, prefix: string, index: IndexBuilder) {
  const { artifacts = {} } = readJsonFile(path.join(dir, 'manifest.json'), manifest, 'a cloud assembly manifest');
  for (const [id, a] of Object.entries(artifacts)) {
    const props = a.properties ?? {};
    if (a.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      visit(path.join(dir, props.directoryName), `${prefix}${props.directoryName}/`, index);
    } else if (a.type === 'aws:cloudformation:stack' && typeof props.templateFile === 'string') {
      const templatePath = `${prefix}${props.templateFile}`;
      index.stacks.push({ constructPath: a.displayName ?? id, templatePath });
      const metadata = { ...a.metadata, ...readMetadataFile(dir, a.additionalMetadataFile) };
      indexMetadata(metadata, templatePath, index);
    }
  }
}

function readMetadataFile(dir: string, file: string | undefined) {
  return file ? readJsonFile(path.join(dir, file), metadataMap, 'a stack metadata file') : {};
}

function indexMetadata(metadata: z.infer<typeof metadataMap>, templatePath: string, index: IndexBuilder) {
  for (const [key, entries] of Object.entries(metadata)) {
    const at = key.replace(/^\//, '');
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
        index.resources.set(at, { templatePath, logicalId: entry.data });
      }
      const rules = entry.type === ACKNOWLEDGED_RULES ? acknowledgedRules.safeParse(entry.data) : undefined;
      for (const [id, reason] of Object.entries(rules?.data ?? {})) {
        index.acknowledgements.push({ id, reason, at, trace: entry.trace ?? [] });
      }
    }
  }
}
