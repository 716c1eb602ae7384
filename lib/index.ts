// Public API. Exports only: constructs, their props and enums, and the functions users need as static members
// (jsii carries no free functions, so one name serves every language). Helpers stay importable inside lib/ from
// their own modules; api/cdk-ai-platform.api.md lists this surface and CI fails when it changes unrecorded.

// The definition and the platform built from it.
export * from './platform/ai-platform';
export * from './delivery/platform-pipeline';
export * from './definition/types';
export { PlatformDefinition } from './definition/platform-definition';
export { DefinitionError, type DefinitionProblem } from './definition/problems';
export { PlatformValidationError, type Problem } from './core/problems';
export type * from './definition/resolved';
export type { IdleCost, ComputeCostCeiling, PlatformCost } from './definition/cost';
// TypeScript-only until bin/app.ts reads files through PlatformDefinition.load (its twin).
export { loadDefinitionFile } from './definition/load';
export * from './core/problem';
export { Compliance } from './core/compliance';
export * from './core/control-tower-controls';

// Plan and catalogs.
export { PlatformPlanner } from './plan/platform-planner';
export type {
  PlanColdStart,
  PlanCost,
  PlanDataZone,
  PlanEndpoint,
  PlanPipeline,
  PlanPlacement,
  PlanPool,
  PlanTeam,
  PlanWorkload,
  PlatformPlan,
} from './plan/plan';
export type { PlanTrainingRun } from './plan/training-runs';
export { AcceleratorCatalog, AcceleratorVendor, type InstanceFacts } from './catalog/accelerators';
export { AmiFamily, type AmiChoice } from './catalog/ami';
export type { ColdStartEstimate } from './catalog/cold-start';
export { VersionCatalog, type ChartImage, type HelmChartVersion, type MirrorCopy } from './catalog/versions';

// Network, cluster, node pools, node autoscaling.
export { InterfaceEndpoints, PlatformNetwork, type PlatformNetworkProps } from './network/platform-network';
export * from './cluster/gpu-cluster';
export { PodIdentityRole, type PodIdentityRoleProps } from './core/pod-identity-role';
export { RegistryMirror } from './core/registry-mirror';
export { Operator, Operators, type OperatorOptions } from './cluster/operators';
export { ChartDelivery, type DeliverChartOptions } from './cluster/deliver-chart';
export * from './compute/capacity-type';
export { GpuNodePool, type GpuNodePoolProps } from './compute/gpu-node-pool';
export { DevicePlugin, PoolNodes, type PoolNodesOptions, type PoolTaint } from './compute/pool-nodes';
export type { NodePoolSpec, PoolNodesSpec } from './compute/pool-checks';
export { DevicePlugins } from './compute/device-plugins';
export * from './autoscaling/cluster-autoscaler';
export * from './autoscaling/karpenter';
export * from './autoscaling/karpenter-node-pool';
export { ManagedPrometheus, type ManagedPrometheusProps } from './autoscaling/managed-prometheus';
export type { LatencyObjective } from './monitoring/prometheus-rules';
export type { RunObjective } from './monitoring/run-rules';

// Data lake.
export * from './data-lake/data-access-level';
export { DataLake, type DataLakeProps } from './data-lake/data-lake';
export { DataLakeImport, DataLakeValues, type IDataLakeRef } from './data-lake/data-lake-ref';
export * from './data-lake/zone-bucket';
export * from './data-lake/workload-data-access';
export { MountpointDriver } from './data-lake/mountpoint-driver';

// Workloads.
export * from './workloads/scaling-metric';
export * from './workloads/training-engine';
export { Placement, type WorkloadPlacement } from './workloads/placement';
export * from './workloads/team-namespace';
export {
  InferenceService,
  type InferenceScaling,
  type InferenceServiceProps,
  type PrometheusSource,
} from './workloads/inference-service';
export { TrainingJob, type TrainingJobProps, type TrainingInput, type TrainingOutput } from './workloads/training-job';
export type { TrainingSchedule } from './workloads/training-schedule';
export type { S3Mount } from './workloads/s3-mounts';
export type { JobFiles } from './workloads/job-files';
export type { InferenceModel } from './workloads/inference-model';
export { ExposureVisibility, type InferenceExposure, type LoadBalancerGroup } from './workloads/inference-exposure';
export {
  JwtClaimFormat,
  UnauthenticatedAction,
  type CognitoAuth,
  type ExposureAuth,
  type JwtAuth,
  type JwtClaim,
} from './workloads/exposure-auth';

// Monitoring.
export { AiPlatformMetrics } from './monitoring/metrics';
export { ClusterMetricFactory } from './monitoring/cluster-metrics';
export { InferenceMetricFactory } from './monitoring/inference-metrics';
export { LoadBalancerMetricFactory, type MonitoredLoadBalancer } from './monitoring/load-balancer-metrics';
export { CostMetricFactory, DataLakeMetricFactory, PipelineMetricFactory } from './monitoring/service-metrics';
export * from './monitoring/ai-monitoring';
export { ContainerInsights, type ContainerInsightsProps } from './monitoring/container-insights';

// Data pipelines.
export * from './pipelines/data-pipeline';
export * from './pipelines/pipeline-script';
export * from './pipelines/pipeline-trigger';
export * from './pipelines/pipeline-table';
export * from './pipelines/ray-pipeline';
