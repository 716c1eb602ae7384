import { PLATFORM_TAG_KEY } from '../core/platform-tag';
import { Arn, ArnFormat, Duration, type Stack } from 'aws-cdk-lib';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { pipelineName } from '../definition/resolve-pipelines';
import type { ResolvedDefinition } from '../definition/resolved';
import type { AiMonitoringProps } from '../monitoring/ai-monitoring';
import type { ContainerInsights } from '../monitoring/container-insights';
import type { RunObjective } from '../monitoring/run-rules';
import { ExposureVisibility, loadBalancerNameFor, targetGroupPrefix } from '../workloads/inference-exposure';

/**
 * The jobs whose runs a CronJob starts in the cluster, as monitoring watches them: `training` (training and
 * optimization entries alike). Append other CronJob-launched jobs here (each `{ name, namespace, scheduled }`);
 * the alert rules, kube-state-metrics, the Managed Prometheus workspace and the Runs rows all follow this list.
 * Empty when `monitoring.alarms.runs` is false.
 */
export function runObjectives(def: ResolvedDefinition): RunObjective[] {
  if (def.monitoring.alarms.runs === false) return [];
  return def.training.map((t) => ({ name: t.name, namespace: t.namespace, scheduled: t.schedule !== undefined }));
}

/**
 * `monitoring` (and what it watches) onto AiMonitoring. Plain names only: nothing here may become a
 * cross-stack export that a pool or pipeline change would break, so pools are found by node group name,
 * state machines by an ARN built from their name, buckets through the data stack's outputs (no exports).
 */
export function monitoringProps(
  def: ResolvedDefinition,
  opts: {
    readonly stack: Stack;
    readonly lake: IDataLakeRef;
    readonly containerInsights: ContainerInsights;
    readonly nodegroupNames: Record<string, string>;
    readonly topicName: string;
  },
): AiMonitoringProps {
  return {
    // The cluster by its plain name (no cross-stack reference), fed by the platform's Container Insights.
    cluster: { clusterName: def.name, containerInsights: opts.containerInsights },
    dashboardName: `${def.name}-ai-platform`,
    pools: def.nodePools.map((p) => ({
      name: p.name,
      instanceTypes: p.instanceTypes,
      nodegroupName: opts.nodegroupNames[p.name],
    })),
    services: def.inference.map((s) => ({
      name: s.name,
      namespace: s.namespace,
      loadBalancer: s.expose && {
        loadBalancerName: loadBalancerNameFor(def.name, s.expose.visibility ?? ExposureVisibility.INTERNAL),
        targetGroupPrefix: targetGroupPrefix(s.name, s.namespace, s.minReplicas === 0),
      },
    })),
    pipelines: def.pipelines.map((p) => ({
      name: p.name,
      // DataPipeline names its state machine after the pipeline.
      stateMachineArn: Arn.format(
        {
          service: 'states',
          resource: 'stateMachine',
          resourceName: pipelineName(def.name, p),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        },
        opts.stack,
      ),
    })),
    runs: runObjectives(def),
    topicName: opts.topicName,
    // The workspace's alert manager sends the latency and run rules' alerts here (ManagedPrometheus exists for either).
    acceptPrometheusAlerts: def.inference.length > 0 || runObjectives(def).length > 0,
    buckets: def.dataLake.zones.map((zone) => ({ zone, bucketName: opts.lake.zoneBucketName(zone) })),
    alarmEmails: def.monitoring.alarmEmails,
    monthlyBudgetUsd: def.monitoring.monthlyBudgetUsd,
    costTag: { key: PLATFORM_TAG_KEY, value: def.name },
    costFilter: def.monitoring.budgetCostFilter,
    maxMonthlyComputeUsd: def.cost.ceiling.total,
    thresholds: {
      gpuIdlePercent: def.monitoring.gpuIdleThresholdPercent,
      gpuIdleFor: Duration.minutes(def.monitoring.gpuIdleMinutes),
      gpuMemoryPercent: def.monitoring.gpuMemoryThresholdPercent,
      errorRatePercent: def.monitoring.errorRateThresholdPercent,
      errorRateFor: Duration.minutes(def.monitoring.errorRateMinutes),
      pendingFor: Duration.minutes(def.monitoring.pendingPodsMinutes),
      pendingPods: def.monitoring.pendingPods,
      gpuMemoryFor: Duration.minutes(def.monitoring.gpuMemoryMinutes),
      failedNodes: def.monitoring.failedNodes,
      failedNodesFor: Duration.minutes(def.monitoring.failedNodesMinutes),
    },
    alarms: def.monitoring.alarms,
  };
}
