import { CLUSTER_DEFAULTS } from '../cluster/defaults';
import { NODE_POOL_DEFAULTS } from '../compute/defaults';
import { DATA_LAKE_DEFAULTS } from '../data-lake/defaults';
import { MONITORING_DEFAULTS } from '../monitoring/defaults';
import { NETWORK_DEFAULTS } from '../network/defaults';
import { WORKLOAD_DEFAULTS } from '../workloads/defaults';
import { PIPELINE_DEFAULTS } from '../pipelines/defaults';
import { TableFormat } from '../pipelines/pipeline-table';
import { Compliance } from '../core/compliance';
import { DataRemovalPolicy, EndpointAccess, PipelineEngine, Provisioner } from './types';
import { deepFreeze } from '../catalog/deep-freeze';

/**
 * Every default of the definition. Each domain owns its own (the construct applies it, the definition
 * reuses it); only the definition's own choices are written here. The `@default` tags in `types.ts`
 * document these.
 */
export const DEFAULTS = deepFreeze({
  compliance: Compliance.STANDARD,
  network: NETWORK_DEFAULTS,
  cluster: {
    ...CLUSTER_DEFAULTS,
    // The definition's own choice: the reference stack is reachable from a laptop; GpuCluster alone is private.
    endpointAccess: EndpointAccess.PUBLIC_AND_PRIVATE,
    publicAccessCidrs: ['0.0.0.0/0'],
  },
  nodePool: { ...NODE_POOL_DEFAULTS, provisioner: Provisioner.MANAGED_NODE_GROUP },
  dataLake: { ...DATA_LAKE_DEFAULTS, removalPolicy: DataRemovalPolicy.RETAIN },
  inference: WORKLOAD_DEFAULTS.inference,
  training: WORKLOAD_DEFAULTS.training,
  team: WORKLOAD_DEFAULTS.team,
  monitoring: MONITORING_DEFAULTS,
  pipeline: { ...PIPELINE_DEFAULTS, engine: PipelineEngine.SPARK, tableFormat: TableFormat.PARQUET },
} as const);

export { defaultActivationThreshold } from '../workloads/defaults';
