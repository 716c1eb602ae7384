import { Stack, type CfnResource } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';

/** The control-plane log types an EKS cluster must send to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES: readonly string[] = Object.freeze([
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
]);

/**
 * A native `AWS::EKS::Cluster` (aws-eks-v2) sends every control-plane log type to CloudWatch Logs.
 * cdk-nag's own EKS2 only recognises the aws-eks (v1) cluster classes. Reads the L1's typed `logging`.
 */
export function eksClusterControlPlaneLogging(node: CfnResource): NagRuleResult {
  // By resource type, not instanceof: an app may load two copies of aws-cdk-lib.
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const cluster = node as eks.CfnCluster;
  const logging = Stack.of(node).resolve(cluster.logging) as eks.CfnCluster.LoggingProperty | undefined;
  const enabled = (Stack.of(node).resolve(
    (logging?.clusterLogging as eks.CfnCluster.ClusterLoggingProperty | undefined)?.enabledTypes,
  ) ?? []) as eks.CfnCluster.LoggingTypeConfigProperty[];
  const types = new Set(enabled.map((t) => t.type));
  const missing = CONTROL_PLANE_LOG_TYPES.filter((t) => !types.has(t));
  return missing.length === 0 ? NagRuleCompliance.COMPLIANT : missing.map((t) => `LogType::${t}`);
}
