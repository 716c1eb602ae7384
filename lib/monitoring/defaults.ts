/** Defaults of AiMonitoring's thresholds (reused by the definition). */
export const MONITORING_DEFAULTS = {
  gpuIdleThresholdPercent: 10,
  gpuIdleMinutes: 30,
  gpuMemoryThresholdPercent: 95,
  errorRateThresholdPercent: 5,
  pendingPodsMinutes: 15,
} as const;

/** Which costs a platform's budget counts by default: its own (the `ai-platform` cost tag). */
export const DEFAULT_BUDGET_COST_FILTER = 'cost-tag';
