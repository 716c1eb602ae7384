import { deepFreeze } from '../catalog/deep-freeze';
import { RUNTIME_IMAGES, runtimeImage } from '../catalog/versions';
import { ScalingMetric } from './scaling-metric';
import { TrainingEngine } from './training-engine';

/** Defaults of the workload charts (reused by the definition). */
export const WORKLOAD_DEFAULTS = deepFreeze({
  inference: {
    gpus: 1,
    minReplicas: 1,
    maxReplicas: 3,
    port: 8000,
    scaling: { metric: ScalingMetric.CONCURRENCY, target: 8 },
    p99LatencyTargetMs: 2000,
    /**
     * How long a replica may take to start serving (image pull excluded: the kubelet starts probing once the
     * container runs): loading a 70B-class model's ~140 GB from S3 at ~1 GB/s, plus CUDA graph capture, fits 30 minutes.
     */
    startupBudgetSeconds: 1800,
    /** Period of the startup probe; failureThreshold = budget / period. */
    startupProbePeriodSeconds: 10,
  },
  /** maxRestarts: whole-job restarts of a PyTorch JobSet after a worker fails (its failurePolicy). */
  training: { engine: TrainingEngine.PYTORCH, nodes: 1, maxRestarts: 3 },
  team: { neuronQuota: 0 },
} as const);

/** Activation threshold of a scaling metric when none is given. */
export function defaultActivationThreshold(metric: ScalingMetric): number {
  return metric === ScalingMetric.GPU_UTILIZATION || metric === ScalingMetric.CPU ? 10 : 1;
}

/** The image that reads a server's secrets at start: the catalog's pinned AWS CLI (RUNTIME_IMAGES.secretReader). */
export const SECRET_READER_IMAGE = runtimeImage(RUNTIME_IMAGES.secretReader);

/**
 * The entrypoint of the vLLM OpenAI server image (`vllm/vllm-openai`, docker/Dockerfile: ENTRYPOINT ["vllm", "serve"]),
 * which the platform must name when it starts the server through the shell that exports secrets.
 */
export const VLLM_ENTRYPOINT: readonly string[] = Object.freeze(['vllm', 'serve']);

/** Whether an image is vLLM's OpenAI server (any tag or digest, any registry mirror). */
export function isVllmImage(image: string): boolean {
  return /(^|\/)vllm\/vllm-openai([:@]|$)/.test(image);
}
