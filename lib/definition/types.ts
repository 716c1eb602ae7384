/**
 * The definition: the contract users write, in TypeScript or in a JSON/YAML file.
 *
 * Plain data only (jsii-friendly: no unions, no classes). Units are in field names. Closed choices are
 * string-valued enums, so the same words work in TypeScript and YAML. Every optional field names its
 * default; all defaults are applied in one place, `resolveDefinition`.
 */
import type { AmiFamily } from '../catalog/ami';
import type { CapacityType } from '../compute/capacity-type';
import type { ScalingMetric } from '../workloads/scaling-metric';
import type { TrainingEngine } from '../workloads/training-engine';
import type { TrainingSchedule } from '../workloads/training-schedule';
import type { EgressAllowance } from '../workloads/egress';
import type { InferenceExposure } from '../workloads/inference-exposure';
import type { DataAccessLevel } from '../data-lake/data-access-level';
import type { InterfaceEndpoints } from '../network/platform-network';
import type { TableFormat } from '../pipelines/pipeline-table';
import type { AiMonitoringAlarms, BudgetCostFilter } from '../monitoring/ai-monitoring';
import type { Compliance } from '../core/compliance';

/** What launches a pool's nodes. */
export enum Provisioner {
  /** An EKS managed node group scaled by Cluster Autoscaler. */
  MANAGED_NODE_GROUP = 'managed-node-group',
  /** A Karpenter NodePool and EC2NodeClass. */
  KARPENTER = 'karpenter',
}

/** Who can reach the Kubernetes API endpoint. */
export enum EndpointAccess {
  PUBLIC_AND_PRIVATE = 'public-and-private',
  PRIVATE = 'private',
}

/** What happens to the data lake when its stack is deleted. */
export enum DataRemovalPolicy {
  RETAIN = 'retain',
  /** Deletes buckets and key; only honoured together with the `allowDataDeletion` context flag. */
  DESTROY = 'destroy',
}

export interface NetworkDefinition {
  /** Availability zones the VPC spans. @default 3 (or the number of `availabilityZones`) @asType integer */
  readonly maxAzs?: number;
  /**
   * The Availability Zones by name (e.g. `us-east-1a`); name them when a Capacity Block's reservation must be
   * in the VPC. @default - the region's first `maxAzs` zones, chosen at deploy time
   */
  readonly availabilityZones?: string[];
  /** NAT gateways (0 keeps nodes on VPC endpoints only). @default 1 @asType integer */
  readonly natGateways?: number;
  /** The VPC's IPv4 CIDR. @default '10.0.0.0/16' */
  readonly cidr?: string;
  /**
   * Interface endpoints in the node subnets: `image-pulls` (ECR only; other AWS APIs through the NAT
   * gateway) or `all` (needed, and the default, with natGateways 0). Each endpoint costs per AZ and hour.
   * @default - 'image-pulls' with NAT gateways, 'all' without
   */
  readonly interfaceEndpoints?: InterfaceEndpoints;
  /**
   * A private ECR registry holding copies of every pinned Helm chart and the images they run; needed with
   * natGateways 0 (nodes and the kubectl provider then reach no public registry). `VersionCatalog.mirrorList`
   * and `cdk.out/plan/<name>-mirror.txt` list what to copy. @default - none: charts and images from their public sources
   */
  readonly mirror?: MirrorDefinition;
}

/** A registry mirror for the platform's charts and their images. */
export interface MirrorDefinition {
  /** `<12-digit account>.dkr.ecr.<region>.amazonaws.com[/<path>]`, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror`. */
  readonly registry: string;
}

export interface ClusterDefinition {
  /** A Kubernetes version the version catalog supports. @default the newest supported */
  readonly kubernetesVersion?: string;
  /** @default EndpointAccess.PUBLIC_AND_PRIVATE */
  readonly endpointAccess?: EndpointAccess;
  /** CIDRs allowed to reach a public endpoint. @default - any (['0.0.0.0/0']) */
  readonly publicAccessCidrs?: string[];
  /** IAM role ARNs granted cluster admin through EKS access entries. @default - none */
  readonly adminRoleArns?: string[];
  /**
   * Instance type of the on-demand system node group (controllers, CoreDNS, operators: mostly idle, so a
   * burstable type). @default 't3.large'
   */
  readonly systemInstanceType?: string;
  /** Nodes in the system node group. @default 2 @asType integer */
  readonly systemNodes?: number;
}

export interface NodePoolDefinition {
  /** [a-z][a-z0-9-], 1..25 characters, not ending with "-", unique among pools; not `system` (the cluster's own pool). */
  readonly name: string;
  /** Instance types, all in the accelerator catalog and of one accelerator vendor. */
  readonly instanceTypes: string[];
  /** @default 0 (GPU pools scale to and from zero) @asType integer */
  readonly minNodes?: number;
  /** >= 1 and >= minNodes. @asType integer */
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacityType?: CapacityType;
  /** Required with `capacity-block`: the Capacity Block reservation (`cr-…`). @default - none */
  readonly capacityReservationId?: string;
  /** @default AmiFamily.AL2023 */
  readonly amiFamily?: AmiFamily;
  /** @default Provisioner.MANAGED_NODE_GROUP */
  readonly provisioner?: Provisioner;
  /** Attach EFA interfaces, pin to one AZ, and place nodes in a cluster placement group. @default false */
  readonly efa?: boolean;
  /** Root volume size (gp3, encrypted). @default 100 @asType integer */
  readonly diskGiB?: number;
  /** Extra node labels. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Never replace or delete this pool's node group by accident: its stack gets a CloudFormation stack policy
   * denying `Update:Replace` and `Update:Delete` on it, and synth with a baseline (`-c ai-platform:baseline=DIR`)
   * refuses a change that would. Lifted only by an `allowReplace` entry `pool:<name>` with a reason.
   * @default false
   */
  readonly protect?: boolean;
}

export interface DataLakeDefinition {
  /** @default ['raw', 'curated', 'features', 'models'] */
  readonly zones?: string[];
  /** Days before current objects move to Glacier Instant Retrieval. @default 90 @asType integer */
  readonly archiveAfterDays?: number;
  /** Days before noncurrent versions expire. @default 30 @asType integer */
  readonly noncurrentVersionExpirationDays?: number;
  /** @default DataRemovalPolicy.RETAIN */
  readonly removalPolicy?: DataRemovalPolicy;
  /** Use Lake Formation permissions for the catalog. @default false */
  readonly lakeFormation?: boolean;
}

export interface DataAccessDefinition {
  /** A zone of the data lake. */
  readonly zone: string;
  readonly access: DataAccessLevel;
  /**
   * Also mount the zone into the workload's containers at this path, through the Mountpoint for Amazon S3
   * CSI driver (read-only unless `access` is read-write), with the workload's own credentials.
   * @default - no mount; the workload uses the S3 API
   */
  readonly mountPath?: string;
}

export interface ScalingDefinition {
  readonly metric: ScalingMetric;
  /** Target per replica (requests, queued requests, or percent). */
  readonly target: number;
  /** Below this (summed) value a service at zero stays at zero. @default - 1 for request metrics, 10 for percents */
  readonly activationThreshold?: number;
  /**
   * PromQL replacing the built-in query of the metric (vLLM's `vllm:num_requests_running` / `_waiting`,
   * DCGM's `DCGM_FI_DEV_GPU_UTIL`), e.g. a gateway's request metric so a service at zero can wake up.
   * Required with `minReplicas: 0`: the built-in queries read the service's own pods, which do not exist at
   * zero replicas, so they could never wake it.
   * @default - the built-in query
   */
  readonly query?: string;
}

export interface InferenceDefinition {
  readonly name: string;
  readonly image: string;
  /** A pool of the definition that offers the accelerators asked for. */
  readonly nodePool: string;
  /** Accelerators per replica; must fit one node of the pool. @default 1 @asType integer */
  readonly gpus?: number;
  /**
   * 0 means scale to zero; it needs a signal that exists while no replica runs: `expose` (the load balancer's
   * interceptor holds the first request, up to `expose.coldStartTimeoutSeconds`, and wakes the service) or
   * `scaling.query` on a gateway's or queue's metric. @default 1
   * @asType integer
   */
  readonly minReplicas?: number;
  /** @default 3 @asType integer */
  readonly maxReplicas?: number;
  /** Container port serving HTTP. @default 8000 @asType integer */
  readonly port?: number;
  /** @default { metric: concurrency, target: 8 } */
  readonly scaling?: ScalingDefinition;
  /** Team namespace to run in (counts against its quota). @default - namespace named after the service */
  readonly team?: string;
  /** Target p99 latency for alarms. @default 2000 */
  readonly p99LatencyTargetMs?: number;
  /** @default - no data access */
  readonly dataAccess?: DataAccessDefinition[];
  /**
   * The model served: `{ zone, path }` (a folder of a data-lake zone, mounted read-only; the service is granted
   * read on that prefix only) or `{ uri: hf://org/name, tokenSecretArn? }` (a hub model). @default - the image's own
   */
  readonly model?: ModelDefinition;
  /** Server arguments, after the model's. @default - none */
  readonly args?: string[];
  /** Plain environment values (not secrets: they appear in the manifests). @default - none */
  readonly env?: Record<string, string>;
  /** Secrets Manager secrets by environment name (full ARNs); read at start, never in a template. @default - none */
  readonly secrets?: Record<string, string>;
  /** The server's entrypoint; needed with secrets for images other than vLLM's. @default - the image's */
  readonly command?: string[];
  /** How long a replica may take to load its model (the startup probe's budget). @default 1800 @asType integer */
  readonly startupBudgetSeconds?: number;
  /**
   * Reach the service from outside the cluster through the platform's shared ALB of its visibility (AWS Load
   * Balancer Controller): `internal` (default, from the VPC) or `internet` (HTTPS only: needs `certificateArn`, and
   * `auth` or `allowedCidrs`). The ALB's DNS name: `kubectl get ingress -n <namespace> <name>`. With `minReplicas: 0` requests
   * go through the KEDA HTTP add-on's interceptor, which holds the first one while a replica starts (Ingress
   * `<name>.<namespace>` in namespace `keda`; `host` required). @default - not exposed
   */
  readonly expose?: InferenceExposure;
}

/** Where an inference service's model comes from: a zone path, or a hub model. */
export interface ModelDefinition {
  /** A data-lake zone, with `path`. @default - none: a hub model */
  readonly zone?: string;
  /** The weights' folder in the zone, e.g. `llama-3-8b/v3`. @default - none */
  readonly path?: string;
  /** `hf://<org>/<name>`. @default - none: a zone model */
  readonly uri?: string;
  /** Secrets Manager ARN of the hub token (hub models). @default - none */
  readonly tokenSecretArn?: string;
  /**
   * The weights' size in GiB, for the plan's modelled cold start (model load = size ÷ the zone read rate of the
   * cold-start catalog). @default - unknown: the plan's cold start is then a lower bound
   */
  readonly sizeGiB?: number;
}

export interface TrainingDefinition {
  readonly name: string;
  readonly image: string;
  readonly nodePool: string;
  /** @default TrainingEngine.PYTORCH */
  readonly engine?: TrainingEngine;
  /** Nodes (workers) in the job. @default 1 @asType integer */
  readonly nodes?: number;
  /** Accelerators per node; must fit one node of the pool. @default - all accelerators of the pool's smallest type @asType integer */
  readonly gpusPerNode?: number;
  /**
   * pytorch: the script and arguments torchrun runs (`[train.py, --epochs, '3']`); ray: the RayJob
   * entrypoint (`[python, train.py]`), required. @default - the image's entrypoint (pytorch only)
   */
  readonly command?: string[];
  /** @default - namespace named after the job */
  readonly team?: string;
  /** @default - no data access */
  readonly dataAccess?: DataAccessDefinition[];
  /**
   * When runs start by themselves: `{ cron: '0 3 * * 0', timeZone: Europe/Berlin }`. A deploy never starts a run;
   * without a schedule a run starts by hand: `kubectl -n <namespace> create job --from=cronjob/<name> <run id>`.
   * @default - manual runs only
   */
  readonly schedule?: TrainingSchedule;
  /**
   * Longest one attempt may run, in hours (pytorch: each of the 1 + 3 restarts; ray: the whole run); it bounds
   * what a run costs in the plan. @default - no limit
   */
  readonly maxRunHours?: number;
  /** Where runs write: each under `<path>/<run id>/` of a zone, with write access to that prefix only. @default - none */
  readonly output?: TrainingOutputDefinition;
}

/** A training job's output: a zone and a prefix; run `<id>` writes `s3://<zone bucket>/<path>/<id>/` (`OUTPUT_URI`). */
export interface TrainingOutputDefinition {
  readonly zone: string;
  /** A normalized key prefix (`llama-3-8b`), without leading or trailing `/`. */
  readonly path: string;
}

/**
 * A single-node job that reads one model version and writes another (quantization, distillation, compilation; the
 * container is the user's): a training job's template, launcher, placement and Pod Security rules, with read access
 * to its input prefix and write access to its output prefix only.
 */
export interface OptimizationDefinition {
  /** Shares the names of inference services and training jobs (one namespace and service account each). */
  readonly name: string;
  readonly image: string;
  readonly nodePool: string;
  /** The command, run as it is (no torchrun), e.g. `[python, quantize.py]`. @default - the image's entrypoint */
  readonly command?: string[];
  /** Accelerators of its one node; must fit one node of the pool. @default - all accelerators of the pool's smallest type @asType integer */
  readonly gpusPerNode?: number;
  /** @default - namespace named after the job */
  readonly team?: string;
  /** When runs start by themselves, as a training job's. @default - manual runs only */
  readonly schedule?: TrainingSchedule;
  /** Longest one attempt may run, in hours (each of the 1 + 3 restarts). @default - no limit */
  readonly maxRunHours?: number;
  /** The model version it reads: `INPUT_URI` = `s3://<zone bucket>/<path>/`, read access to that prefix only. */
  readonly input: TrainingOutputDefinition;
  /** Where runs write: each under `<path>/<run id>/` (`OUTPUT_URI`), with write access to that prefix only. */
  readonly output: TrainingOutputDefinition;
}

export interface TeamDefinition {
  readonly name: string;
  /**
   * NVIDIA GPUs (`nvidia.com/gpu`) the team's namespace may request in total. Kubernetes quotas count each
   * extended resource separately, so Neuron devices have their own quota.
   * @asType integer
   */
  readonly gpuQuota: number;
  /** Neuron devices (`aws.amazon.com/neuron`) the team's namespace may request in total. @default 0 @asType integer */
  readonly neuronQuota?: number;
  /**
   * Destinations the team's pods may reach besides what every namespace admits (DNS, its own pods, HTTPS anywhere,
   * the EKS Pod Identity Agent): address ranges (IPv4/IPv6 CIDRs) and other namespaces of the platform, on TCP,
   * UDP or SCTP ports or port ranges; one NetworkPolicy egress rule each in the team's namespace. @default - none
   */
  readonly egress?: EgressAllowance[];
}

export interface MonitoringDefinition {
  /** Subscribed to the alarm topic. @default - none */
  readonly alarmEmails?: string[];
  /** An AWS Budget with forecast and actual notifications. @default - no budget */
  readonly monthlyBudgetUsd?: number;
  /**
   * Which costs the budget counts: `cost-tag` (those tagged `ai-platform: <name>`; the tag must be activated
   * once per account as a cost allocation tag, or the budget sees $0 — synth warns) or `account` (every cost of
   * an account dedicated to the platform). @default 'cost-tag'
   */
  readonly budgetCostFilter?: BudgetCostFilter;
  /** GPU utilisation (percent) under which running GPU nodes count as idle. @default 10 */
  readonly gpuIdleThresholdPercent?: number;
  /** Minutes GPUs must idle before the GPU-idle alarm. @default 30 @asType integer */
  readonly gpuIdleMinutes?: number;
  /** GPU memory utilisation (percent) that counts as saturated. @default 95 */
  readonly gpuMemoryThresholdPercent?: number;
  /** Share of 5xx responses (percent) that alarms, per service. @default 5 */
  readonly errorRateThresholdPercent?: number;
  /** Minutes pods may stay pending before the alarm. @default 15 @asType integer */
  readonly pendingPodsMinutes?: number;
  /** Pending pods that alarm (at least this many). @default 1 @asType integer */
  readonly pendingPods?: number;
  /** Minutes a GPU's memory must stay saturated before the alarm. @default 15 @asType integer */
  readonly gpuMemoryMinutes?: number;
  /** Failed nodes that alarm (at least this many). @default 1 @asType integer */
  readonly failedNodes?: number;
  /** Minutes nodes must stay failed before the alarm. @default 10 @asType integer */
  readonly failedNodesMinutes?: number;
  /** Minutes a service's 5xx rate must stay over its threshold before the alarm. @default 15 @asType integer */
  readonly errorRateMinutes?: number;
  /**
   * Which alarms exist: each is on unless set to `false` (e.g. `{ gpuIdle: false }` for a pool meant to idle).
   * Turning one off deletes that alarm; turning it on again creates it under the same logical ID.
   * @default - every alarm on
   */
  readonly alarms?: AiMonitoringAlarms;
}

/** A definition warning the user has considered and accepts. */
export interface WarningAcknowledgement {
  /**
   * The field path the warning names, as synth prints it (`- inference[0].maxReplicas (6) × gpus (1) uses over
   * 80% ...` → `inference[0].maxReplicas`). Not the CDK CLI's `Annotation::ai-platform:definition:...` id: that
   * one is for code that builds the app.
   */
  readonly warning: string;
  /** Why the definition is right as it is (not blank; kept in the assembly instead of the warning). */
  readonly reason: string;
}

/**
 * A protected item you let one change replace or delete, with the reason. Items: `zone:<zone>` (a zone bucket of
 * the data lake), `key:lake` (the lake's KMS key), `pool:<pool>` (the node group of a pool with `protect: true`).
 */
export interface ReplaceAllowance {
  /** `zone:<zone>`, `key:lake` or `pool:<pool>`, e.g. `zone:raw`. */
  readonly item: string;
  /** Why replacing or deleting it is safe (not blank), e.g. `the raw zone moved to another account`. */
  readonly reason: string;
}

/** The engine a pipeline runs on. */
export enum PipelineEngine {
  /** Apache Spark on an EMR Serverless application (auto-start, auto-stop: nothing runs idle). */
  SPARK = 'spark',
  /**
   * Ray in the EKS cluster: a KubeRay RayJob on a node pool, started by a CronJob (a schedule converted to the
   * cluster's cron, in UTC) or by hand; nothing runs between runs.
   */
  RAY = 'ray',
}

/** What starts a pipeline: a schedule, or data arriving in a zone. Give exactly one (leave `trigger` out to start runs by hand). */
export interface PipelineTriggerDefinition {
  /** An EventBridge Scheduler expression: `cron(0 2 * * ? *)`, `rate(6 hours)` or `at(2027-01-01T00:00:00)`. @default - none */
  readonly schedule?: string;
  /** Objects created in a zone (under a prefix) start a run. @default - none */
  readonly onArrival?: PipelineArrivalDefinition;
}

export interface PipelineArrivalDefinition {
  /** One of the pipeline's `from` zones. */
  readonly zone: string;
  /** Only keys under this prefix, e.g. `reviews/`. @default - every object of the zone */
  readonly prefix?: string;
}

export interface PipelineCapacityDefinition {
  /** @default 16 @asType integer */
  readonly vcpu?: number;
  /** @default 64 @asType integer */
  readonly memoryGiB?: number;
}

export interface PipelineTableDefinition {
  /** The table in the target zone's Glue database: lowercase letters, digits and `_`. */
  readonly name: string;
  /** `parquet`, `orc`, `json` or `csv`. @default 'parquet' */
  readonly format?: TableFormat;
  /** @default - none */
  readonly partitionKeys?: string[];
  /**
   * The data columns of the table, in order, e.g. `[{ name: user_id, type: bigint }, { name: ts, type: timestamp }]`.
   * The table is owned by CloudFormation (a Glue table in the target zone's database), so its schema is declared
   * here, not inferred by the job; Athena queries exactly these columns plus `partitionKeys` (a name may not be
   * both). Without columns the table holds partitions only and a query sees no data columns.
   * @default - none: partitions only
   */
  readonly columns?: PipelineColumnDefinition[];
}

export interface PipelineColumnDefinition {
  /** Lowercase letters, digits and `_`, not starting with a digit. */
  readonly name: string;
  /**
   * A Hive type that Glue, Spark and Athena read: `boolean`, `tinyint`, `smallint`, `int`, `bigint`, `float`,
   * `double`, `decimal(p,s)`, `string`, `char(n)`, `varchar(n)`, `date`, `timestamp`, `binary`, `array<t>`,
   * `map<primitive,t>`, `struct<name:t,...>`.
   */
  readonly type: string;
}

/** A data pipeline: a job that reads some zones of the data lake and writes one. */
export interface PipelineDefinition {
  /** [a-z][a-z0-9-]; with the platform's name, at most 64 characters. */
  readonly name: string;
  /** @default PipelineEngine.SPARK */
  readonly engine?: PipelineEngine;
  /**
   * A local `.py` file (relative to where `cdk synth` runs) or, for spark only, an `s3://` URI. spark: shipped as an
   * asset; ray: its contents are mounted into the Ray pods (at most 252 KiB as JSON).
   */
  readonly script: string;
  /** Zones the job reads; at least one, not `to`. */
  readonly from: string[];
  /** The zone the job writes. */
  readonly to: string;
  /**
   * ray: a schedule only (`cron(...)` without L, W, # or a year; `rate(...)` that divides an hour or a day), run by the
   * pipeline's CronJob in UTC; no `onArrival` or `at(...)`.
   * @default - none: started by hand (spark: Step Functions StartExecution; ray: `kubectl -n <name> create job --from=cronjob/<name> <run id>`)
   */
  readonly trigger?: PipelineTriggerDefinition;
  /** spark only. @default - { vcpu: 16, memoryGiB: 64 } */
  readonly maxCapacity?: PipelineCapacityDefinition;
  /** A run is stopped after this. @default 120 @asType integer */
  readonly runTimeoutMinutes?: number;
  /** spark only: register the output as a table in the target zone's database. @default - no table */
  readonly table?: PipelineTableDefinition;
  /** ray only, required there: the image of the Ray head and workers, with Ray (RUNTIME_VERSIONS.rayVersion) and the script's libraries. @default - none */
  readonly image?: string;
  /** ray only, required there: the node pool of the workers (the head runs on the system nodes). @default - none */
  readonly nodePool?: string;
  /** ray only: worker nodes (one worker pod per node), as a training job's `nodes`. @default 1 @asType integer */
  readonly nodes?: number;
  /** ray only: accelerators per worker; must fit one node of the pool. @default - all accelerators of the pool's smallest type @asType integer */
  readonly gpusPerNode?: number;
}

/** When a delivery stage waits for a person before it deploys. */
export enum DeliveryApproval {
  /** Always: a manual approval after the change report, before every deploy of the stage. */
  MANUAL = 'manual',
  /**
   * Only when the stage's change report shows a replacement or removal of nodes (a pool's node group), data (a zone
   * bucket, the lake's key) or an endpoint (an inference service); otherwise the approval stage is skipped.
   */
  ON_REPLACEMENT = 'on-replacement',
  /** Never: the stage deploys once its change report passes. */
  NONE = 'none',
}

/** Where the delivery pipeline reads the repository that holds the definition. */
export interface DeliverySourceDefinition {
  /**
   * The AWS CodeConnections (or older CodeStar Connections) connection to the repository's host, created and
   * authorized once in the pipeline's account: `arn:aws:codeconnections:<region>:<account>:connection/<id>`.
   */
  readonly connectionArn: string;
  /** The repository as `owner/name`, e.g. `acme/ml-platform`. */
  readonly repository: string;
  /** The branch whose commits the pipeline delivers. @default 'main' */
  readonly branch?: string;
  /**
   * The definition file in the repository, as the pipeline's build passes it to the CDK app
   * (`npx cdk synth -c definition=<file>`). @default - the file this definition was read from
   */
  readonly definitionFile?: string;
}

/** A node pool's size in one delivery stage. */
export interface DeliveryPoolOverride {
  /** One of the definition's `nodePools[].name`. */
  readonly name: string;
  /** @default - the pool's own minNodes @asType integer */
  readonly minNodes?: number;
  /** @default - the pool's own maxNodes @asType integer */
  readonly maxNodes?: number;
}

/** Monitoring that differs in one delivery stage. */
export interface DeliveryMonitoringOverride {
  /** @default - the definition's monitoring.alarmEmails */
  readonly alarmEmails?: string[];
  /** @default - the definition's monitoring.monthlyBudgetUsd */
  readonly monthlyBudgetUsd?: number;
}

/**
 * What may differ in one delivery stage, and nothing else: pool sizes, alarm e-mails and the budget. Every stage
 * deploys the same platform otherwise, so what staging proves is what production gets.
 */
export interface DeliveryOverrides {
  /** Pool sizes by pool name. @default - every pool's own size */
  readonly nodePools?: DeliveryPoolOverride[];
  /** @default - the definition's monitoring */
  readonly monitoring?: DeliveryMonitoringOverride;
}

/** One environment the pipeline deploys the platform to, in order. */
export interface DeliveryStageDefinition {
  /** [A-Za-z][A-Za-z0-9-], 1..40 characters, unique among stages, e.g. `staging`. */
  readonly name: string;
  /** The 12-digit AWS account, bootstrapped with `cdk bootstrap --trust <pipeline account>`. */
  readonly account: string;
  /** The AWS Region, e.g. `us-east-1`. */
  readonly region: string;
  /** @default DeliveryApproval.ON_REPLACEMENT */
  readonly approval?: DeliveryApproval;
  /** What differs in this stage. @default - nothing */
  readonly overrides?: DeliveryOverrides;
}

/**
 * A CDK Pipelines (CodePipeline) delivery of this definition: each commit is synthesized, its change report read
 * against each stage's last deployed assembly, and the platform's stacks deployed stage by stage, each stage
 * verified before the next starts.
 */
export interface DeliveryDefinition {
  readonly source: DeliverySourceDefinition;
  /** At least one, deployed in this order; at most one per account and Region (the stack names are the platform's). */
  readonly stages: DeliveryStageDefinition[];
  /** The account of the pipeline itself (a tooling account). @default - the first stage's account */
  readonly account?: string;
  /** The Region of the pipeline itself. @default - the first stage's region */
  readonly region?: string;
}

/** The whole platform. */
export interface AiPlatformDefinition {
  /** [a-z][a-z0-9-], 3..28 characters; prefixes stack and resource names. */
  readonly name: string;
  /** Tags on every resource. @default - none */
  readonly tags?: Record<string, string>;
  /** @default - { maxAzs: 3, natGateways: 1 } */
  readonly network?: NetworkDefinition;
  /** @default - defaults of ClusterDefinition */
  readonly cluster?: ClusterDefinition;
  /** At least one; names unique. */
  readonly nodePools: NodePoolDefinition[];
  /** @default - a data lake with the default zones */
  readonly dataLake?: DataLakeDefinition;
  /** @default - none */
  readonly inference?: InferenceDefinition[];
  /** @default - none */
  readonly training?: TrainingDefinition[];
  /** Optimization jobs: single-node jobs from one model version to another. @default - none */
  readonly optimizations?: OptimizationDefinition[];
  /** @default - none */
  readonly teams?: TeamDefinition[];
  /** Data pipelines between the data lake's zones. @default - none */
  readonly pipelines?: PipelineDefinition[];
  /** @default - dashboard and alarms to a topic with no subscribers, no budget */
  readonly monitoring?: MonitoringDefinition;
  /**
   * Organizational controls every template passes. `control-tower`: AWS Control Tower's proactive controls
   * (private API endpoint, functions in the VPC, log groups kept a year and encrypted, detailed monitoring,
   * Object Lock, …; the README's "AWS Control Tower" table says what each costs). Choose it before the first
   * deploy of the data stack: Object Lock can only be set on a new bucket. @default 'standard'
   */
  readonly compliance?: Compliance;
  /**
   * Warnings this definition raises that you accept, each with a reason; `cdk synth --strict` then passes.
   * Synth prints each warning with the entry that accepts it, e.g.
   * `acknowledgeWarnings: [{ warning: 'monitoring.monthlyBudgetUsd', reason: 'a pilot: pools stay small' }]`.
   * An entry that names no current warning (the field changed) is itself a warning. @default - none
   */
  readonly acknowledgeWarnings?: WarningAcknowledgement[];
  /**
   * Protected items (zone buckets and the lake's key always; pools with `protect: true`) this definition lets
   * CloudFormation replace or delete, each with a reason: the stack policy stops denying it, and the change
   * report (`-c ai-platform:baseline=DIR`) stops refusing it. The policy in force during a deploy is the one set
   * by the deploy before, so deploy the entry first, then the change that replaces or deletes the item.
   * @default - none: every protected item stays protected
   */
  readonly allowReplace?: ReplaceAllowance[];
  /**
   * A delivery pipeline for this platform (`<name>-delivery`): with it, the reference app synthesizes the pipeline
   * stack, which deploys the platform's stacks to each stage. @default - none: deploy with `cdk deploy`
   */
  readonly delivery?: DeliveryDefinition;
}
