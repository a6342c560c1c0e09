import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LogEncryptionKey } from './log-encryption-key';

/** How every log group of one stack is kept: for how long, encrypted with which key, and what deletion does. */
export interface LogSettings {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The key outlives no log group and no log group outlives it: both follow `removalPolicy`. */
  readonly encryptionKey: kms.IKey;
}

export function encryptedLogGroup(scope: Construct, id: string, settings: LogSettings): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: settings.retention,
    removalPolicy: settings.removalPolicy,
    encryptionKey: settings.encryptionKey,
  });
}

/** The log settings of one stack: a key of its own, and one retention and removal policy for keys and groups. */
export function logSettingsFor(scope: Construct, props: { retention: logs.RetentionDays; removalPolicy: RemovalPolicy }): LogSettings {
  return {
    retention: props.retention,
    removalPolicy: props.removalPolicy,
    encryptionKey: new LogEncryptionKey(scope, 'LogEncryption', { removalPolicy: props.removalPolicy }).key,
  };
}
