import { deepFreeze } from './deep-freeze';
import { HELM_CHARTS } from './versions';

// Facts of the pinned KEDA HTTP add-on chart (HELM_CHARTS.kedaHttpAddOn) that workloads name: the interceptor
// their load balancer routes to, and the scaler their ScaledObject's external-push trigger reads.

/**
 * Where the add-on's interceptor takes requests, as the chart at 0.15.0 names it: Service
 * `<chart>-<interceptor.proxy.service>` (templates/interceptor/service-proxy.yaml), port `interceptor.proxy.port`,
 * and its admin port, whose `/readyz` the interceptor's own readiness probe reads (templates/interceptor/deployment.yaml).
 */
export const KEDA_HTTP_INTERCEPTOR = deepFreeze({
  namespace: HELM_CHARTS.kedaHttpAddOn.namespace,
  service: 'keda-add-ons-http-interceptor-proxy',
  proxyPort: 8080,
  adminPort: 9090,
  readyPath: '/readyz',
  /** The interceptor pods' labels (templates/interceptor/deployment.yaml selector). */
  podLabels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' },
} as const);

/**
 * The add-on's external scaler, which an `external-push` trigger names (templates/scaler/service.yaml:
 * `<chart>-<scaler.service>.<namespace>:<scaler.grpcPort>`; the add-on's skip-scaledobject-creation e2e test,
 * tests/checks/scaling_phase_deployment_with_skip_so_creation_httpso at v0.15.0, uses the same address).
 */
export const KEDA_HTTP_SCALER_ADDRESS = `keda-add-ons-http-external-scaler.${HELM_CHARTS.kedaHttpAddOn.namespace}:9090`;
