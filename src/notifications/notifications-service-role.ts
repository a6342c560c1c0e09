import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { encryptedLogGroup, type LogSettings } from '../logs/log-settings';

const SERVICE = 'codestar-notifications.amazonaws.com';
const ROLE_NAME = 'AWSServiceRoleForCodeStarNotifications';

/**
 * Makes sure CodeStar Notifications' service-linked role exists before a notification rule is created.
 * The service creates the role itself with an account's first rule, but that can take minutes, and until
 * it exists the rule's creation fails (aws/aws-cdk#34406). `AWS::IAM::ServiceLinkedRole` cannot do this:
 * it fails when the role is already there, as it is in any account that ever had a rule. So the role is
 * created through the IAM API, where "already taken" is an answer, not an error; it is never deleted
 * (other stacks and consoles may rely on it).
 */
export class NotificationsServiceRole extends Construct {
  public constructor(scope: Construct, id: string, props: { logs: LogSettings }) {
    super(scope, id);
    const roleArn = Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `aws-service-role/${SERVICE}/${ROLE_NAME}` });
    new cr.AwsCustomResource(this, 'Create', {
      resourceType: 'Custom::ServiceLinkedRole',
      installLatestAwsSdk: false,
      logGroup: encryptedLogGroup(this, 'Logs', props.logs),
      onCreate: {
        service: 'IAM',
        action: 'createServiceLinkedRole',
        parameters: { AWSServiceName: SERVICE },
        physicalResourceId: cr.PhysicalResourceId.of(ROLE_NAME),
        ignoreErrorCodesMatching: '^InvalidInput(Exception)?$',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [roleArn],
        conditions: { StringEquals: { 'iam:AWSServiceName': SERVICE } },
      })]),
    });
  }
}
