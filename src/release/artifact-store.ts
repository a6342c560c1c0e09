import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** A role of another stack, named by account and name because it may not exist yet. */
export interface RoleReference {
  readonly account: string;
  readonly roleName: string;
}

export interface ArtifactStoreProps {
  /** Fixed, so that the stages' deploy roles and the app pipeline, from other stacks, can name it. */
  readonly bucketName: string;
  /** Fixed, so that the app pipeline can name the key of a store in another region. */
  readonly keyAlias: string;
  readonly removalPolicy: RemovalPolicy;
  /** Days an app pipeline artifact (source zip, image definitions) is kept. */
  readonly artifactDays: number;
  /** Days an S3 access log is kept. */
  readonly accessLogDays: number;
}

/**
 * An artifact store of the app pipeline in one region: a KMS-encrypted, SSL-only bucket with its access logs
 * in a bucket of their own. CodePipeline needs one in every region where it runs an action, and a customer
 * managed key wherever a role of another account reads from it. It lives with the release, before any stage
 * or the pipeline exists: the image build must encrypt its output with this very key (CodeBuild ignores
 * the pipeline's key and uses its project's), so key and project come before the pipeline.
 */
export class ArtifactStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly key: kms.Key;

  public constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access logging only delivers to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogDays), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: props.removalPolicy,
      // A store that may be deleted must not leave a versioned bucket CloudFormation cannot delete.
      autoDeleteObjects: destroy,
    });
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the app pipeline artifacts',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      alias: props.keyAlias,
    });
    this.bucket = new s3.Bucket(this, 'Artifacts', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ expiration: Duration.days(props.artifactDays), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
  }

  /**
   * Lets roles of other accounts read the store: the stages' deploy roles, which read image definitions.
   * They are deployed after the store, so the policies name their accounts and match each role by
   * `aws:PrincipalArn`: a condition, unlike a principal, neither needs the role to exist nor breaks when
   * the role is recreated. Each role also needs its own policy to allow the reads (src/stages/deploy).
   */
  public grantReadToRolesOfOtherAccounts(roles: readonly RoleReference[]): void {
    const external = roles.filter((role) => role.account !== Stack.of(this).account);
    if (external.length === 0) return;
    const principals = [...new Set(external.map((role) => role.account))].map((account) => new iam.AccountPrincipal(account));
    const conditions = {
      ArnEquals: { 'aws:PrincipalArn': external.map((role) => Stack.of(this).formatArn({ service: 'iam', region: '', account: role.account, resource: 'role', resourceName: role.roleName })) },
    };
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({ sid: 'StageDeployRolesRead', principals, conditions, actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [this.bucket.arnForObjects('*')] }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'StageDeployRolesDecrypt', principals, conditions, actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: ['*'] }));
  }
}
