import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Construct } from 'constructs';
import type { HelmChartVersion } from '../catalog/versions';
import { workloadPrerequisites } from './cluster-readiness';
import { mergeValues, noteUnmirroredChart, RegistryMirror } from './registry-mirror';

/**
 * How long Helm may take per release. aws-eks-v2 passes it as `helm --timeout`; its kubectl handler runs in
 * a Lambda function limited to 15 minutes (aws-eks-v2 HelmChartOptions.timeout: "Maximum 15 minutes").
 */
export const HELM_TIMEOUT = Duration.minutes(10);

/**
 * Installs a chart pinned by the version catalog; every Helm release of the library goes through here. The
 * release waits for the cluster's system nodes and core add-ons (when GpuCluster built the cluster) and has
 * an explicit timeout. With a registry mirror (given here, or set on the cluster), the chart and every image
 * it runs come from the mirror.
 */
export function pinnedHelmChart(
  scope: Construct,
  id: string,
  cluster: eks.ICluster,
  spec: HelmChartVersion,
  options: { values: Record<string, unknown>; release?: string; wait?: boolean; mirror?: RegistryMirror },
): eks.HelmChart {
  options.mirror?.useFor(cluster);
  const mirror = RegistryMirror.of(cluster);
  if (!mirror) noteUnmirroredChart(cluster);
  const chart = new eks.HelmChart(scope, id, {
    cluster,
    chart: spec.chart,
    repository: mirror ? mirror.chartRepository(spec) : spec.repository,
    version: spec.version,
    namespace: spec.namespace,
    createNamespace: true,
    release: options.release ?? spec.chart,
    wait: options.wait ?? false,
    timeout: HELM_TIMEOUT,
    values: mirror ? mergeValues(mirror.chartValues(spec), options.values) : options.values,
  });
  chart.node.addDependency(...workloadPrerequisites(cluster));
  return chart;
}
