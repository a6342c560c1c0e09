import * as path from 'path';
import { copyOfAssembly, OPTIONS, REPO_ROOT, removeCopies } from './fixtures';
import { AcknowledgementSources } from '../../../src/compliance/report/acknowledgement-sources';
import { loadComplianceModel } from '../../../src/compliance/report/load-model';
import { unreportedAcknowledgements } from '../../../src/compliance/report/unreported-acknowledgements';

afterAll(removeCopies);

test('"Declared at" is the entry that declares the acknowledgement, once the synth has recorded it', () => {
  const dir = copyOfAssembly('findings');
  const before = loadComplianceModel(dir, OPTIONS).findings.find(f => f.acknowledged?.id === 'AwsSolutions::AwsSolutions-S1');
  AcknowledgementSources.write(path.join(dir, 'compliance'), [
    { id: 'AwsSolutions::AwsSolutions-S1', at: 'Pipeline/ArtifactsBucket', file: 'src/compliance/acknowledgements.ts', line: 77 },
  ]);
  const after = loadComplianceModel(dir, OPTIONS).findings.find(f => f.acknowledged?.id === 'AwsSolutions::AwsSolutions-S1');
  expect(before!.acknowledged!.source).not.toEqual(expect.objectContaining({ line: 77 }));
  expect(after!.acknowledged!.source).toEqual({ file: 'src/compliance/acknowledgements.ts', line: 77, column: 1 });
});

test('an acknowledgement a library construct made itself, for a tool the gate does not run, is explained, not reported as unused', () => {
  const [library, ours] = unreportedAcknowledgements([
    {
      id: 'CloudFormation-Validate::F3002',
      reason: 'FlowLog DestinationOptions accepts camelCase',
      at: 'Pipeline/dev/Service/Network/Vpc/All',
      trace: ['    ...new Vpc2 in aws-cdk-lib...', `    at new PrivateNetwork (${REPO_ROOT}/src/stages/network/private-network.ts:23:16)`],
    },
    {
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason: 'Environment variables hold no secrets.',
      at: 'Pipeline/dev/Service',
      trace: [`    at acknowledgeAcceptedFindings (${REPO_ROOT}/src/compliance/acknowledgements.ts:188:31)`],
    },
  ], [], ['AwsSolutions', 'cdk-validator-cfnguard'], { repoRoot: REPO_ROOT, sourceDirs: ['src'] });
  expect(library).toMatchObject({
    status: 'library',
    declaredBy: { library: 'aws-cdk-lib', construct: 'Vpc' },
    source: { file: 'src/stages/network/private-network.ts', line: 23 },
  });
  expect(ours).toMatchObject({ status: 'unused', source: { file: 'src/compliance/acknowledgements.ts', line: 188 } });
  expect(ours.declaredBy).toBeUndefined();
});
