import { attachCustomSynthesis, Stack, Token } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Yaml, type Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Applies a cdk8s chart to a cluster AND writes it as plain YAML to `cdk.out/k8s/<stack name>/<id>.yaml`
 * for GitOps users. Values only known at deploy time (a workspace endpoint, a role ARN) appear in the YAML
 * as `{{ <LogicalId>.<Attribute> }}` / `{{ <Ref> }}` placeholders.
 */
export function deliverChart(cluster: eks.ICluster, id: string, chart: Chart): eks.KubernetesManifest {
  const manifest = cluster.addCdk8sChart(id, chart);
  ManifestWriter.of(Stack.of(cluster)).add(id, chart);
  return manifest;
}

/** One per stack: writes every delivered chart when the cloud assembly is synthesized. */
class ManifestWriter extends Construct {
  public static of(stack: Stack): ManifestWriter {
    return (stack.node.tryFindChild('K8sManifestWriter') as ManifestWriter) ?? new ManifestWriter(stack, 'K8sManifestWriter');
  }

  private readonly charts: { id: string; chart: Chart }[] = [];

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    attachCustomSynthesis(this, {
      onSynthesize: (session) => {
        const stack = Stack.of(this);
        const dir = join(session.outdir, 'k8s', stack.stackName);
        mkdirSync(dir, { recursive: true });
        for (const { id: chartId, chart } of this.charts) {
          const docs = (stack.resolve(chart.toJson()) as unknown[]).map(placeholders);
          writeFileSync(join(dir, `${chartId}.yaml`), Yaml.stringify(...docs));
        }
      },
    });
  }

  public add(id: string, chart: Chart): void {
    this.charts.push({ id, chart });
  }
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
