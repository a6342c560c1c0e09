import * as path from 'path';
import { diffAssemblies, diffStack } from '../../../tools/infra-diff/diff-templates';
import { AssemblyError, readAssembly } from '../../../tools/infra-diff/read-assembly';
import { renderMarkdown } from '../../../tools/infra-diff/render-markdown';
import { CfnTemplate } from '../../../tools/infra-diff/template';

const FIXTURES = path.resolve(__dirname, '../../fixtures/infra-diff');

const one = (template: CfnTemplate) => new Map([['S', template]]);
const policy = (...Statement: unknown[]): CfnTemplate => ({
  Resources: { P: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement }, Roles: [{ Ref: 'R' }] } } },
});

describe('resource diff', () => {
  test('ignores construct-path and asset metadata and the CDKMetadata resource', () => {
    const before: CfnTemplate = {
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Metadata: { 'aws:cdk:path': 'S/Old/Resource' } },
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:a' } },
      },
      Conditions: { CDKMetadataAvailable: { 'Fn::Equals': ['a', 'a'] } },
    };
    const after: CfnTemplate = {
      Resources: {
        Q: { Type: 'AWS::SQS::Queue', Metadata: { 'aws:cdk:path': 'S/New/Resource', 'aws:asset:path': 'asset.1' } },
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:b' } },
      },
    };
    expect(diffAssemblies(one(before), one(after)).unchangedStacks).toEqual(['S']);
  });

  test('reports other metadata, resource attributes and template sections', () => {
    const before: CfnTemplate = { Resources: { Q: { Type: 'AWS::SQS::Queue' } }, Outputs: { Url: { Value: 'a' } } };
    const after: CfnTemplate = {
      Resources: { Q: { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain', Metadata: { cdk_nag: { rules_to_suppress: [] } } } },
      Outputs: { Url: { Value: 'b' } },
      Description: 'new',
    };
    const diff = diffStack('S', before, after);
    expect(diff.modified).toEqual([{ logicalId: 'Q', type: 'AWS::SQS::Queue', changedProperties: [], changedAttributes: ['DeletionPolicy', 'Metadata'] }]);
    expect(diff.otherChanges).toEqual(['Description', 'Outputs.Url']);
  });

  test('counts a changed type under the same logical id as removed plus added', () => {
    const diff = diffStack('S', { Resources: { X: { Type: 'AWS::SQS::Queue' } } }, { Resources: { X: { Type: 'AWS::SNS::Topic' } } });
    expect(diff).toMatchObject({ added: [{ logicalId: 'X', type: 'AWS::SNS::Topic' }], removed: [{ logicalId: 'X', type: 'AWS::SQS::Queue' }], modified: [] });
  });

  test('a logical id that names an Object.prototype member is an ordinary resource', () => {
    const diff = diffStack('S', { Resources: {} }, { Resources: { constructor: { Type: 'AWS::SQS::Queue' } } });
    expect(diff).toMatchObject({ added: [{ logicalId: 'constructor', type: 'AWS::SQS::Queue' }], removed: [] });
  });
});

describe('permission broadening', () => {
  test('treats single strings, lists and their order alike', () => {
    const before = policy({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:a', Principal: { AWS: 'x' } });
    const after = policy({ Principal: { AWS: ['x'] }, Resource: ['arn:a'], Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow' });
    expect(diffAssemblies(one(before), one(after)).permissions).toEqual({ broadening: [], addedDenies: [], removed: [] });
  });

  test('a widened statement is one removal and one broadening; an added Deny is not broadening', () => {
    const before = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const after = policy({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' });
    const { broadening, addedDenies, removed } = diffAssemblies(one(before), one(after)).permissions;
    expect(broadening.map((r) => r.rule)).toEqual(['{"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":["*"]}']);
    expect(addedDenies.map((r) => r.rule)).toEqual(['{"Action":["*"],"Effect":"Deny","Resource":["*"]}']);
    expect(removed.map((r) => r.rule)).toEqual(['{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["*"]}']);
    expect(renderMarkdown(diffAssemblies(one(before), one(after)))).toContain('| ➕ added Deny |');
  });

  test('finds role inline policies, managed policy attachments, policy attachments and Lambda permissions', () => {
    const before: CfnTemplate = { Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } } };
    const after: CfnTemplate = {
      Resources: {
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Statement: [] },
            Policies: [{ PolicyName: 'Inline', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] } }],
            ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
          },
        },
        M: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [] }, Roles: [{ Ref: 'R' }] } },
        L: { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', Principal: '*', FunctionName: 'f' } },
      },
    };
    const found = diffAssemblies(one(before), one(after)).permissions.broadening.map((r) => [r.logicalId, r.kind, r.where]);
    expect(found).toEqual([
      ['L', 'lambda-permission', 'Properties'],
      ['M', 'policy-attachment', 'Roles'],
      ['R', 'managed-policy', 'ManagedPolicyArns'],
      ['R', 'iam-statement', 'Policies[Inline]'],
    ]);
  });
});

describe('a grant is counted once', () => {
  const role: CfnTemplate['Resources'] = { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } };
  const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
  const attached = (roles: string[], ...Statement: unknown[]): CfnTemplate['Resources'] => ({
    P: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: { Statement }, Roles: roles.map((Ref) => ({ Ref })) } },
  });
  const changes = (before: CfnTemplate, after: CfnTemplate) => diffAssemblies(one(before), one(after)).permissions;

  test('a new policy attached to a role is its statements, shown with the role they reach, not an attachment besides', () => {
    const { broadening, addedDenies, removed } = changes({ Resources: role }, { Resources: { ...role, ...attached(['R'], read) } });
    expect(broadening.map((r) => [r.logicalId, r.kind, r.where, r.attachedTo])).toEqual([['P', 'iam-statement', 'PolicyDocument', ['Roles: {"Ref":"R"}']]]);
    expect([addedDenies, removed]).toEqual([[], []]);
    const md = renderMarkdown(diffAssemblies(one({ Resources: role }), one({ Resources: { ...role, ...attached(['R'], read) } })));
    expect(md).toContain('### ⚠️ Permission broadening: 1 new grant\n');
    expect(md).toContain('| PolicyDocument → Roles: `{"Ref":"R"}` |');
  });

  test('attaching an existing policy to another role is one grant: the attachment', () => {
    const { broadening } = changes({ Resources: { ...role, ...attached(['R'], read) } }, { Resources: { ...role, ...attached(['R', 'R2'], read) } });
    expect(broadening.map((r) => [r.kind, r.where, r.rule, r.attachedTo])).toEqual([['policy-attachment', 'Roles', '{"Ref":"R2"}', undefined]]);
  });

  test('a new statement in an attached policy is one grant; a new attachment of it too, for the statements it had', () => {
    const write = { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' };
    const { broadening } = changes({ Resources: attached(['R'], read) }, { Resources: attached(['R', 'R2'], read, write) });
    expect(broadening.map((r) => [r.kind, r.where, r.attachedTo])).toEqual([['iam-statement', 'PolicyDocument', undefined], ['policy-attachment', 'Roles', undefined]]);
  });

  test('a new deny-only policy broadens nothing; a removed policy is removed once', () => {
    const deny = { Effect: 'Deny', Action: '*', Resource: '*' };
    expect(changes({ Resources: role }, { Resources: { ...role, ...attached(['R'], deny) } })).toMatchObject({ broadening: [], addedDenies: [{ kind: 'iam-statement' }] });
    expect(changes({ Resources: { ...role, ...attached(['R'], read) } }, { Resources: role }).removed.map((r) => [r.kind, r.attachedTo]))
      .toEqual([['iam-statement', ['Roles: {"Ref":"R"}']]]);
  });
});

describe('reading assemblies', () => {
  test('names stacks without a display name by stage path and artifact id', () => {
    expect([...readAssembly(path.join(FIXTURES, 'legacy-assembly')).keys()]).toEqual(['Beta/BetaSvc1234', 'Top']);
  });

  test('rejects a directory without manifest.json', () => {
    expect(() => readAssembly(FIXTURES)).toThrow(AssemblyError);
  });
});
