import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Construct } from 'constructs';
import type { HelmChartVersion } from '../catalog/versions';

/** Installs a chart pinned by the version catalog; every Helm release of the library goes through here. */
export function pinnedHelmChart(
  scope: Construct, id: string, cluster: eks.ICluster, spec: HelmChartVersion,
  options: { values: Record<string, unknown>; release?: string; wait?: boolean },
): eks.HelmChart {
  return new eks.HelmChart(scope, id, {
    cluster,
    chart: spec.chart,
    repository: spec.repository,
    version: spec.version,
    namespace: spec.namespace,
    createNamespace: true,
    release: options.release ?? spec.chart,
    wait: options.wait ?? false,
    values: options.values,
  });
}
