import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * aws-cdk-lib grants the source action `codestar-connections:UseConnection` whatever the connection's ARN.
 * Since the 2024 rename, connections are created as `arn:aws:codeconnections:…`, and AWS documents that the
 * service prefix in a policy must match the resource's; so a connection of the new form also gets the
 * action under its new prefix. The old action stays: it is what aws-cdk-lib has always written.
 */
export function allowConnectionUnderItsPrefix(pipeline: codepipeline.Pipeline, connectionArn: string): void {
  if (!connectionArn.startsWith('arn:aws:codeconnections:')) return;
  const sourceRoles = pipeline.node.findAll()
    .filter((construct): construct is iam.Role => construct instanceof iam.Role && construct.node.path.includes(`${pipeline.node.path}/Source/`));
  if (sourceRoles.length !== 1) throw new Error(`expected the one role of the pipeline's source action, found ${sourceRoles.length}`);
  sourceRoles[0].addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [connectionArn] }));
}
