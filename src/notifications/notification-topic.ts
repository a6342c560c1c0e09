import { RemovalPolicy } from 'aws-cdk-lib';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IDependable } from 'constructs';

export interface NotificationTopicProps {
  readonly emails: readonly string[];
}

/** An encrypted SNS topic that a pipeline's failures and pending approvals are sent to. */
export class NotificationTopic extends Construct {
  public readonly topic: sns.Topic;

  public constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    // A topic keeps no messages, so its key goes with it: a retained key that nothing uses is billed every month.
    const key = new kms.Key(this, 'Key', { description: 'Encrypts pipeline notifications', enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
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

  /**
   * Sends these events of the pipeline to the topic. The rule waits for the topic policy that lets CodeStar
   * Notifications publish: created side by side, the rule can come first and fail with "Invalid request
   * provided" (aws/aws-cdk#29484). `after` lists anything else the rule must wait for.
   */
  public notifyOn(
    pipeline: codepipeline.IPipeline,
    ruleName: string,
    events: codepipeline.PipelineNotificationEvents[],
    after: IDependable[] = [],
  ): void {
    // Named by the caller: a rule's name is unique in its account and region, and the generated one carries
    // no app name, so a second platform in the account would collide with the first.
    const rule = pipeline.notifyOn('Notifications', this.topic, { events, notificationRuleName: ruleName });
    const topicPolicy = this.topic.node.tryFindChild('Policy');
    if (topicPolicy) rule.node.addDependency(topicPolicy);
    for (const dependency of after) rule.node.addDependency(dependency);
  }
}
