import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ArtifactBucketsProps {
  readonly removalPolicy: RemovalPolicy;
  /** Days an app pipeline artifact (source zip, image definitions) is kept. */
  readonly artifactDays: number;
  /** Days an S3 access log is kept. */
  readonly accessLogDays: number;
}

/** The app pipeline's artifact store, KMS-encrypted and SSL-only, with its access logs in a bucket of their own. */
export class ArtifactBuckets extends Construct {
  public readonly artifactBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly artifactKey: kms.Key;

  public constructor(scope: Construct, id: string, props: ArtifactBucketsProps) {
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
      // A stage that may be deleted (dev) must not leave a versioned bucket CloudFormation cannot delete.
      autoDeleteObjects: destroy,
    });
    this.artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: 'Encrypts the app pipeline artifacts',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.artifactKey,
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
}
