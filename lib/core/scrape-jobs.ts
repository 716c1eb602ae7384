/**
 * The Prometheus scrape job for pods annotated `prometheus.io/scrape: "true"` (port and path from
 * `prometheus.io/port` / `prometheus.io/path`), labelled with `namespace`, `pod` and `app`
 * (`app.kubernetes.io/name`). Shared by the managed Prometheus scraper and the CloudWatch agent, so KEDA,
 * dashboards and alarms see the same series.
 */
export function annotatedPodsScrapeJob(jobName: string): Record<string, unknown> {
  return {
    job_name: jobName,
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      {
        source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
        action: 'replace',
        regex: '([^:]+)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
      },
      {
        source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
        action: 'replace',
        regex: '(.+)',
        target_label: '__metrics_path__',
      },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'app' },
    ],
  };
}
