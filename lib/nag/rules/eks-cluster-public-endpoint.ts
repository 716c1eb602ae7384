import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';

/**
 * A native `AWS::EKS::Cluster` (aws-eks-v2) exposes no public API endpoint. cdk-nag's own EKS1 only
 * recognises the aws-eks (v1) cluster classes.
 */
export function eksClusterNoPublicEndpoint(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const props = Stack.of(node).resolve((node as unknown as { _cfnProperties: Record<string, any> })._cfnProperties);
  const vpcConfig = props.resourcesVpcConfig ?? props.ResourcesVpcConfig ?? {};
  const publicAccess = vpcConfig.endpointPublicAccess ?? vpcConfig.EndpointPublicAccess;
  return publicAccess === false ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
