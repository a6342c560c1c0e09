import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';

/** A violation's text split into what is wrong and how to fix it. */
export interface Explained {
  readonly description: string;
  readonly fix?: string;
}

/**
 * A validation plugin whose violations always say how to fix them. The validation report keeps a violation's
 * `fix` apart from its description (as its `suggestedFix`), and the reports and the gate's summary show it
 * before any word on acknowledging: cdk-nag's packs give none, so a finding read as "acknowledge this"
 * rather than "change this".
 */
export class PluginWithFixes implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  public constructor(
    private readonly inner: IPolicyValidationPlugin,
    private readonly explain: (ruleName: string, description: string) => Explained,
  ) {
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.inner.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => {
        if (violation.fix) return violation;
        const explained = this.explain(violation.ruleName, violation.description);
        return { ...violation, description: explained.description, fix: explained.fix };
      }),
    };
  }
}

/** PlatformChecks writes its fix into the explanation after "Fix:". */
export function fixFromExplanation(_ruleName: string, description: string): Explained {
  const at = description.indexOf(' Fix: ');
  return at === -1 ? { description } : { description: description.slice(0, at), fix: description.slice(at + ' Fix: '.length) };
}

const NAG_RULES = 'https://github.com/cdklabs/cdk-nag/blob/main/RULES.md#awssolutions';

/** How to fix the AwsSolutions rules this kind of app meets; any other rule points at cdk-nag's rule list. */
const AWS_SOLUTIONS_FIXES: Record<string, string> = {
  'AwsSolutions-IAM4': 'Replace the AWS managed policy with statements of your own that name the actions the role calls and the resources it uses (a grant* method, or role.addToPolicy).',
  'AwsSolutions-IAM5': 'Name the actions and the resources instead of the wildcard: the actions the principal calls, on the ARNs it acts on. Only when the service accepts nothing narrower, acknowledge the exact finding with the reason.',
  'AwsSolutions-S1': 'Log access to the bucket: serverAccessLogsBucket (and serverAccessLogsPrefix) on it.',
  'AwsSolutions-S10': 'Refuse requests without TLS: enforceSSL: true on the bucket.',
  'AwsSolutions-L1': 'Run the function on the project\'s Node runtime: runtime: lambdaNodeRuntime() (src/toolchain/node-runtime.ts).',
  'AwsSolutions-ECS2': 'Pass configuration to the container as secrets (ecs.Secret) or baked into the image, not as plain environment variables in the task definition.',
  'AwsSolutions-EC23': 'Admit traffic only from the security groups (or CIDRs) that need it: addIngressRule(peerSecurityGroup, port) instead of a 0.0.0.0/0 rule.',
  'AwsSolutions-EC28': 'Turn on detailed monitoring: detailedMonitoring: true on the instance.',
  'AwsSolutions-EC29': 'Turn on termination protection for the instance (disableApiTermination), or put it behind an Auto Scaling group.',
  'AwsSolutions-KMS5': 'Rotate the key: enableKeyRotation: true.',
  'AwsSolutions-SNS2': 'Encrypt the topic: masterKey: a KMS key.',
  'AwsSolutions-SNS3': 'Refuse publishers without TLS: enforceSSL: true on the topic.',
  'AwsSolutions-CB4': 'Encrypt the project\'s artifacts with a customer managed key: encryptionKey on the project.',
  'AwsSolutions-CB3': 'Turn privileged mode off unless the project builds Docker images.',
  'AwsSolutions-VPC7': 'Send VPC flow logs somewhere: flowLogs on the VPC.',
  'AwsSolutions-SQS3': 'Give the queue a dead-letter queue: deadLetterQueue on it.',
  'AwsSolutions-SQS4': 'Refuse requests without TLS: enforceSSL: true on the queue.',
};

export function awsSolutionsFix(ruleName: string, description: string): Explained {
  const rule = ruleName.replace(/\[.*$/, '');
  return { description, fix: AWS_SOLUTIONS_FIXES[rule] ?? `Change the construct so that ${rule} holds (${NAG_RULES}); acknowledge it only with a reason specific to this resource.` };
}
