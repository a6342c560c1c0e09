import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Assemblies, synthAssemblies } from './assemblies';
import { PermissionRule } from '../../../tools/infra-diff/broadening';
import { runCli } from '../../../tools/infra-diff/cli';
import { AssemblyDiff, diffAssemblies } from '../../../tools/infra-diff/diff-templates';
import { readAssembly } from '../../../tools/infra-diff/read-assembly';
import { NO_BROADENING, renderMarkdown } from '../../../tools/infra-diff/render-markdown';

const REPO_ROOT = path.resolve(__dirname, '../../..');

let dirs: Assemblies;
let diff: AssemblyDiff;

beforeAll(() => {
  dirs = synthAssemblies();
  diff = diffAssemblies(readAssembly(dirs.base), readAssembly(dirs.head));
});

afterAll(() => fs.rmSync(dirs.root, { recursive: true, force: true }));

const grant = (rule: PermissionRule) => ({ stack: rule.stack, type: rule.resourceType, where: rule.where, rule: JSON.parse(rule.rule) });

test('reads stacks from the nested stage assembly by display path', () => {
  expect([...readAssembly(dirs.base).keys()]).toEqual(['Prod/A', 'Prod/B']);
  expect([...readAssembly(dirs.head).keys()]).toEqual(['Prod/A', 'Prod/C']);
});

test('classifies stacks as added, removed and changed', () => {
  expect(diff.addedStacks).toEqual(['Prod/C']);
  expect(diff.removedStacks).toEqual(['Prod/B']);
  expect(diff.changedStacks.map((s) => s.stack)).toEqual(['Prod/A']);
  expect(diff.unchangedStacks).toEqual([]);
});

test('lists added, removed and modified resources of the changed stack', () => {
  const [stackA] = diff.changedStacks;
  expect(stackA.added).toEqual([
    { logicalId: 'AdminHttps', type: 'AWS::EC2::SecurityGroupIngress' },
    { logicalId: expect.stringMatching(/^Events/), type: 'AWS::SNS::Topic' },
    { logicalId: expect.stringMatching(/^ReaderDefaultPolicy/), type: 'AWS::IAM::Policy' },
    { logicalId: expect.stringMatching(/^Reader[0-9A-F]{8}$/), type: 'AWS::IAM::Role' },
  ]);
  expect(stackA.removed).toEqual([{ logicalId: expect.stringMatching(/^Scratch/), type: 'AWS::SQS::Queue' }]);
  expect(stackA.modified).toEqual([
    { logicalId: expect.stringMatching(/^Data/), type: 'AWS::S3::Bucket', changedProperties: ['VersioningConfiguration'], changedAttributes: [] },
    { logicalId: expect.stringMatching(/^Web/), type: 'AWS::EC2::SecurityGroup', changedProperties: ['SecurityGroupIngress'], changedAttributes: [] },
    { logicalId: expect.stringMatching(/^WorkerDefaultPolicy/), type: 'AWS::IAM::Policy', changedProperties: ['PolicyDocument'], changedAttributes: [] },
  ]);
  expect(stackA.otherChanges).toEqual([]);
});

test('flags only the new grants as broadening, including those of an added stack, each once', () => {
  expect(diff.permissions.broadening.map(grant)).toEqual([
    { stack: 'Prod/A', type: 'AWS::EC2::SecurityGroupIngress', where: 'Properties', rule: expect.objectContaining({ CidrIp: '198.51.100.0/24', FromPort: 443 }) },
    { stack: 'Prod/A', type: 'AWS::IAM::Policy', where: 'PolicyDocument', rule: expect.objectContaining({ Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'] }) },
    { stack: 'Prod/A', type: 'AWS::IAM::Role', where: 'AssumeRolePolicyDocument', rule: expect.objectContaining({ Principal: { Service: ['lambda.amazonaws.com'] } }) },
    { stack: 'Prod/A', type: 'AWS::EC2::SecurityGroup', where: 'SecurityGroupIngress', rule: expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 8080 }) },
    { stack: 'Prod/A', type: 'AWS::IAM::Policy', where: 'PolicyDocument', rule: { Action: ['s3:*'], Effect: 'Allow', Resource: ['*'] } },
    { stack: 'Prod/C', type: 'AWS::SNS::TopicPolicy', where: 'PolicyDocument', rule: expect.objectContaining({ Action: ['sns:Publish'] }) },
  ]);
  // The new role's default policy is one grant, its statement; its `Roles` attachment is shown with it.
  const reader = diff.permissions.broadening.find((rule) => rule.logicalId.startsWith('ReaderDefaultPolicy'))!;
  expect(reader.attachedTo).toEqual([expect.stringMatching(/^Roles: \{"Ref":"Reader[0-9A-F]{8}"\}$/)]);
  expect(diff.permissions.broadening.filter((rule) => rule.kind === 'policy-attachment')).toEqual([]);
  expect(diff.permissions.removed).toEqual([]);
  expect(diff.permissions.addedDenies).toEqual([]);
});

test('renders stacks, resource changes and the broadening warning as Markdown', () => {
  const md = renderMarkdown(diff);
  expect(md).toContain('- ➕ added `Prod/C`');
  expect(md).toContain('- ➖ removed `Prod/B`');
  expect(md).toContain('- ✏️ changed `Prod/A`');
  expect(md).toContain('### ⚠️ Permission broadening: 6 new grants');
  expect(md).toMatch(/\| PolicyDocument → Roles: `\{"Ref":"Reader[0-9A-F]{8}"\}` \|/);
  expect(md).toContain('`{"Action":["s3:*"],"Effect":"Allow","Resource":["*"]}`');
  expect(md).toMatch(/\| ✏️ modified \| `Data\w+` \| AWS::S3::Bucket \| VersioningConfiguration \|/);
  expect(md).toMatch(/\| ➖ removed \| `Scratch\w+` \| AWS::SQS::Queue \|/);
  expect(md).not.toContain(NO_BROADENING);
});

test('two syntheses of the same app have no changes and no broadening', () => {
  const same = diffAssemblies(readAssembly(dirs.base), readAssembly(dirs.baseAgain));
  expect(same.unchangedStacks).toEqual(['Prod/A', 'Prod/B']);
  expect(same.changedStacks).toEqual([]);
  expect(same.permissions.broadening).toEqual([]);
  const md = renderMarkdown(same);
  expect(md).toMatch(/no changes/i);
  expect(md).toContain(NO_BROADENING);
  expect(md).not.toContain('⚠️');
});

test('exits 0 on a valid diff unless broadening fails it, and 1 on bad arguments', () => {
  expect(runCli([dirs.base, dirs.head])).toMatchObject({ exitCode: 0, stderr: '' });
  expect(runCli([dirs.base, dirs.baseAgain, '--fail-on-broadening'])).toMatchObject({ exitCode: 0 });
  expect(runCli([dirs.base])).toMatchObject({ exitCode: 1, stdout: '' });
  expect(runCli([dirs.base, dirs.head, '--frobnicate']).stderr).toContain('unknown option --frobnicate');
});

test('--help prints the usage and exits 0, through the projen task too', async () => {
  for (const flag of ['--help', '-h']) {
    expect(runCli([flag])).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^usage: npx projen infra-diff <base-assembly-dir> <head-assembly-dir>/), stderr: '' });
  }
  const task = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile('npx', ['projen', 'infra-diff', '--help'], { cwd: REPO_ROOT }, (error, stdout) => resolve({ code: error ? error.code as number : 0, stdout }));
  });
  expect(task.code).toBe(0);
  expect(task.stdout).toContain('--fail-on-broadening   exit 2 when the head adds a grant');
});

test('the CLI process prints Markdown and uses exit codes 2 and 1', async () => {
  const [broadened, missing] = await Promise.all([
    runProcess([dirs.base, dirs.head, '--fail-on-broadening']),
    runProcess([dirs.root, dirs.head]),
  ]);
  expect(broadened.code).toBe(2);
  expect(broadened.stdout).toContain('### ⚠️ Permission broadening');
  expect(missing.code).toBe(1);
  expect(missing.stdout).toBe('');
  expect(missing.stderr.trim().split('\n')).toEqual([expect.stringContaining('no manifest.json')]);
});

function runProcess(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'tools/infra-diff/cli.ts', ...args], { cwd: REPO_ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code as number : 0, stdout, stderr });
    });
  });
}
