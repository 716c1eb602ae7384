/** Defaults of AiMonitoring's thresholds (reused by the definition). */
export const MONITORING_DEFAULTS = {
  gpuIdleThresholdPercent: 10,
  gpuIdleMinutes: 30,
  gpuMemoryThresholdPercent: 95,
  errorRateThresholdPercent: 5,
  pendingPodsMinutes: 15,
} as const;
