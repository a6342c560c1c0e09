import { CloudFormationValidatePlugin } from 'aws-cdk-lib';
import { BackgroundCloudFormationValidate, VALIDATOR_VERSION } from '../../../src/compliance/background/background-cloudformation-validate';

test('reports the version and rule ids aws-cdk-lib\'s own plugin reports, which it reads from the engine', () => {
  const engineAnswer = new CloudFormationValidatePlugin();
  // Without the constructor, which starts a worker thread: the two getters need nothing of the instance.
  const ours: BackgroundCloudFormationValidate = Object.create(BackgroundCloudFormationValidate.prototype);
  expect(VALIDATOR_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  expect({ version: ours.version, ruleIds: ours.ruleIds }).toEqual({ version: engineAnswer.version, ruleIds: engineAnswer.ruleIds });
});
