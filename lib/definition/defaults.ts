import { AmiFamily } from '../catalog/ami';
import { DEFAULT_KUBERNETES_VERSION } from '../catalog/versions';
import {
  CapacityType, DataRemovalPolicy, EndpointAccess, Provisioner, ScalingMetric, TrainingEngine,
} from './types';

/** Every default of the definition, in one place. The `@default` tags in `types.ts` document these. */
export const DEFAULTS = {
  network: { maxAzs: 3, natGateways: 1, cidr: '10.0.0.0/16' },
  cluster: {
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    endpointAccess: EndpointAccess.PUBLIC_AND_PRIVATE,
    publicAccessCidrs: ['0.0.0.0/0'],
    systemInstanceType: 't3.large',
    systemNodes: 2,
  },
  nodePool: {
    minNodes: 0,
    capacityType: CapacityType.ON_DEMAND,
    amiFamily: AmiFamily.AL2023,
    provisioner: Provisioner.MANAGED_NODE_GROUP,
    efa: false,
    diskGiB: 100,
  },
  dataLake: {
    zones: ['raw', 'curated', 'features', 'models'],
    archiveAfterDays: 90,
    noncurrentVersionExpirationDays: 30,
    removalPolicy: DataRemovalPolicy.RETAIN,
    lakeFormation: false,
  },
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
  monitoring: { gpuIdleThresholdPercent: 10, gpuIdleMinutes: 30, gpuMemoryThresholdPercent: 95, errorRateThresholdPercent: 5, pendingPodsMinutes: 15 },
} as const;

/** Activation threshold of a scaling metric when the definition gives none. */
export function defaultActivationThreshold(metric: ScalingMetric): number {
  return metric === ScalingMetric.GPU_UTILIZATION || metric === ScalingMetric.CPU ? 10 : 1;
}
