import type { CfnResource } from 'aws-cdk-lib';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Makes a pipeline wait for the policies of the roles its first run acts as. Creating a CodePipeline starts
 * that run at once, and CloudFormation creates a role's policy beside the resources that use the role, not
 * before them: a run that starts first fails for want of a permission that arrives a second later.
 *
 * The roles are the pipeline's own and its actions'; not the role of the rule that starts the pipeline on a
 * push, whose policy names the pipeline (a dependency cycle), nor a role imported by name, whose policies
 * are given as `extraPolicies`.
 */
export function waitForRolePolicies(pipeline: codepipeline.Pipeline, extraPolicies: readonly iam.Policy[] = []): void {
  const resource = pipeline.node.defaultChild as CfnResource;
  // Roles the pipeline made for its actions, and roles given to actions (CDK Pipelines shares one for its builds).
  const createdRoles = pipeline.node.findAll()
    .filter((construct): construct is iam.Role => construct instanceof iam.Role && construct.node.id === 'CodePipelineActionRole');
  const givenRoles = pipeline.stages.flatMap((stage) => stage.actions).map((action) => action.actionProperties.role);
  const roles = [pipeline.role, ...createdRoles, ...givenRoles].filter((role): role is iam.Role => role instanceof iam.Role);
  const policies = [
    ...roles.flatMap((role) => role.node.children.filter((child): child is iam.Policy => child instanceof iam.Policy)),
    ...extraPolicies,
  ];
  for (const policy of new Set(policies)) resource.addResourceDependency(policy.node.defaultChild as CfnResource);
}
