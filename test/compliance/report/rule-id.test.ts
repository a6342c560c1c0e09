import { parseRuleId, qualifyRuleId } from '../../../src/compliance/report/rule-id';

test.each([
  ['AwsSolutions-S1', 'AwsSolutions', 'AwsSolutions::AwsSolutions-S1'],
  ['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions', 'AwsSolutions::AwsSolutions-IAM5[Action::s3:*]'],
  ['F0001', 'CloudFormation Validate', 'CloudFormation-Validate::F0001'],
  ['MyWarning', 'Construct Annotations', 'Annotation::MyWarning'],
  ['annotation::MyWarning', 'Anything', 'Annotation::MyWarning'],
  ['Other::Rule name', 'P', 'Other::Rule-name'],
])('%s from plugin %s is acknowledged as %s', (ruleName, plugin, expected) => {
  expect(qualifyRuleId(ruleName, plugin)).toBe(expected);
});

test('splits on the first :: outside brackets only', () => {
  expect(parseRuleId('A::B[x::y]')).toEqual({ namespace: 'A', rule: 'B[x::y]' });
  expect(parseRuleId('B[x::y]')).toEqual({ rule: 'B[x::y]' });
  expect(parseRuleId('::B')).toEqual({ rule: '::B' });
});
