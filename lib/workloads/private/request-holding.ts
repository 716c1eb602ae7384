import { deepFreeze } from '../../catalog/deep-freeze';
import { k8s } from 'cdk8s-plus-27';
import type { Chart } from 'cdk8s';
import { KEDA_HTTP_INTERCEPTOR, KEDA_HTTP_SCALER_ADDRESS } from '../../catalog/keda-http-add-on';
import { HttpScaledObject } from '../imports/keda-http-httpscaledobject-http.keda.sh';
import type { ExposureBackend } from '../inference-exposure';

/** The interceptor as the backend of an exposed service's Ingress. */
export const INTERCEPTOR_BACKEND: ExposureBackend = deepFreeze({
  namespace: KEDA_HTTP_INTERCEPTOR.namespace,
  service: KEDA_HTTP_INTERCEPTOR.service,
  port: KEDA_HTTP_INTERCEPTOR.proxyPort,
  healthPort: KEDA_HTTP_INTERCEPTOR.adminPort,
  healthPath: KEDA_HTTP_INTERCEPTOR.readyPath,
});

/** `skip-scaledobject-creation`: the service's own ScaledObject scales it (operator/controllers/http/app.go, v0.15.0). */
const SKIP_SCALED_OBJECT = 'httpscaledobject.keda.sh/skip-scaledobject-creation';

/**
 * Requests that wait for a replica (KEDA HTTP add-on v0.15.0): an HTTPScaledObject routes the service's host to it
 * through the interceptor, which holds each request up to `coldStartSeconds` for a ready replica
 * (spec.timeouts.conditionWait, mapped to the route's readiness timeout: pkg/routing/table.go) and counts requests
 * in flight. The add-on's operator creates no ScaledObject for it (skip-scaledobject-creation): the service's
 * own ScaledObject takes the returned `external-push` trigger next to its Prometheus one, since KEDA scales a
 * Deployment from one ScaledObject only; KEDA wakes it when any trigger is active. A NetworkPolicy admits the
 * interceptor's pods to the service's pods.
 */
export function holdRequests(
  chart: Chart,
  opts: {
    readonly name: string;
    readonly namespace: string;
    readonly port: number;
    readonly host: string;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** In-flight requests per replica the interceptor's signal targets. */
    readonly concurrency: number;
    readonly coldStartSeconds: number;
  },
): { type: string; metadata: Record<string, string> } {
  const { name, namespace } = opts;
  new HttpScaledObject(chart, 'RequestRoute', {
    metadata: { name, namespace, labels: opts.labels, annotations: { [SKIP_SCALED_OBJECT]: 'true' } },
    spec: {
      hosts: [opts.host],
      pathPrefixes: ['/'],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name, service: name, port: opts.port },
      replicas: { min: opts.minReplicas, max: opts.maxReplicas },
      scalingMetric: { concurrency: { targetValue: opts.concurrency } },
      timeouts: { conditionWait: `${opts.coldStartSeconds}s` },
    },
  });
  new k8s.KubeNetworkPolicy(chart, 'InterceptorIngress', {
    metadata: { name: `allow-interceptor-${name}`, namespace, labels: opts.labels },
    spec: {
      podSelector: { matchLabels: opts.selector },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': KEDA_HTTP_INTERCEPTOR.namespace } },
              podSelector: { matchLabels: { ...KEDA_HTTP_INTERCEPTOR.podLabels } },
            },
          ],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(opts.port) }],
        },
      ],
    },
  });
  // The add-on's e2e test with skip-scaledobject-creation (tests/checks/scaling_phase_deployment_with_skip_so_creation_httpso).
  return { type: 'external-push', metadata: { httpScaledObject: name, scalerAddress: KEDA_HTTP_SCALER_ADDRESS } };
}
