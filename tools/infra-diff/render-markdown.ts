import { PermissionChanges, PermissionRule } from './broadening';
import { AssemblyDiff, ModifiedResource, StackDiff } from './diff-templates';

export const NO_BROADENING = 'No IAM statement or security-group rule added.';

export function renderMarkdown(diff: AssemblyDiff): string {
  const lines = ['## Infrastructure diff', '', ...stacksSection(diff), '', ...permissionsSection(diff.permissions)];
  for (const stack of diff.changedStacks) lines.push('', ...stackSection(stack));
  return lines.join('\n') + '\n';
}

function stacksSection(diff: AssemblyDiff): string[] {
  const total = diff.addedStacks.length + diff.removedStacks.length + diff.changedStacks.length + diff.unchangedStacks.length;
  if (total === diff.unchangedStacks.length) {
    return [`**No changes**: the ${total} synthesized stack templates are equivalent.`];
  }
  return [
    `**Stacks:** ${diff.addedStacks.length} added, ${diff.removedStacks.length} removed, `
      + `${diff.changedStacks.length} changed, ${diff.unchangedStacks.length} unchanged.`,
    '',
    ...diff.addedStacks.map((stack) => `- ➕ added ${code(stack)}`),
    ...diff.removedStacks.map((stack) => `- ➖ removed ${code(stack)}`),
    ...diff.changedStacks.map(({ stack }) => `- ✏️ changed ${code(stack)}`),
  ];
}

function permissionsSection(permissions: PermissionChanges): string[] {
  const { broadening, addedDenies, removed } = permissions;
  const lines = broadening.length === 0
    ? ['### Permission broadening', '', NO_BROADENING]
    : [
      `### ⚠️ Permission broadening: ${broadening.length} new grant${broadening.length === 1 ? '' : 's'}`,
      '',
      'Each IAM statement, policy attachment or security-group rule below exists only in the head. Review it before merging.',
      '',
      ...ruleTable(broadening.map((rule) => ['➕ added', rule])),
    ];
  const others = [
    ...removed.map((rule): [string, PermissionRule] => ['➖ removed', rule]),
    ...addedDenies.map((rule): [string, PermissionRule] => ['➕ added Deny', rule]),
  ];
  if (others.length > 0) lines.push('', '#### Removed grants and added denies (not broadening)', '', ...ruleTable(others));
  return lines;
}

function ruleTable(rows: Array<[string, PermissionRule]>): string[] {
  return [
    '| Change | Stack | Resource | Type | Where | Grant |',
    '|---|---|---|---|---|---|',
    ...rows.map(([change, r]) => row([change, code(r.stack), code(r.logicalId), r.resourceType, where(r), code(r.rule)])),
  ];
}

/** Where the grant is; for a new policy's statement, also whom the policy is attached to (`PolicyDocument → Roles: …`). */
function where(rule: PermissionRule): string {
  const targets = (rule.attachedTo ?? []).map((target) => {
    const colon = target.indexOf(': ');
    return `${target.slice(0, colon)}: ${code(target.slice(colon + 2))}`;
  });
  return targets.length === 0 ? rule.where : `${rule.where} → ${targets.join(', ')}`;
}

function stackSection(diff: StackDiff): string[] {
  const lines = [`### ✏️ ${code(diff.stack)}`, ''];
  const resourceRows = [
    ...diff.added.map((r) => row(['➕ added', code(r.logicalId), r.type, ''])),
    ...diff.removed.map((r) => row(['➖ removed', code(r.logicalId), r.type, ''])),
    ...diff.modified.map((r) => row(['✏️ modified', code(r.logicalId), r.type, describeChange(r)])),
  ];
  if (resourceRows.length > 0) {
    lines.push('| Change | Logical id | Type | Changed |', '|---|---|---|---|', ...resourceRows);
  }
  if (diff.otherChanges.length > 0) {
    lines.push(...(resourceRows.length > 0 ? [''] : []), `Other template changes: ${diff.otherChanges.map(code).join(', ')}`);
  }
  return lines;
}

function describeChange(resource: ModifiedResource): string {
  return [...resource.changedProperties, ...resource.changedAttributes.map((name) => `${name} (attribute)`)].join(', ');
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** A code span whose fence is longer than any backtick run inside, so template text cannot break out of it. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}
