import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ArtifactStoreProps {
  /** Fixed, so that stages, deployed before it, can name it in their deploy roles' policies. */
  readonly bucketName: string;
  /** Fixed, so that the app pipeline, in another region's stack, can name the key of a regional store. */
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
 * managed key wherever a role of another account reads from it.
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
   * Lets roles that the pipeline construct cannot grant itself use the store: roles from another stack,
   * which it only knows by ARN. Each is named as a principal of the bucket and key policies, which for a
   * role of this account is all it needs; a role of another account also needs its own policy to allow it.
   */
  public grantToRole(roleArns: readonly string[], access: 'read' | 'read-write'): void {
    if (roleArns.length === 0) return;
    const principals = roleArns.map((arn) => new iam.ArnPrincipal(arn));
    const objectActions = access === 'read' ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'];
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: objectActions, resources: [this.bucket.arnForObjects('*')] }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [this.bucket.bucketArn] }));
    const keyActions = access === 'read' ? ['kms:Decrypt', 'kms:DescribeKey'] : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
    this.key.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: keyActions, resources: ['*'] }));
  }
}
