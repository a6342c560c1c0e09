import { comparePermissions, extractRules, PermissionChanges } from './broadening';
import { compareStrings, isObject, sortedKeys, stableJson } from './normalise';
import { CfnResource, CfnTemplate, TemplateMap } from './template';

export interface ResourceRef {
  readonly logicalId: string;
  readonly type: string;
}

export interface ModifiedResource extends ResourceRef {
  /** Top-level keys of `Properties` that were added, removed or changed. */
  readonly changedProperties: string[];
  /** Resource attributes such as `DependsOn` or `DeletionPolicy`, and non-noise `Metadata`. */
  readonly changedAttributes: string[];
}

export interface StackDiff {
  readonly stack: string;
  readonly added: ResourceRef[];
  readonly removed: ResourceRef[];
  readonly modified: ModifiedResource[];
  /** Changed entries of the other template sections, e.g. `Outputs.BucketName` or `Description`. */
  readonly otherChanges: string[];
}

export interface AssemblyDiff {
  readonly addedStacks: string[];
  readonly removedStacks: string[];
  readonly changedStacks: StackDiff[];
  readonly unchangedStacks: string[];
  readonly permissions: PermissionChanges;
}

// The version-reporting resource and its condition change with the CDK version, not with the infrastructure.
const CDK_METADATA_TYPE = 'AWS::CDK::Metadata';
const CDK_METADATA_CONDITION = 'CDKMetadataAvailable';

export function diffAssemblies(base: TemplateMap, head: TemplateMap): AssemblyDiff {
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort(compareStrings);
  const changedStacks: StackDiff[] = [];
  const unchangedStacks: string[] = [];
  for (const stack of stacks) {
    const [before, after] = [base.get(stack), head.get(stack)];
    if (!before || !after) continue;
    const diff = diffStack(stack, before, after);
    if (diff.added.length + diff.removed.length + diff.modified.length + diff.otherChanges.length > 0) changedStacks.push(diff);
    else unchangedStacks.push(stack);
  }
  return {
    addedStacks: stacks.filter((stack) => !base.has(stack)),
    removedStacks: stacks.filter((stack) => !head.has(stack)),
    changedStacks,
    unchangedStacks,
    permissions: comparePermissions(extractRules(base), extractRules(head)),
  };
}

export function diffStack(stack: string, before: CfnTemplate, after: CfnTemplate): StackDiff {
  const [oldResources, newResources] = [resourcesOf(before), resourcesOf(after)];
  const added: ResourceRef[] = [];
  const removed: ResourceRef[] = [];
  const modified: ModifiedResource[] = [];
  for (const logicalId of [...new Set([...oldResources.keys(), ...newResources.keys()])].sort(compareStrings)) {
    const [old, cur] = [oldResources.get(logicalId), newResources.get(logicalId)];
    // A new type under the same logical id is a replacement: CloudFormation deletes one resource and creates another.
    if (old && (!cur || cur.Type !== old.Type)) removed.push({ logicalId, type: old.Type });
    if (cur && (!old || cur.Type !== old.Type)) added.push({ logicalId, type: cur.Type });
    if (!old || !cur || cur.Type !== old.Type) continue;
    const changedProperties = changedKeys(old.Properties ?? {}, cur.Properties ?? {});
    const changedAttributes = changedKeys(attributesOf(old), attributesOf(cur));
    if (changedProperties.length + changedAttributes.length > 0) {
      modified.push({ logicalId, type: cur.Type, changedProperties, changedAttributes });
    }
  }
  return { stack, added, removed, modified, otherChanges: diffSections(before, after) };
}

/** A Map, because `constructor` or `toString` are valid logical ids and must not hit Object.prototype. */
function resourcesOf(template: CfnTemplate): Map<string, CfnResource> {
  return new Map(Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type !== CDK_METADATA_TYPE));
}

/** Construct paths and asset staging details in `Metadata` change with refactors and rebuilds, not with what gets deployed. */
function isNoiseMetadataKey(key: string): boolean {
  return key === 'aws:cdk:path' || key.startsWith('aws:asset:');
}

function attributesOf(resource: CfnResource): Record<string, unknown> {
  const { Type: _type, Properties: _properties, Metadata: metadata, ...attributes } = resource;
  const kept = Object.entries(metadata ?? {}).filter(([key]) => !isNoiseMetadataKey(key));
  return kept.length > 0 ? { ...attributes, Metadata: Object.fromEntries(kept) } : attributes;
}

function diffSections(before: CfnTemplate, after: CfnTemplate): string[] {
  const changes: string[] = [];
  for (const section of unionKeys(before, after)) {
    if (section === 'Resources') continue;
    const [old, cur] = [before[section], after[section]];
    if (isObject(old) && isObject(cur)) {
      const keys = changedKeys(old, cur).filter((key) => !(section === 'Conditions' && key === CDK_METADATA_CONDITION));
      changes.push(...keys.map((key) => `${section}.${key}`));
    } else if (stableJson(old) !== stableJson(cur) && !onlyCdkMetadataCondition(section, old ?? cur)) {
      changes.push(section);
    }
  }
  return changes;
}

function onlyCdkMetadataCondition(section: string, value: unknown): boolean {
  return section === 'Conditions' && isObject(value) && sortedKeys(value).join() === CDK_METADATA_CONDITION;
}

function changedKeys(old: Record<string, unknown>, cur: Record<string, unknown>): string[] {
  return unionKeys(old, cur).filter((key) => stableJson(old[key]) !== stableJson(cur[key]));
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareStrings);
}
