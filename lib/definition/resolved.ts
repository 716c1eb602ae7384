import type { AmiChoice, AmiFamily } from '../catalog/ami';
import type { InterfaceEndpoints } from '../network/platform-network';
import type { AiMonitoringAlarms, BudgetCostFilter } from '../monitoring/ai-monitoring';
import type { Compliance } from '../core/compliance';
import type { AcceleratorVendor, InstanceFacts } from '../catalog/accelerators';
import type { PlatformCost } from './cost';
import type { DefinitionProblem } from './problems';
import type { CapacityType } from '../compute/capacity-type';
import type { PoolNodes } from '../compute/pool-nodes';
import type { InferenceScaling } from '../workloads/inference-service';
import type { InferenceExposure } from '../workloads/inference-exposure';
import type { ColdStartEstimate } from '../catalog/cold-start';
import type { EgressAllowance } from '../workloads/egress';
import type { TrainingEngine } from '../workloads/training-engine';
import type { TrainingSchedule } from '../workloads/training-schedule';
import type { TableFormat } from '../pipelines/pipeline-table';
import type {
  DataAccessDefinition,
  ModelDefinition,
  DataRemovalPolicy,
  EndpointAccess,
  PipelineColumnDefinition,
  PipelineEngine,
  Provisioner,
  MirrorDefinition,
  ReplaceAllowance,
  DeliveryApproval,
  DeliveryOverrides,
  TrainingOutputDefinition,
} from './types';

/** A definition with every default applied and every catalog fact looked up. Produced only by `resolveDefinition`. */
export interface ResolvedDefinition {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly network: ResolvedNetwork;
  readonly cluster: ResolvedCluster;
  readonly nodePools: ResolvedNodePool[];
  readonly dataLake: ResolvedDataLake;
  readonly inference: ResolvedInference[];
  /** Training jobs, then optimization jobs (`optimization`), then Ray pipelines (`pipeline`): one Ray or PyTorch job each. */
  readonly training: ResolvedTraining[];
  readonly teams: ResolvedTeam[];
  /** Spark pipelines only; Ray pipelines are in `training` (with `pipeline` set). */
  readonly pipelines: ResolvedPipeline[];
  readonly monitoring: ResolvedMonitoring;
  /** The organizational controls every template passes. */
  readonly compliance: Compliance;
  /** Things a user may accept; surfaced as synth warnings. */
  readonly warnings: DefinitionProblem[];
  /** Protected items this definition lets a change replace or delete (`zone:raw`, `key:lake`, `pool:train`). */
  readonly allowReplace: ReplaceAllowance[];
  /** Monthly cost figures at catalog prices (idle floor and ceiling), computed once here. */
  readonly cost: PlatformCost;
  /** The delivery pipeline, when the definition has one. */
  readonly delivery?: ResolvedDelivery;
}

export interface ResolvedDeliverySource {
  readonly connectionArn: string;
  readonly repository: string;
  readonly branch: string;
  readonly definitionFile?: string;
}

export interface ResolvedDelivery {
  readonly source: ResolvedDeliverySource;
  /** In deploy order. */
  readonly stages: ResolvedDeliveryStage[];
  /** Where the pipeline itself lives. */
  readonly account: string;
  readonly region: string;
}

export interface ResolvedDeliveryStage {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly approval: DeliveryApproval;
  readonly overrides: DeliveryOverrides;
}

export interface ResolvedNetwork {
  readonly maxAzs: number;
  /** Named AZs, when the definition names them (maxAzs is then their number). */
  readonly availabilityZones?: string[];
  readonly natGateways: number;
  readonly cidr: string;
  readonly interfaceEndpoints: InterfaceEndpoints;
  /** The registry mirror of charts and images, when the definition names one. */
  readonly mirror?: MirrorDefinition;
}

export interface ResolvedTeam {
  readonly name: string;
  readonly gpuQuota: number;
  readonly neuronQuota: number;
  readonly egress: EgressAllowance[];
}

export interface ResolvedCluster {
  readonly kubernetesVersion: string;
  readonly endpointAccess: EndpointAccess;
  readonly publicAccessCidrs: string[];
  readonly adminRoleArns: string[];
  readonly systemInstanceType: string;
  readonly systemNodes: number;
}

export interface ResolvedNodePool {
  readonly name: string;
  readonly instanceTypes: string[];
  /** Catalog facts for each instance type, in the same order. */
  readonly instances: InstanceFacts[];
  readonly vendor: AcceleratorVendor;
  /** Accelerators on the smallest / largest node of the pool. */
  readonly minAcceleratorsPerNode: number;
  readonly maxAcceleratorsPerNode: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly capacityType: CapacityType;
  readonly capacityReservationId?: string;
  readonly amiFamily: AmiFamily;
  readonly ami: AmiChoice;
  readonly provisioner: Provisioner;
  readonly efa: boolean;
  readonly diskGiB: number;
  readonly labels: Record<string, string>;
  /** Its node group is protected by a stack policy (definition `protect`). */
  readonly protect: boolean;
  /** What the pool's nodes are (labels, taints, accelerators, EFA interfaces, device plugin), computed once. */
  readonly nodes: PoolNodes;
}

export interface ResolvedDataLake {
  readonly zones: string[];
  readonly archiveAfterDays: number;
  readonly noncurrentVersionExpirationDays: number;
  readonly removalPolicy: DataRemovalPolicy;
  readonly lakeFormation: boolean;
}

export interface ResolvedInference {
  readonly name: string;
  readonly image: string;
  readonly nodePool: string;
  readonly gpus: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly port: number;
  readonly scaling: InferenceScaling;
  readonly namespace: string;
  readonly team?: string;
  readonly p99LatencyTargetMs: number;
  readonly dataAccess: DataAccessDefinition[];
  readonly model?: ModelDefinition;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly secrets: Record<string, string>;
  readonly command?: string[];
  readonly startupBudgetSeconds: number;
  /** The exposure, its visibility defaulted (always set). */
  readonly expose?: InferenceExposure;
  /** The modelled cold start of a replica when requests are held for one (exposed at minReplicas 0). */
  readonly coldStart?: ColdStartEstimate;
}

export interface ResolvedTraining {
  readonly name: string;
  readonly image: string;
  readonly nodePool: string;
  readonly engine: TrainingEngine;
  readonly nodes: number;
  readonly gpusPerNode: number;
  readonly command: string[];
  readonly namespace: string;
  readonly team?: string;
  readonly dataAccess: DataAccessDefinition[];
  /** Absent: manual runs only. */
  readonly schedule?: TrainingSchedule;
  readonly maxRunHours?: number;
  readonly output?: TrainingOutputDefinition;
  /** An entry of `optimizations`: one node, its command run as it is (no torchrun), an input. */
  readonly optimization: boolean;
  /** The model version an optimization reads (`INPUT_URI`). @default - none (training) */
  readonly input?: TrainingOutputDefinition;
  /**
   * An `engine: ray` entry of `pipelines`, run as this Ray job (its CronJob, namespace and service account are the
   * pipeline's name; `schedule` is its trigger converted, in Etc/UTC). @default - none (training, optimization)
   */
  readonly pipeline?: ResolvedRayPipeline;
}

/** What a Ray pipeline adds to its job: what it reads and writes, its script and its trigger as written. */
export interface ResolvedRayPipeline {
  /** Its position in the definition's `pipelines` (its problems are reported under `pipelines[index]`). */
  readonly index: number;
  /** Its name in AWS as a Spark pipeline's (`<platform>-<name>`): the folder it writes, `<to>/<awsName>/`. */
  readonly awsName: string;
  readonly script: string;
  readonly from: string[];
  readonly to: string;
  /** The EventBridge Scheduler expression as written (`schedule` holds the cluster's cron). @default - by hand */
  readonly trigger?: string;
  readonly runTimeoutMinutes: number;
}

export interface ResolvedMonitoring {
  readonly alarmEmails: string[];
  readonly monthlyBudgetUsd?: number;
  readonly budgetCostFilter: BudgetCostFilter;
  readonly gpuIdleThresholdPercent: number;
  readonly gpuIdleMinutes: number;
  readonly gpuMemoryThresholdPercent: number;
  readonly errorRateThresholdPercent: number;
  readonly pendingPodsMinutes: number;
  readonly pendingPods: number;
  readonly gpuMemoryMinutes: number;
  readonly failedNodes: number;
  readonly failedNodesMinutes: number;
  readonly errorRateMinutes: number;
  readonly alarms: AiMonitoringAlarms;
}

export interface ResolvedPipelineTable {
  readonly name: string;
  readonly format: TableFormat;
  readonly partitionKeys: string[];
  readonly columns: PipelineColumnDefinition[];
}

/** A Spark pipeline (EMR Serverless). Ray pipelines are Ray jobs in `training`, with `pipeline` set. */
export interface ResolvedPipeline {
  readonly name: string;
  readonly engine: PipelineEngine;
  /** A local file path or an `s3://` URI. */
  readonly script: string;
  readonly from: string[];
  readonly to: string;
  /** The schedule expression, for a scheduled pipeline. */
  readonly schedule?: string;
  /** The zone (and prefix) whose new objects start a run, for an arrival-triggered pipeline. */
  readonly arrivalZone?: string;
  readonly arrivalPrefix?: string;
  readonly maxVcpu: number;
  readonly maxMemoryGiB: number;
  readonly runTimeoutMinutes: number;
  readonly table?: ResolvedPipelineTable;
}
