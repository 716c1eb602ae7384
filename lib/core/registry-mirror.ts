import { Token } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { mirroredChart, mirroredImage, type HelmChartVersion } from '../catalog/versions';
import { PlatformValidationError, ProblemList, throwIfProblems, type Problem } from './problems';

// A private ECR registry: `<aws_account_id>.dkr.ecr.<region>.amazonaws.com` (ECR user guide, "Amazon ECR private
// registry"), `.amazonaws.com.cn` in the China regions; the kubectl handler logs in to exactly such hosts before
// `helm pull oci://` (aws-cdk-lib custom-resource-handlers/dist/aws-eks-v2/kubectl-handler/helm/__init__.py,
// private_ecr_pattern).
const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z]{2}(?:-[a-z]+)+-\d+\.amazonaws\.com(?:\.cn)?$/;
// Each path segment as an ECR repository name's (CreateRepository repositoryName pattern
// `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`).
const PATH_SEGMENT = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The rules of a mirror registry reference; tokens are skipped. */
export function registryMirrorProblems(registry: string): Problem[] {
  const out = new ProblemList();
  if (Token.isUnresolved(registry)) return [];
  const [host, ...path] = registry.split('/');
  out.check(
    ECR_HOST.test(host) && path.every((p) => PATH_SEGMENT.test(p)),
    'registry',
    registry,
    'must be a private ECR registry, <12-digit account>.dkr.ecr.<region>.amazonaws.com, optionally followed by a path of lowercase segments (letters, digits, and . _ - inside), e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror',
  );
  return out.problems;
}

/**
 * Where a cluster's charts come from, as a child of the cluster in the construct tree (`<cluster>/ChartSource`,
 * no resources; one per cluster, found by name as aws-cdk-lib finds its per-scope singletons).
 */
class ChartSource extends Construct {
  public static of(cluster: eks.ICluster, create: boolean): ChartSource | undefined {
    const found = cluster.node.tryFindChild('ChartSource') as ChartSource | undefined;
    return found ?? (create ? new ChartSource(cluster, 'ChartSource') : undefined);
  }

  /** The mirror every chart comes from, once set. */
  public mirror?: RegistryMirror;
  /** A chart was installed from its public source: a mirror set later would leave it behind. */
  public unmirrored = false;
}

/** Records that a chart was installed on a cluster from its public source. */
export function noteUnmirroredChart(cluster: eks.ICluster): void {
  ChartSource.of(cluster, true)!.unmirrored = true;
}

/**
 * A private ECR registry (plus an optional path prefix) that holds copies of every pinned Helm chart and every
 * image those charts run, for a cluster whose nodes and kubectl provider have no route to public registries
 * (no NAT gateway). `VersionCatalog.mirrorList(registry)` lists what to copy and the names to copy it to.
 *
 * EKS add-ons need no mirror: their images come from EKS's ECR registry in the cluster's region, reachable
 * through the VPC's ECR endpoints (EKS user guide, "View Amazon container image registries for Amazon EKS
 * add-ons", add-ons-images.html). The images of your own workloads are yours to put in ECR.
 */
export class RegistryMirror {
  /** A mirror in a private ECR registry, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror`. */
  public static ecr(registry: string): RegistryMirror {
    throwIfProblems('RegistryMirror', registryMirrorProblems(registry));
    return new RegistryMirror(registry);
  }

  /** The mirror a cluster's charts come from, when one was set with {@link RegistryMirror.useFor}. */
  public static of(cluster: eks.ICluster): RegistryMirror | undefined {
    return ChartSource.of(cluster, false)?.mirror;
  }

  private constructor(
    /** The registry host and path prefix. */
    public readonly registry: string,
  ) {}

  /** Every chart the library installs on this cluster from now on comes from this mirror (one mirror per cluster). */
  public useFor(cluster: eks.ICluster): void {
    const source = ChartSource.of(cluster, true)!;
    const current = source.mirror;
    if (current && current.registry !== this.registry) {
      throw new PlatformValidationError(
        'RegistryMirror',
        [
          {
            field: 'registry',
            value: this.registry,
            message: `cannot be used: cluster ${cluster.node.path} already takes its charts from ${current.registry} (one mirror per cluster)`,
          },
        ],
        cluster,
      );
    }
    if (!current && source.unmirrored) {
      throw new PlatformValidationError(
        'RegistryMirror',
        [
          {
            field: 'registry',
            value: this.registry,
            message: `is set too late: cluster ${cluster.node.path} already has a chart installed from its public source; set the mirror before the first chart is added`,
          },
        ],
        cluster,
      );
    }
    source.mirror = this;
  }

  /** The `oci://` repository of a pinned chart in this mirror. */
  public chartRepository(chart: HelmChartVersion): string {
    return mirroredChart(this.registry, chart);
  }

  /** An upstream image repository (host included) in this mirror. */
  public imageRepository(upstreamRepository: string): string {
    return mirroredImage(this.registry, upstreamRepository);
  }

  /**
   * The chart values that take every image of a pinned chart from this mirror (through the chart's own keys:
   * repository, tag, and the registry key where the chart keeps one apart). Merge them under the chart's
   * other values.
   */
  public chartValues(chart: HelmChartVersion): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const image of chart.images) {
      if (image.registryKey) {
        setPath(values, image.registryKey, this.registry);
        setPath(values, image.repositoryKey, image.repository);
      } else {
        setPath(values, image.repositoryKey, this.imageRepository(image.repository));
      }
      if (image.tag !== undefined) setPath(values, image.tagKey, image.tag);
    }
    return values;
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}

/** `extra` merged into `base`, objects key by key (a value of `extra` wins elsewhere). */
export function mergeValues(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? mergeValues(existing, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
