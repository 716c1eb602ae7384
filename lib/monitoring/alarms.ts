import type { Duration } from 'aws-cdk-lib';

/** Alarm thresholds and how long each must hold; every one has a default. */
export interface AiMonitoringThresholds {
  /** GPU utilisation under which running GPU nodes count as idle. @default 10 */
  readonly gpuIdlePercent?: number;
  /** How long GPUs must idle before the alarm. @default Duration.minutes(30) */
  readonly gpuIdleFor?: Duration;
  /** GPU memory utilisation that counts as saturated. @default 95 */
  readonly gpuMemoryPercent?: number;
  /** How long a GPU's memory must stay saturated before the alarm. @default Duration.minutes(15) */
  readonly gpuMemoryFor?: Duration;
  /** Failed nodes that alarm (at least this many). @default 1 */
  readonly failedNodes?: number;
  /** How long nodes must stay failed before the alarm. @default Duration.minutes(10) */
  readonly failedNodesFor?: Duration;
  /** Pending pods that alarm (at least this many). @default 1 */
  readonly pendingPods?: number;
  /** How long pods may stay pending before the alarm. @default Duration.minutes(15) */
  readonly pendingFor?: Duration;
  /** Share of 5xx responses that alarms. @default 5 */
  readonly errorRatePercent?: number;
  /** How long the error rate must stay over its threshold before the alarm. @default Duration.minutes(15) */
  readonly errorRateFor?: Duration;
}

/**
 * Which alarms AiMonitoring creates: each is on unless set to `false`. Turning one off deletes that alarm (and
 * its line on the alarm widget); turning it on again creates it under the same logical ID.
 */
export interface AiMonitoringAlarms {
  /** GPU nodes running while their GPUs idle. @default true */
  readonly gpuIdle?: boolean;
  /** A GPU nearly out of memory. @default true */
  readonly gpuMemorySaturation?: boolean;
  /** Nodes failing health conditions. @default true */
  readonly failedNodes?: boolean;
  /** Pods waiting for capacity. @default true */
  readonly podsPending?: boolean;
  /** Each inference service's 5xx rate (one alarm per service). @default true */
  readonly errorRate?: boolean;
  /**
   * Runs of jobs a CronJob starts (training and optimization jobs): a run failed, a scheduled run did not start.
   * These are Prometheus alert rules of the Managed Prometheus workspace (ManagedPrometheus `runObjectives`), sent to
   * this topic; AiMonitoring draws their dashboard rows. On AiPlatform, with such jobs, they install
   * kube-state-metrics and need the workspace and its scraper (created for them when no inference service did);
   * `false` leaves all three out, and the Runs rows with them.
   * @default true
   */
  readonly runs?: boolean;
}
