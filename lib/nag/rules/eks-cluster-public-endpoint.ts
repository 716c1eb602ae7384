import { Stack, type CfnResource } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';

/**
 * A native `AWS::EKS::Cluster` (aws-eks-v2) exposes no public API endpoint. cdk-nag's own EKS1 only
 * recognises the aws-eks (v1) cluster classes. Reads the L1's typed `resourcesVpcConfig`.
 */
export function eksClusterNoPublicEndpoint(node: CfnResource): NagRuleResult {
  // By resource type, not instanceof: an app may load two copies of aws-cdk-lib.
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const cluster = node as eks.CfnCluster;
  const vpcConfig = Stack.of(node).resolve(cluster.resourcesVpcConfig) as
    eks.CfnCluster.ResourcesVpcConfigProperty | undefined;
  // EndpointPublicAccess defaults to true when unset (EKS CreateCluster API, vpcConfig.endpointPublicAccess).
  return vpcConfig?.endpointPublicAccess === false ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
