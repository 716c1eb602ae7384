import {
  CapacityType,
  EndpointAccess,
  Provisioner,
  ScalingMetric,
  TrainingEngine,
  type AiPlatformDefinition,
} from '../lib';

/** Two teams sharing GPU pools under quotas: research trains, product serves on Karpenter-provisioned spot GPUs. */
export const multiTeamPlatform: AiPlatformDefinition = {
  name: 'shared-gpus',
  cluster: { endpointAccess: EndpointAccess.PRIVATE },
  nodePools: [
    {
      name: 'serving',
      instanceTypes: ['g6.xlarge', 'g6.2xlarge'],
      maxNodes: 10,
      capacityType: CapacityType.SPOT,
      provisioner: Provisioner.KARPENTER,
    },
    { name: 'training', instanceTypes: ['g6e.12xlarge'], maxNodes: 4 },
    { name: 'neuron', instanceTypes: ['inf2.xlarge'], maxNodes: 4 },
  ],
  teams: [
    { name: 'research', gpuQuota: 16 },
    { name: 'product', gpuQuota: 8, neuronQuota: 4 },
  ],
  inference: [
    {
      name: 'search-embed',
      image: 'ghcr.io/huggingface/text-embeddings-inference:1.8',
      nodePool: 'serving',
      team: 'product',
      minReplicas: 1,
      maxReplicas: 4,
      scaling: { metric: ScalingMetric.GPU_UTILIZATION, target: 70 },
    },
    {
      name: 'summarize',
      image: 'public.ecr.aws/neuron/vllm:0.9',
      nodePool: 'neuron',
      team: 'product',
      minReplicas: 1,
      maxReplicas: 4,
    },
  ],
  training: [
    {
      name: 'ablation',
      image: 'pytorch/pytorch:2.8.0-cuda12.8-cudnn9-runtime',
      nodePool: 'training',
      team: 'research',
      nodes: 2,
      gpusPerNode: 4,
      command: ['train.py', '--config', 'ablation.yaml'],
    },
    {
      name: 'sweep',
      image: 'rayproject/ray-ml:2.49.0-gpu',
      nodePool: 'training',
      team: 'research',
      engine: TrainingEngine.RAY,
      nodes: 1,
      gpusPerNode: 4,
      command: ['python', 'sweep.py'],
    },
  ],
};
