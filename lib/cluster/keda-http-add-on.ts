import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { HELM_CHARTS } from '../catalog/versions';
import { POOL_LABEL } from '../core/labels';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';

/**
 * Where the add-on's interceptor takes requests, as the chart at 0.15.0 names it: Service
 * `<chart>-<interceptor.proxy.service>` (templates/interceptor/service-proxy.yaml), port `interceptor.proxy.port`,
 * and its admin port, whose `/readyz` the interceptor's own readiness probe reads (templates/interceptor/deployment.yaml).
 */
export const KEDA_HTTP_INTERCEPTOR = {
  namespace: HELM_CHARTS.kedaHttpAddOn.namespace,
  service: 'keda-add-ons-http-interceptor-proxy',
  proxyPort: 8080,
  adminPort: 9090,
  readyPath: '/readyz',
  /** The interceptor pods' labels (templates/interceptor/deployment.yaml selector). */
  podLabels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' },
} as const;

/**
 * The add-on's external scaler, which an `external-push` trigger names (templates/scaler/service.yaml:
 * `<chart>-<scaler.service>.<namespace>:<scaler.grpcPort>`; the add-on's skip-scaledobject-creation e2e test,
 * tests/checks/scaling_phase_deployment_with_skip_so_creation_httpso at v0.15.0, uses the same address).
 */
export const KEDA_HTTP_SCALER_ADDRESS = `keda-add-ons-http-external-scaler.${HELM_CHARTS.kedaHttpAddOn.namespace}:9090`;

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
      scaler: { nodeSelector },
      interceptor: { nodeSelector },
      podSecurityContext: RESTRICTED_POD,
    },
  });
  chart.node.addDependency(keda);
  return chart;
}
