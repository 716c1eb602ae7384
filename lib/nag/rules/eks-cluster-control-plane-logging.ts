import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';

/** The control-plane log types an EKS cluster must send to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * A native `AWS::EKS::Cluster` (aws-eks-v2) sends every control-plane log type to CloudWatch Logs.
 * cdk-nag's own EKS2 only recognises the aws-eks (v1) cluster classes.
 */
export function eksClusterControlPlaneLogging(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const props = Stack.of(node).resolve((node as unknown as { _cfnProperties: Record<string, any> })._cfnProperties);
  const logging = props.logging ?? props.Logging ?? {};
  const enabled: { type?: string; Type?: string }[] = (logging.clusterLogging ?? logging.ClusterLogging ?? {}).enabledTypes
    ?? (logging.clusterLogging ?? logging.ClusterLogging ?? {}).EnabledTypes ?? [];
  const types = new Set(enabled.map((t) => t.type ?? t.Type));
  const missing = CONTROL_PLANE_LOG_TYPES.filter((t) => !types.has(t));
  return missing.length === 0 ? NagRuleCompliance.COMPLIANT : missing.map((t) => `LogType::${t}`);
}
