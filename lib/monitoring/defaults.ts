import { deepFreeze } from '../catalog/deep-freeze';
/** Defaults of AiMonitoring's thresholds, in the definition's units (the definition reuses them). */
export const MONITORING_DEFAULTS = deepFreeze({
  gpuIdleThresholdPercent: 10,
  gpuIdleMinutes: 30,
  gpuMemoryThresholdPercent: 95,
  errorRateThresholdPercent: 5,
  pendingPodsMinutes: 15,
  pendingPods: 1,
  gpuMemoryMinutes: 15,
  failedNodes: 1,
  failedNodesMinutes: 10,
  errorRateMinutes: 15,
} as const);

/** Which costs a platform's budget counts by default: its own (the `ai-platform` cost tag). */
export const DEFAULT_BUDGET_COST_FILTER = 'cost-tag';

/**
 * Every alarm evaluates `periodMinutes`-long periods; durations are whole multiples of it (`monitoringProblems`).
 */
export const ALARM_DEFAULTS = deepFreeze({
  periodMinutes: 5,
} as const);
