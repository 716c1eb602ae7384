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

/**
 * Defaults of the alarms' other thresholds and durations (AiMonitoringThresholds), not in the definition.
 * Every alarm evaluates `periodMinutes`-long periods; durations are whole multiples of it (`monitoringProblems`).
 */
export const ALARM_DEFAULTS = {
  periodMinutes: 5,
  gpuMemoryMinutes: 15,
  failedNodesThreshold: 1,
  failedNodesMinutes: 10,
  pendingPodsThreshold: 1,
  errorRateMinutes: 15,
} as const;
