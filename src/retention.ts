import { RemovalPolicy } from 'aws-cdk-lib';

/** What the configuration says happens to data when its stack is deleted: `retain` or `destroy`. */
export type Retention = 'retain' | 'destroy';

/**
 * `retain` keeps a resource when its stack is deleted or the resource is replaced, except when its first
 * create fails (CloudFormation's RetainExceptOnCreate): a rolled-back create then leaves nothing behind that
 * a retry would collide with, such as a named repository, and no orphan that is billed but never used.
 */
export function removalPolicyFor(retention: Retention): RemovalPolicy {
  return retention === 'retain' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
}
