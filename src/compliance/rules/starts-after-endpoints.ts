import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asList, getAttOf, isObject, refTarget, renderResource, renderStack, type RenderedResource } from './cfn-template';

/** The endpoints a Fargate task needs before it can start: pull its image (ECR API, registry, S3 layers) and log. */
const TASK_START_ENDPOINTS = /\.(ecr\.api|ecr\.dkr|logs|s3)"/;

/**
 * An ECS service without public IPs, in a VPC that reaches AWS through endpoints, waits for the endpoints its
 * tasks start through, and for the rules that let its security groups into theirs. CloudFormation creates
 * them beside the service (nothing the service names refers to them); a task started first cannot pull its
 * image, and after a few such tasks the circuit breaker rolls the first deploy back.
 *
 * Findings: `DependsOn::<logical id>` of each endpoint (ECR API, ECR registry, CloudWatch Logs, S3) in the
 * service's VPC, and of each ingress rule from the service's security groups into an endpoint's group.
 */
export function StartsAfterEndpoints(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECS::Service') return NagRuleCompliance.NOT_APPLICABLE;
  const service = renderResource(node);
  if (!service) return NagRuleCompliance.NOT_APPLICABLE;
  const network = isObject(service.properties.NetworkConfiguration) ? service.properties.NetworkConfiguration.AwsvpcConfiguration : undefined;
  if (!isObject(network) || network.AssignPublicIp === 'ENABLED') return NagRuleCompliance.NOT_APPLICABLE;

  const template = renderStack(Stack.of(node));
  const vpcs = new Set(asList(network.Subnets)
    .map((subnet) => template.get(refTarget(subnet) ?? '')?.properties.VpcId)
    .map(refTarget)
    .filter((vpc): vpc is string => vpc !== undefined));
  const endpoints = [...template.values()].filter((resource) => resource.type === 'AWS::EC2::VPCEndpoint'
    && vpcs.has(refTarget(resource.properties.VpcId) ?? '')
    && TASK_START_ENDPOINTS.test(JSON.stringify(resource.properties.ServiceName)));
  if (endpoints.length === 0) return NagRuleCompliance.NOT_APPLICABLE;

  const endpointGroups = new Set(endpoints.flatMap((endpoint) => asList(endpoint.properties.SecurityGroupIds).map(groupOf)));
  const serviceGroups = new Set(asList(network.SecurityGroups).map(groupOf));
  const ingress = [...template.values()].filter((resource) => resource.type === 'AWS::EC2::SecurityGroupIngress'
    && endpointGroups.has(groupOf(resource.properties.GroupId))
    && serviceGroups.has(groupOf(resource.properties.SourceSecurityGroupId)));

  const missing = [...endpoints, ...ingress].filter((needed: RenderedResource) => !service.dependsOn.includes(needed.logicalId));
  return missing.length > 0 ? missing.map((needed) => `DependsOn::${needed.logicalId}`) : NagRuleCompliance.COMPLIANT;
}

/** A security group named by Ref or by Fn::GetAtt GroupId: the logical id either way. */
function groupOf(value: unknown): string | undefined {
  return getAttOf(value)?.[0] ?? refTarget(value);
}
