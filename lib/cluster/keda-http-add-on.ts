import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { HELM_CHARTS } from '../catalog/versions';
import { POOL_LABEL } from '../core/labels';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { noteNamespaceCreator } from './deliver-chart';

/** The Pod Security `restricted` fields the chart leaves out of its podSecurityContext (values.yaml at 0.15.0). */
const RESTRICTED_POD = {
  // The chart's own values: the images are ko-built static binaries (.ko.yaml at v0.15.0: wolfi static base).
  fsGroup: 1000,
  supplementalGroups: [1000],
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The KEDA HTTP add-on from its pinned chart, on the system nodes, after KEDA (the chart's own interceptor
 * ScaledObject needs KEDA's CRDs: templates/interceptor/scaledobject.yaml). The release waits, so its CRD is served
 * before a service's HTTPScaledObject applies. The chart's global wait for a replica (`interceptor.readinessTimeout`,
 * env KEDA_HTTP_READINESS_TIMEOUT, interceptor/config/timeouts.go at v0.15.0: 0 = bounded only by the request
 * timeout, itself 0 = none) stays unset: each HTTPScaledObject sets its own (spec.timeouts.conditionWait).
 */
export function installKedaHttpAddOn(cluster: eks.ICluster, id: string, keda: eks.HelmChart): eks.HelmChart {
  const nodeSelector = { [POOL_LABEL]: SYSTEM_POOL_NAME };
  const chart = pinnedHelmChart(cluster, id, cluster, HELM_CHARTS.kedaHttpAddOn, {
    wait: true,
    values: {
      operator: { nodeSelector },
      // Two of each (values.yaml defaults 3 + 3 at 250m CPU requested each): one per system node of the default pool
      // of two, which every operator shares; the interceptor's own ScaledObject adds replicas under load.
      scaler: { nodeSelector, replicas: 2 },
      interceptor: { nodeSelector, replicas: { min: 2 } },
      podSecurityContext: RESTRICTED_POD,
    },
  });
  chart.node.addDependency(keda);
  // Services at zero replicas put their Ingress in the add-on's namespace, which the release creates.
  noteNamespaceCreator(cluster, HELM_CHARTS.kedaHttpAddOn.namespace, chart);
  return chart;
}
