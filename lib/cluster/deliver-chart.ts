import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Yaml, type Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { join } from 'node:path';
import { HELM_CHARTS } from '../catalog/versions';
import { POOL_LABEL } from '../core/labels';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { AssemblyFile } from '../core/assembly-file';
import { workloadPrerequisites } from '../core/cluster-readiness';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import type { RegistryMirror } from '../core/registry-mirror';

/** Options of {@link deliverChart}. */
export interface DeliverChartOptions {
  /**
   * Namespaces the chart's objects use that exist without a delivered chart creating them (made outside this
   * app, or by your own `addManifest`/`addHelmChart`: then add the dependency on it yourself).
   * @default - none: every namespace used must be created by a chart delivered to the cluster
   */
  readonly existingNamespaces?: string[];
  /**
   * Install metrics-server (pinned chart) for a chart with a HorizontalPodAutoscaler. Leave it off where the
   * cluster has one already (an EKS add-on, another release): two releases of it conflict.
   * @default - on for a cluster built by GpuCluster (it runs on the system nodes), off otherwise (synth warns)
   */
  readonly metricsServer?: boolean;
  /**
   * Where the manifest resource goes when not in the cluster's stack (e.g. a shard stack of a
   * platform); the cluster's kubectl provider applies it either way. @default - the cluster's stack
   */
  readonly scope?: Construct;
}

/** Namespaces every EKS cluster has. */
const PROVIDED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * The namespaces charts delivered to a cluster create, and the charts waiting for one, as a child of the
 * cluster in the construct tree (`<cluster>/DeliveredNamespaces`, no resources; one per cluster, found by name
 * as aws-cdk-lib finds its per-scope singletons). Synth fails, naming chart and namespace, while one waits.
 */
class DeliveredNamespaces extends Construct {
  public static of(cluster: eks.ICluster): DeliveredNamespaces {
    return (
      (cluster.node.tryFindChild('DeliveredNamespaces') as DeliveredNamespaces | undefined) ??
      new DeliveredNamespaces(cluster, 'DeliveredNamespaces')
    );
  }

  public readonly created = new Map<string, IConstruct>();
  public readonly waiting = new Map<string, { manifest: eks.KubernetesManifest; id: string }[]>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({
      validate: () =>
        [...this.waiting.entries()].flatMap(([ns, charts]) =>
          charts.map(
            (c) =>
              `chart '${c.id}' puts objects in namespace '${ns}', which no chart delivered to this cluster creates: deliver a TeamNamespace named '${ns}' (or pass existingNamespaces: ['${ns}'] if it exists already)`,
          ),
        ),
    });
  }
}

/**
 * Records a namespace made by something other than a delivered chart (a Helm release with createNamespace): charts
 * with objects in it are applied after `creator`, so deleted before it.
 */
export function noteNamespaceCreator(cluster: eks.ICluster, namespace: string, creator: IConstruct): void {
  const namespaces = DeliveredNamespaces.of(cluster);
  namespaces.created.set(namespace, creator);
  for (const w of namespaces.waiting.get(namespace) ?? []) w.manifest.node.addDependency(creator);
  namespaces.waiting.delete(namespace);
}

/**
 * Applies a cdk8s chart to a cluster AND writes it as plain YAML to `cdk.out/k8s/<stack name>/<id>.yaml`
 * for GitOps users. Values only known at deploy time (a workspace endpoint, a role ARN) appear in the YAML
 * as `{{ <LogicalId>.<Attribute> }}` / `{{ <Ref> }}` placeholders.
 *
 * It also wires what the chart needs on the cluster: objects wait for the chart that creates their
 * namespace (and synth fails, naming the chart and namespace, when no delivered chart creates it), and a
 * chart with a HorizontalPodAutoscaler gets metrics-server, which EKS does not install.
 */
export function deliverChart(
  cluster: eks.ICluster,
  id: string,
  chart: Chart,
  options: DeliverChartOptions = {},
): eks.KubernetesManifest {
  const manifest =
    options.scope && Stack.of(options.scope) !== Stack.of(cluster)
      ? new eks.KubernetesManifest(options.scope, id, { cluster, manifest: chart.toJson() })
      : cluster.addCdk8sChart(id, chart);
  const stack = Stack.of(manifest);
  new AssemblyFile(
    manifest,
    'Yaml',
    () => join('k8s', stack.stackName, `${id}.yaml`),
    () => Yaml.stringify(...(stack.resolve(chart.toJson()) as unknown[]).map(placeholders)),
  );

  const objects = chart.toJson() as { kind?: string; metadata?: { name?: string; namespace?: string } }[];
  const namespaces = DeliveredNamespaces.of(cluster);
  const own = new Set(objects.filter((o) => o.kind === 'Namespace' && o.metadata?.name).map((o) => o.metadata!.name!));
  for (const ns of own) {
    namespaces.created.set(ns, manifest);
    for (const w of namespaces.waiting.get(ns) ?? []) w.manifest.node.addDependency(manifest);
    namespaces.waiting.delete(ns);
  }
  const used = new Set(
    objects.map((o) => o.metadata?.namespace).filter((ns): ns is string => !!ns && !Token.isUnresolved(ns)),
  );
  for (const ns of used) {
    if (own.has(ns) || PROVIDED_NAMESPACES.has(ns) || (options.existingNamespaces ?? []).includes(ns)) continue;
    const creator = namespaces.created.get(ns);
    if (creator) manifest.node.addDependency(creator);
    else namespaces.waiting.set(ns, [...(namespaces.waiting.get(ns) ?? []), { manifest, id }]);
  }

  if (objects.some((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const builtHere = workloadPrerequisites(cluster).length > 0;
    if (options.metricsServer ?? builtHere) {
      manifest.node.addDependency(ensureMetricsServer(cluster));
    } else if (options.metricsServer === undefined) {
      Annotations.of(manifest).addWarningV2(
        'ai-platform:deliver:metrics-server',
        `chart '${id}' has a HorizontalPodAutoscaler, which needs metrics-server; this cluster was not built by GpuCluster, so none is installed: pass metricsServer: true, or make sure the cluster has one`,
      );
    }
  }
  return manifest;
}

/**
 * metrics-server from its pinned chart, once per cluster, on the system nodes (where GpuCluster labelled them);
 * from `mirror` when given (it becomes the cluster's mirror), else from the cluster's mirror or the public source.
 */
export function ensureMetricsServer(cluster: eks.ICluster, mirror?: RegistryMirror): eks.HelmChart {
  mirror?.useFor(cluster);
  const existing = cluster.node.tryFindChild('MetricsServer');
  if (existing) return existing as eks.HelmChart;
  const onSystemNodes = workloadPrerequisites(cluster).length > 0;
  return pinnedHelmChart(cluster, 'MetricsServer', cluster, HELM_CHARTS.metricsServer, {
    values: onSystemNodes ? { nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME } } : {},
  });
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
    if ('Fn::GetStackOutput' in value)
      return `{{ output:${value['Fn::GetStackOutput'].StackName}/${value['Fn::GetStackOutput'].OutputName} }}`;
    if ('Fn::Select' in value || 'Fn::Split' in value || 'Fn::Sub' in value) return `{{ ${JSON.stringify(value)} }}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholders(v)]));
  }
  return Token.isUnresolved(value) ? '{{ unresolved }}' : value;
}

/** Chart delivery as static methods, for every jsii language. */
export class ChartDelivery {
  /** Applies a cdk8s chart to a cluster after the cluster can run it; see {@link deliverChart}. */
  public static deliver(
    cluster: eks.ICluster,
    id: string,
    chart: Chart,
    options?: DeliverChartOptions,
  ): eks.KubernetesManifest {
    return deliverChart(cluster, id, chart, options ?? {});
  }

  /** Installs metrics-server (for HorizontalPodAutoscalers) once per cluster, from `mirror` when given. */
  public static ensureMetricsServer(cluster: eks.ICluster, mirror?: RegistryMirror): eks.HelmChart {
    return ensureMetricsServer(cluster, mirror);
  }

  private constructor() {}
}
