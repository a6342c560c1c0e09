import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { RenderedResource, getAttOf, isObject } from './cfn-template';
import { Statement, globMatches } from './iam-statements';

/**
 * Decides whether a statement's `Resource` reaches a given resource of the template, when either side may
 * be built from intrinsics.
 *
 * Both sides are turned into strings. A reference to a resource of the stack becomes the ARN or name it
 * resolves to, with the resource's literal name when it has one and otherwise a placeholder unique to its
 * logical id (`__name_TaskRole1234__`), so `{"Fn::GetAtt": ["TaskRole1234", "Arn"]}` in a policy matches
 * the same role's ARN, `arn:aws:iam::*:role/*` matches it too, and `arn:aws:iam::*:role/app-*` does not
 * (its generated name is unknown). Pseudo parameters are `*` on the policy side (they resolve to this
 * deployment's own partition, account and region) and the stack's own values, or fixed stand-ins, on
 * the target side. An `Fn::GetAtt` of a resource outside this template, and any intrinsic the matcher
 * cannot see through (`Fn::ImportValue`, `Fn::If`, ...), becomes a placeholder that only the very same
 * intrinsic matches.
 */
export class ResourceCoverage {
  private readonly partition: string;
  private readonly account: string;
  private readonly region: string;

  constructor(stack: Stack, private readonly template: Map<string, RenderedResource>) {
    const concrete = (value: string, fallback: string) => (Token.isUnresolved(value) ? fallback : value);
    this.partition = concrete(stack.partition, 'aws');
    this.account = concrete(stack.account, '000000000000');
    this.region = concrete(stack.region, 'region-1');
  }

  /** Whether the statement's `Resource` (or `NotResource`) reaches the target. */
  public covers(statement: Statement, target: unknown): boolean {
    const resolvedTarget = this.symbolize(target, 'target');
    const reaches = (pattern: unknown) => globMatches(this.symbolize(pattern, 'pattern'), resolvedTarget, false);
    if (statement.resources) {
      return statement.resources.some(reaches);
    }
    return statement.notResources !== undefined && !statement.notResources.some(reaches);
  }

  /**
   * Whether the target can be told apart from other resources: false when it comes from another stack
   * (`Fn::ImportValue`, `Fn::GetStackOutput`, an `Fn::GetAtt` of a resource not in this template) or
   * from another intrinsic the matcher cannot see through. A policy then usually names the resource in a
   * form that cannot be related to the target (the bucket's ARN output where the pipeline uses its name
   * output), so a miss would prove nothing.
   */
  public canVerify(target: unknown): boolean {
    return !/__(opaque|foreign)_/.test(this.symbolize(target, 'target'));
  }

  /** The value as a policy-side glob, for comparing condition values that are intrinsics. */
  public asPattern(value: unknown): string {
    return this.symbolize(value, 'pattern');
  }

  private symbolize(value: unknown, side: 'pattern' | 'target', depth = 0): string {
    const visit = (node: unknown) => this.symbolize(node, side, depth + 1);
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (!isObject(value) || depth > 10) {
      return opaque(value);
    }
    if (typeof value.Ref === 'string') {
      return this.reference(value.Ref, undefined, side, depth);
    }
    const getAtt = getAttOf(value);
    if (getAtt) {
      return this.reference(getAtt[0], getAtt[1], side, depth);
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(visit).join(join[0]);
    }
    const sub = value['Fn::Sub'];
    if (sub !== undefined) {
      const [template, variables] = Array.isArray(sub) ? sub : [sub, {}];
      if (typeof template === 'string') {
        return template.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
          if (name.startsWith('!')) {
            return `\${${name.slice(1)}}`;
          }
          if (isObject(variables) && name in variables) {
            return visit(variables[name]);
          }
          const dot = name.indexOf('.');
          return dot > 0 && !name.startsWith('AWS::')
            ? this.reference(name.slice(0, dot), name.slice(dot + 1), side, depth)
            : this.reference(name, undefined, side, depth);
        });
      }
    }
    return opaque(value);
  }

  private reference(logicalId: string, attribute: string | undefined, side: 'pattern' | 'target', depth: number): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': this.partition,
      'AWS::AccountId': this.account,
      'AWS::Region': this.region,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (attribute === undefined && logicalId.startsWith('AWS::')) {
      return side === 'pattern' ? '*' : pseudo[logicalId] ?? `__${logicalId.replace(/\W/g, '_')}__`;
    }
    const resource = this.template.get(logicalId);
    if (!resource && attribute !== undefined) {
      return `__foreign_${logicalId}_${attribute.replace(/\W/g, '_')}__`;
    }
    const partition = side === 'pattern' ? '*' : this.partition;
    const account = side === 'pattern' ? '*' : this.account;
    const region = side === 'pattern' ? '*' : this.region;
    const name = (property: string) => {
      const value = resource?.properties[property];
      return value === undefined ? `__name_${logicalId}__` : this.symbolize(value, side, depth + 1);
    };
    if (resource?.type === 'AWS::IAM::Role') {
      if (attribute === undefined) return name('RoleName');
      if (attribute === 'Arn') {
        const path = typeof resource.properties.Path === 'string' ? resource.properties.Path : '/';
        return `arn:${partition}:iam::${account}:role${path}${name('RoleName')}`;
      }
    }
    if (resource?.type === 'AWS::S3::Bucket') {
      if (attribute === undefined) return name('BucketName');
      if (attribute === 'Arn') return `arn:${partition}:s3:::${name('BucketName')}`;
    }
    if (resource?.type === 'AWS::KMS::Key') {
      if (attribute === undefined || attribute === 'KeyId') return `__id_${logicalId}__`;
      if (attribute === 'Arn') return `arn:${partition}:kms:${region}:${account}:key/__id_${logicalId}__`;
    }
    // A Ref to a parameter names the same value wherever it is used.
    return attribute === undefined ? `__ref_${logicalId}__` : `__att_${logicalId}_${attribute.replace(/\W/g, '_')}__`;
  }
}

/** A placeholder that only the same intrinsic produces; word characters only, so never a wildcard. */
function opaque(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `__opaque_${createHash('sha256').update(text).digest('hex').slice(0, 16)}__`;
}
