import { Stack, Token } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Yaml, type Chart } from 'cdk8s';
import { join } from 'node:path';
import { AssemblyFile } from '../private/assembly-file';

/**
 * Applies a cdk8s chart to a cluster AND writes it as plain YAML to `cdk.out/k8s/<stack name>/<id>.yaml`
 * for GitOps users. Values only known at deploy time (a workspace endpoint, a role ARN) appear in the YAML
 * as `{{ <LogicalId>.<Attribute> }}` / `{{ <Ref> }}` placeholders.
 */
export function deliverChart(cluster: eks.ICluster, id: string, chart: Chart): eks.KubernetesManifest {
  const manifest = cluster.addCdk8sChart(id, chart);
  const stack = Stack.of(cluster);
  new AssemblyFile(manifest, 'Yaml', () => join('k8s', stack.stackName, `${id}.yaml`),
    () => Yaml.stringify(...(stack.resolve(chart.toJson()) as unknown[]).map(placeholders)));
  return manifest;
}

/** Replaces CloudFormation intrinsics (what a deploy-time value resolves to) with readable placeholders. */
function placeholders(value: any): any {
  if (Array.isArray(value)) return value.map(placeholders);
  if (value && typeof value === 'object') {
    if ('Ref' in value) return `{{ ${value.Ref} }}`;
    if ('Fn::GetAtt' in value) return `{{ ${value['Fn::GetAtt'].join('.')} }}`;
    if ('Fn::Join' in value) {
      const [sep, parts] = value['Fn::Join'];
      return parts.map(placeholders).join(sep);
    }
    if ('Fn::ImportValue' in value) return `{{ import:${placeholders(value['Fn::ImportValue'])} }}`;
    if ('Fn::Select' in value || 'Fn::Split' in value || 'Fn::Sub' in value) return `{{ ${JSON.stringify(value)} }}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholders(v)]));
  }
  return Token.isUnresolved(value) ? '{{ unresolved }}' : value;
}
