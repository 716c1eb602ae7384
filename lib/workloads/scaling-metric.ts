/** The signal an inference service scales on. */
export enum ScalingMetric {
  /** In-flight requests per replica (KEDA, Prometheus). */
  CONCURRENCY = 'concurrency',
  /** Waiting requests per replica (KEDA, Prometheus). */
  QUEUE_DEPTH = 'queue-depth',
  /** Average GPU utilisation in percent (KEDA, DCGM metrics in Prometheus). */
  GPU_UTILIZATION = 'gpu-utilization',
  /** CPU utilisation in percent (HPA). */
  CPU = 'cpu',
}
