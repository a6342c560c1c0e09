import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { findingsOf, newStack } from './run-pack';

describe('PlatformChecks-RetainExceptOnCreate', () => {
  test('a retained repository or bucket fails with plain Retain: a failed first create would leave it behind', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { bucketName: 'named-bucket', removalPolicy: RemovalPolicy.RETAIN });
    expect(findingsOf(stack, 'RetainExceptOnCreate')).toEqual(['PlatformChecks-RetainExceptOnCreate[DeletionPolicy::Retain]']);
  });

  test.each([[RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE], [RemovalPolicy.DESTROY], [RemovalPolicy.SNAPSHOT]])('%s passes', (removalPolicy) => {
    const stack = newStack();
    new kms.Key(stack, 'Key', { removalPolicy });
    expect(findingsOf(stack, 'RetainExceptOnCreate')).toEqual([]);
  });
});

describe('PlatformChecks-KmsKeyRetention', () => {
  function groupAndKey(group: RemovalPolicy, key: RemovalPolicy) {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'Key', { removalPolicy: key });
    new logs.LogGroup(stack, 'Logs', { encryptionKey, removalPolicy: group });
    return stack;
  }

  test('a retained log group whose key is deleted fails: its logs could never be read again', () => {
    expect(findingsOf(groupAndKey(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, RemovalPolicy.DESTROY), 'KmsKeyRetention'))
      .toEqual([expect.stringMatching(/^PlatformChecks-KmsKeyRetention\[KeyDeleted::Logs\w+\]$/)]);
  });

  test('a retained key whose data are all deleted fails: it would be billed for nothing', () => {
    expect(findingsOf(groupAndKey(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE), 'KmsKeyRetention'))
      .toEqual(['PlatformChecks-KmsKeyRetention[KeyOrphaned]']);
    const stack = newStack();
    new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key', { removalPolicy: RemovalPolicy.RETAIN }) });
    expect(findingsOf(stack, 'KmsKeyRetention')).toEqual(['PlatformChecks-KmsKeyRetention[KeyOrphaned]']);
  });

  test.each([
    ['both kept', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
    ['both deleted', RemovalPolicy.DESTROY, RemovalPolicy.DESTROY],
  ])('key and data %s pass', (_, group, key) => {
    expect(findingsOf(groupAndKey(group, key), 'KmsKeyRetention')).toEqual([]);
  });

  test('a key kept for one retained resource among deleted ones passes; a key that encrypts nothing here is not judged', () => {
    const stack = groupAndKey(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    new s3.Bucket(stack, 'Bucket', { encryptionKey: stack.node.findChild('Key') as kms.Key, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    expect(findingsOf(stack, 'KmsKeyRetention')).toEqual([]);
    const lonely = newStack();
    new kms.Key(lonely, 'Key', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    expect(findingsOf(lonely, 'KmsKeyRetention')).toEqual([]);
  });
});

describe('PlatformChecks-NotificationRuleAfterTopicPolicy', () => {
  /** A topic with the policy CodeStar Notifications needs, and a rule that targets it. */
  function ruleAndTopic() {
    const stack = newStack();
    const topic = new sns.CfnTopic(stack, 'Topic');
    const policy = new sns.CfnTopicPolicy(stack, 'TopicPolicy', {
      topics: [topic.ref],
      policyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'codestar-notifications.amazonaws.com' }, Action: 'sns:Publish', Resource: topic.ref }] },
    });
    const rule = new CfnResource(stack, 'Rule', {
      type: 'AWS::CodeStarNotifications::NotificationRule',
      properties: {
        Name: 'failures',
        DetailType: 'FULL',
        EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed'],
        Resource: 'arn:aws:codepipeline:eu-west-1:123456789012:app',
        Targets: [{ TargetType: 'SNS', TargetAddress: topic.ref }],
      },
    });
    return { stack, policy, rule };
  }

  test('a rule created beside the topic policy fails: it may come first and be refused', () => {
    const { stack } = ruleAndTopic();
    expect(findingsOf(stack, 'NotificationRuleAfterTopicPolicy')).toEqual(['PlatformChecks-NotificationRuleAfterTopicPolicy[DependsOn::TopicPolicy]']);
  });

  test('a rule that depends on the topic policy passes', () => {
    const { stack, policy, rule } = ruleAndTopic();
    rule.addResourceDependency(policy);
    expect(findingsOf(stack, 'NotificationRuleAfterTopicPolicy')).toEqual([]);
  });

  test('a target topic nothing lets CodeStar Notifications publish to fails', () => {
    const { stack } = ruleAndTopic();
    stack.node.tryRemoveChild('TopicPolicy');
    expect(findingsOf(stack, 'NotificationRuleAfterTopicPolicy')).toEqual(['PlatformChecks-NotificationRuleAfterTopicPolicy[TopicPolicy::none]']);
  });
});

describe('PlatformChecks-KmsKeyRetention through an alias', () => {
  test('a bucket encrypted through an alias counts as data of the key behind it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY });
    const alias = new kms.Alias(stack, 'Alias', { aliasName: 'alias/artifacts', targetKey: key });
    new s3.Bucket(stack, 'Bucket', { encryptionKey: alias, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    expect(findingsOf(stack, 'KmsKeyRetention')).toEqual([expect.stringMatching(/^PlatformChecks-KmsKeyRetention\[KeyDeleted::Bucket\w+\]$/)]);
  });
});
