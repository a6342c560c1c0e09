import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from './cfn-template';

/**
 * A resource that is kept when its stack is deleted uses `RetainExceptOnCreate`, not `Retain`. With `Retain`,
 * a first create that fails and rolls back leaves the resource behind: a named one (a repository, a bucket)
 * then makes the retry fail with AlreadyExists, and an unnamed one (a key, a log group) is billed with
 * nothing using it. `RetainExceptOnCreate` deletes what a failed create made and keeps everything else.
 *
 * Findings: `DeletionPolicy::Retain`.
 */
export function RetainExceptOnCreate(node: CfnResource): NagRuleResult {
  const resource = renderResource(node);
  if (!resource || resource.deletionPolicy === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return resource.deletionPolicy === 'Retain' ? ['DeletionPolicy::Retain'] : NagRuleCompliance.COMPLIANT;
}
