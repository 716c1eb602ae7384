import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { AiMonitoringAlarms, AiMonitoringThresholds } from '../alarms';
import { ALARM_DEFAULTS, MONITORING_DEFAULTS } from '../defaults';
import type { AiPlatformMetrics } from '../metrics';

/** One alarm, as data: AiMonitoring creates one `cw.Alarm` per row, under `id` (its logical ID's stem). */
export interface AlarmDefinition {
  readonly id: string;
  /** The switch in AiMonitoringAlarms that turns it off. */
  readonly toggle: keyof AiMonitoringAlarms;
  readonly metric: cw.Metric | cw.MathExpression;
  readonly threshold: number;
  readonly comparison: cw.ComparisonOperator;
  /** The length of one evaluated period. */
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly treatMissingData: cw.TreatMissingData;
  readonly description: string;
}

/** Every threshold with its default applied (the one place `??` meets MONITORING_DEFAULTS and ALARM_DEFAULTS). */
export function resolveThresholds(given: AiMonitoringThresholds = {}): Required<AiMonitoringThresholds> {
  const d = MONITORING_DEFAULTS;
  return {
    gpuIdlePercent: given.gpuIdlePercent ?? d.gpuIdleThresholdPercent,
    gpuIdleFor: given.gpuIdleFor ?? Duration.minutes(d.gpuIdleMinutes),
    gpuMemoryPercent: given.gpuMemoryPercent ?? d.gpuMemoryThresholdPercent,
    gpuMemoryFor: given.gpuMemoryFor ?? Duration.minutes(d.gpuMemoryMinutes),
    failedNodes: given.failedNodes ?? d.failedNodes,
    failedNodesFor: given.failedNodesFor ?? Duration.minutes(d.failedNodesMinutes),
    pendingPods: given.pendingPods ?? d.pendingPods,
    pendingFor: given.pendingFor ?? Duration.minutes(d.pendingPodsMinutes),
    errorRatePercent: given.errorRatePercent ?? d.errorRateThresholdPercent,
    errorRateFor: given.errorRateFor ?? Duration.minutes(d.errorRateMinutes),
  };
}

/**
 * The alarm table: the cluster's alarms, then one error-rate alarm per service, minus those switched off.
 * `for` durations become whole periods (at least one).
 */
export function alarmDefinitions(
  m: AiPlatformMetrics,
  services: { name: string; namespace: string }[],
  given: AiMonitoringThresholds | undefined,
  switches: AiMonitoringAlarms = {},
): AlarmDefinition[] {
  const t = resolveThresholds(given);
  const period = Duration.minutes(ALARM_DEFAULTS.periodMinutes);
  const periods = (d: Duration) => Math.max(1, Math.round(d.toMinutes() / period.toMinutes()));
  const minutes = (d: Duration) => d.toMinutes();
  const GTE = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
  const GT = cw.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const base = { period, treatMissingData: cw.TreatMissingData.NOT_BREACHING };
  const rows: AlarmDefinition[] = [
    {
      ...base,
      id: 'GpuIdle',
      toggle: 'gpuIdle',
      threshold: 1,
      comparison: GTE,
      evaluationPeriods: periods(t.gpuIdleFor),
      metric: new cw.MathExpression({
        expression: `IF(gpus > 0 AND util < ${t.gpuIdlePercent}, 1, 0)`,
        usingMetrics: { gpus: m.cluster.gpusAvailable(), util: m.cluster.gpuUtilization() },
        label: 'GPUs running but idle',
        period,
      }),
      description: `GPU nodes are running while GPU utilisation stays under ${t.gpuIdlePercent}% for ${minutes(t.gpuIdleFor)} minutes: money is burning`,
    },
    {
      ...base,
      id: 'GpuMemorySaturation',
      toggle: 'gpuMemorySaturation',
      metric: m.cluster.gpuMemoryUtilization(),
      threshold: t.gpuMemoryPercent,
      comparison: GT,
      evaluationPeriods: periods(t.gpuMemoryFor),
      description: `A GPU has been nearly out of memory for ${minutes(t.gpuMemoryFor)} minutes`,
    },
    {
      ...base,
      id: 'FailedNodes',
      toggle: 'failedNodes',
      metric: m.cluster.failedNodes(),
      threshold: t.failedNodes,
      comparison: GTE,
      evaluationPeriods: periods(t.failedNodesFor),
      description: 'Nodes are failing health conditions',
    },
    {
      ...base,
      id: 'PodsPending',
      toggle: 'podsPending',
      metric: m.cluster.pendingPods(),
      threshold: t.pendingPods,
      comparison: GTE,
      evaluationPeriods: periods(t.pendingFor),
      description: 'Pods have waited for capacity (GPUs, quota) too long: check pool maxNodes, quotas and capacity',
    },
    ...services.map((svc): AlarmDefinition => ({
      ...base,
      id: `${svc.name}-ErrorRate`,
      toggle: 'errorRate',
      metric: m.inference.errorRate(svc.namespace, svc.name),
      threshold: t.errorRatePercent,
      comparison: GT,
      evaluationPeriods: periods(t.errorRateFor),
      description: `More than ${t.errorRatePercent}% of ${svc.name} requests fail`,
    })),
  ];
  return rows.filter((r) => switches[r.toggle] ?? true);
}
