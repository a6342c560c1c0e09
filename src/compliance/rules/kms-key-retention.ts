import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isRetained, referencedLogicalIds, renderResource, renderStack } from './cfn-template';

/** Resources that name a key without holding data encrypted with it: policies, aliases, and what only uses it. */
const NOT_DATA = new Set([
  'AWS::KMS::Alias', 'AWS::KMS::Key', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role',
  'AWS::CodeBuild::Project', 'AWS::CodePipeline::Pipeline', 'AWS::SSM::Parameter',
]);

/**
 * A customer managed key is kept exactly as long as the data it encrypts. A key deleted with its stack
 * while a log group, bucket or topic that it encrypts is retained leaves that data unreadable forever; a
 * key retained while everything it encrypts is deleted is billed every month for nothing.
 *
 * The data are the resources of the same template whose properties name the key or one of its aliases (a
 * `Ref` or `Fn::GetAtt`, or an alias ARN, as `KmsKeyId`, `KmsMasterKeyId`, an encryption configuration...);
 * policies and aliases are not data. A key named by no such resource is not judged.
 *
 * Findings: `KeyDeleted::<data logical id>` for retained data whose key is deleted; `KeyOrphaned` for a
 * retained key whose data are all deleted.
 */
export function KmsKeyRetention(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const key = renderResource(node);
  if (!key) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const template = [...renderStack(Stack.of(node)).values()];
  // Data may name the key itself or one of its aliases, by reference or by the alias's name in an ARN.
  const aliases = template.filter((resource) => resource.type === 'AWS::KMS::Alias' && referencedLogicalIds(resource.properties.TargetKeyId).has(key.logicalId));
  const ids = new Set([key.logicalId, ...aliases.map((alias) => alias.logicalId)]);
  const aliasNames = aliases.map((alias) => alias.properties.AliasName).filter((name): name is string => typeof name === 'string');
  const data = template.filter((resource) => !NOT_DATA.has(resource.type) && (
    [...referencedLogicalIds(resource.properties)].some((id) => ids.has(id))
    || aliasNames.some((name) => JSON.stringify(resource.properties).includes(`:${name}"`))));
  if (data.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  if (!isRetained(key)) {
    const stranded = data.filter(isRetained).map((resource) => `KeyDeleted::${resource.logicalId}`);
    return stranded.length > 0 ? stranded : NagRuleCompliance.COMPLIANT;
  }
  return data.some(isRetained) ? NagRuleCompliance.COMPLIANT : ['KeyOrphaned'];
}
