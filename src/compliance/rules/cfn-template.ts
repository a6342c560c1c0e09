import { CfnResource, Stack } from 'aws-cdk-lib';

/** A resource as its template will show it: logical id, type, and properties with every token resolved. */
export interface RenderedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  /** `DeletionPolicy`, `UpdateReplacePolicy`, `DependsOn` (always a list), when the template sets them. */
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  readonly dependsOn: readonly string[];
}

/** What one pass over a finished construct tree has rendered so far (see `withRenderCache`). */
interface RenderPass {
  readonly resources: Map<CfnResource, { rendered: RenderedResource | undefined } | { error: unknown }>;
  readonly stacks: Map<Stack, Map<string, RenderedResource>>;
}

let pass: RenderPass | undefined;

/**
 * Runs `check` with each resource and each stack rendered at most once. A pack's rules each render the
 * resource they judge, and some render its whole stack, so one pass over the app rendered the same
 * resources dozens of times (measured: 0.9 s of the pack's 1.0 s on the example configuration). Only for a
 * pass over a tree that no longer changes, as a validation plugin sees it; renderings are shared between
 * rules, which only read them.
 */
export function withRenderCache<T>(check: () => T): T {
  const outer = pass;
  pass = { resources: new Map(), stacks: new Map() };
  try {
    return check();
  } finally {
    pass = outer;
  }
}

/**
 * Renders the resource through `_toCloudFormation()` rather than the L1 getters: that is what lands in the
 * template, property overrides included, and it has the same PascalCase shape whether the resource came
 * from an L2, an L1 or `CfnInclude`.
 */
export function renderResource(node: CfnResource): RenderedResource | undefined {
  if (!pass) return render(node);
  let outcome = pass.resources.get(node);
  if (!outcome) {
    try {
      outcome = { rendered: render(node) };
    } catch (error) {
      outcome = { error };
    }
    pass.resources.set(node, outcome);
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.rendered;
}

function render(node: CfnResource): RenderedResource | undefined {
  const rendered = Stack.of(node).resolve(node._toCloudFormation()) as {
    Resources?: Record<string, {
      Type?: string;
      Properties?: Record<string, unknown>;
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
      DependsOn?: string | string[];
    }>;
  };
  const entries = Object.entries(rendered?.Resources ?? {});
  if (entries.length !== 1) {
    return undefined;
  }
  const [logicalId, definition] = entries[0];
  return {
    logicalId,
    type: definition.Type ?? node.cfnResourceType,
    properties: definition.Properties ?? {},
    deletionPolicy: definition.DeletionPolicy,
    updateReplacePolicy: definition.UpdateReplacePolicy,
    dependsOn: asList(definition.DependsOn).filter((id): id is string => typeof id === 'string'),
  };
}

/** Every resource of one stack's own template (nested stacks have templates of their own), by logical id. */
export function renderStack(stack: Stack): Map<string, RenderedResource> {
  const known = pass?.stacks.get(stack);
  if (known) return known;
  const resources = new Map<string, RenderedResource>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && Stack.of(construct) === stack) {
      let rendered: RenderedResource | undefined;
      try {
        rendered = renderResource(construct);
      } catch {
        // A resource that cannot render fails synthesis by itself, with its own message; a rule about a
        // sibling should not report it as that rule's error.
        continue;
      }
      if (rendered) {
        resources.set(rendered.logicalId, rendered);
      }
    }
  }
  pass?.stacks.set(stack, resources);
  return resources;
}

/** The logical id a `Ref` points at. */
export function refTarget(value: unknown): string | undefined {
  return isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
}

/** `[logicalId, attribute]` of an `Fn::GetAtt`, in either its list or its dotted-string form. */
export function getAttOf(value: unknown): [string, string] | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return [getAtt[0], getAtt[1]];
  }
  if (typeof getAtt === 'string' && getAtt.includes('.')) {
    const dot = getAtt.indexOf('.');
    return [getAtt.slice(0, dot), getAtt.slice(dot + 1)];
  }
  return undefined;
}

export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The logical ids a value refers to, through `Ref`, `Fn::GetAtt` or `${…}` in `Fn::Sub`, at any depth. */
export function referencedLogicalIds(value: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!isObject(node)) return;
    const ref = refTarget(node);
    if (ref !== undefined && !ref.startsWith('AWS::')) found.add(ref);
    const getAtt = getAttOf(node);
    if (getAtt) found.add(getAtt[0]);
    const sub = node['Fn::Sub'];
    const template = Array.isArray(sub) ? sub[0] : sub;
    if (typeof template === 'string') {
      for (const match of template.matchAll(/\$\{([^!}][^}.]*)(\.[^}]*)?\}/g)) {
        if (!match[1].startsWith('AWS::')) found.add(match[1]);
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(value);
  return found;
}

/** Whether CloudFormation keeps the resource when its stack is deleted. */
export function isRetained(resource: RenderedResource): boolean {
  return resource.deletionPolicy === 'Retain' || resource.deletionPolicy === 'RetainExceptOnCreate' || resource.deletionPolicy === 'Snapshot';
}
