import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  readonly emails: readonly string[];
}

/** An encrypted SNS topic that pipeline notifications (failures, approvals needed) are sent to. */
export class NotificationTopic extends Construct {
  public readonly topic: sns.Topic;

  public constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { description: 'Encrypts pipeline notifications', enableKeyRotation: true });
    // CodeStar Notifications publishes to the encrypted topic, so it must be able to use the key.
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      principals: [new iam.ServicePrincipal('codestar-notifications.amazonaws.com')],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${key.stack.region}.amazonaws.com` } },
    }));
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
