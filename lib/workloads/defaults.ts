import { ScalingMetric } from './scaling-metric';
import { TrainingEngine } from './training-engine';

/** Defaults of the workload charts (reused by the definition). */
export const WORKLOAD_DEFAULTS = {
  inference: {
    gpus: 1,
    minReplicas: 1,
    maxReplicas: 3,
    port: 8000,
    scaling: { metric: ScalingMetric.CONCURRENCY, target: 8 },
    p99LatencyTargetMs: 2000,
  },
  training: { engine: TrainingEngine.PYTORCH, nodes: 1 },
  team: { neuronQuota: 0 },
} as const;

/** Activation threshold of a scaling metric when none is given. */
export function defaultActivationThreshold(metric: ScalingMetric): number {
  return metric === ScalingMetric.GPU_UTILIZATION || metric === ScalingMetric.CPU ? 10 : 1;
}
