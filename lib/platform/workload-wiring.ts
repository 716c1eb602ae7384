import { Duration, type Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { acceleratorResourceName, AcceleratorVendor } from '../catalog/accelerators';
import { ClusterAutoscaler } from '../autoscaling/cluster-autoscaler';
import { Karpenter } from '../autoscaling/karpenter';
import { KarpenterNodePool } from '../autoscaling/karpenter-node-pool';
import { DISCOVERY_TAG } from '../network/platform-network';
import { ManagedPrometheus } from '../autoscaling/managed-prometheus';
import type { WorkloadDataAccess } from '../data-lake/workload-data-access';
import type { ResolvedDefinition, ResolvedNodePool } from '../definition/resolved';
import { DataAccessLevel } from '../data-lake/data-access-level';
import { Provisioner, type DataAccessDefinition } from '../definition/types';
import { ScalingMetric } from '../workloads/scaling-metric';
import { TrainingEngine } from '../workloads/training-engine';
import type { DataLakeImport } from '../data-lake/data-lake-ref';
import { ensureMountpointDriver } from '../data-lake/mountpoint-driver';
import type { S3Mount } from '../workloads/s3-mounts';
import { deliverChart } from '../cluster/deliver-chart';
import { InferenceService } from '../workloads/inference-service';
import { ensureOperator, Operator } from '../cluster/operators';
import { placementOnPool } from '../workloads/placement';
import { TeamNamespace, type OperatorIngress } from '../workloads/team-namespace';
import { RAY_DASHBOARD_PORT, TrainingJob } from '../workloads/training-job';
import { HELM_CHARTS } from '../catalog/versions';
import { ensureDevicePlugins } from '../compute/device-plugins';

/** What the workload wiring builds, for AiPlatform to expose. */
export interface WorkloadWiring {
  readonly charts: Record<string, cdk8s.Chart>;
  readonly clusterAutoscaler?: ClusterAutoscaler;
  readonly karpenter?: Karpenter;
  readonly prometheus?: ManagedPrometheus;
}

interface WiringContext {
  readonly stack: Stack;
  /** Where the Prometheus latency rules send alerts. */
  readonly alertTopicArn: string;
  readonly dataLake: DataLakeImport;
  readonly cluster: eks.Cluster;
  readonly nodeSubnets: ec2.ISubnet[];
  readonly def: ResolvedDefinition;
  readonly workloadAccess: Record<string, WorkloadDataAccess>;
  /** The stack a workload's manifests go to (an overflow stack of a large platform). @default - the cluster's stack */
  readonly scopeFor?: (workload: string) => IConstruct | undefined;
}

/**
 * Maps the definition's pools, teams and workloads onto cluster-level scaling and cdk8s charts, in
 * dependency order: operators and namespaces before the objects that need them.
 */
export function wireWorkloads(ctx: WiringContext): WorkloadWiring {
  const { stack, cluster, def } = ctx;
  const app = new cdk8s.App();
  const charts: Record<string, cdk8s.Chart> = {};
  const pools = new Map(def.nodePools.map((p) => [p.name, p]));
  const deliverIn = (scope: IConstruct | undefined, id: string, chart: cdk8s.Chart, ...deps: IConstruct[]) => {
    charts[chart.node.id] = chart;
    const manifest = deliverChart(cluster, id, chart, { scope: scope as Construct | undefined });
    manifest.node.addDependency(...deps);
    return manifest;
  };
  const deliver = (id: string, chart: cdk8s.Chart, ...deps: IConstruct[]) => deliverIn(undefined, id, chart, ...deps);
  const scopeOf = (workload: string) => ctx.scopeFor?.(workload);

  // Node scaling.
  const managed = def.nodePools.filter((p) => p.provisioner === Provisioner.MANAGED_NODE_GROUP);
  const clusterAutoscaler = managed.length > 0
    ? new ClusterAutoscaler(stack, 'ClusterAutoscaler', { cluster, kubernetesVersion: def.cluster.kubernetesVersion })
    : undefined;
  const karpenterPools = def.nodePools.filter((p) => p.provisioner === Provisioner.KARPENTER);
  const karpenter = karpenterPools.length > 0 ? new Karpenter(stack, 'Karpenter', { cluster }) : undefined;
  for (const pool of karpenterPools) {
    const nodePool = new KarpenterNodePool(app, `karpenter-pool-${pool.name}`, {
      poolName: pool.name, instanceTypes: pool.instanceTypes, maxNodes: pool.maxNodes, capacityType: pool.capacityType,
      capacityReservationId: pool.capacityReservationId, amiFamily: pool.amiFamily, nodeRoleName: karpenter!.nodeRole.roleName,
      subnetSelectorTags: { [DISCOVERY_TAG]: def.name },
      // EKS tags the cluster security group with the cluster's name.
      securityGroupSelectorTags: { 'aws:eks:cluster-name': def.name },
      diskGiB: pool.diskGiB, labels: pool.labels,
    });
    deliver(`KarpenterPool-${pool.name}`, nodePool, karpenter!.chart);
    // The same device plugins as a managed pool of this kind: they select the label PoolNodes puts on both.
    ensureDevicePlugins(cluster, nodePool.nodes);
  }

  // Metrics for KEDA (and dashboards): only when there is something to scrape.
  const prometheus = def.inference.length > 0
    ? new ManagedPrometheus(stack, 'Prometheus', {
      cluster, subnets: ctx.nodeSubnets, k8sApp: app, alertTopicArn: ctx.alertTopicArn,
      latencyObjectives: def.inference.map((s) => ({ name: s.name, namespace: s.namespace, p99LatencyTarget: Duration.millis(s.p99LatencyTargetMs) })),
    })
    : undefined;
  if (prometheus) charts[prometheus.rbacChart.node.id] = prometheus.rbacChart;

  // Namespaces: one per team (with its accelerator quota), one per workload outside a team.
  const namespaces = new Map<string, eks.KubernetesManifest>();
  const ports = (ns: string) => def.inference.filter((s) => s.namespace === ns).map((s) => s.port);
  // The managed scraper's ENIs sit in the node subnets and scrape the services' metrics ports directly.
  const scraperCidrs = prometheus ? [def.network.cidr] : [];
  // KubeRay's operator calls each Ray head's dashboard for job status (ray-operator utils/util.go
  // FetchHeadServiceURL, v1.7.0); the submitter pod is in the namespace itself.
  const operatorIngress = (ns: string): OperatorIngress[] => def.training.some((j) => j.namespace === ns && j.engine === TrainingEngine.RAY)
    ? [{ name: 'kuberay-dashboard', fromNamespace: HELM_CHARTS.kuberay.namespace, podLabels: { 'ray.io/node-type': 'head' }, ports: [RAY_DASHBOARD_PORT] }]
    : [];
  for (const team of def.teams) {
    const quota = { [acceleratorResourceName(AcceleratorVendor.NVIDIA)!]: team.gpuQuota, [acceleratorResourceName(AcceleratorVendor.AWS_NEURON)!]: team.neuronQuota };
    namespaces.set(team.name, deliver(`Namespace-${team.name}`, new TeamNamespace(app, `namespace-${team.name}`, {
      name: team.name, acceleratorQuota: quota, servicePorts: ports(team.name), scraperCidrs, operatorIngress: operatorIngress(team.name),
    })));
  }
  for (const w of [...def.inference, ...def.training].filter((x) => !namespaces.has(x.namespace))) {
    namespaces.set(w.namespace, deliverIn(scopeOf(w.name), `Namespace-${w.namespace}`, new TeamNamespace(app, `namespace-${w.namespace}`, {
      name: w.namespace, servicePorts: ports(w.namespace), scraperCidrs, operatorIngress: operatorIngress(w.namespace),
    })));
  }

  const accessOf = (name: string): IConstruct[] => (ctx.workloadAccess[name] ? [ctx.workloadAccess[name]] : []);
  // Zones mounted through the Mountpoint for Amazon S3 CSI driver (installed once, only when used).
  const mountsOf = (access: DataAccessDefinition[]): { mounts: S3Mount[]; deps: IConstruct[] } => {
    const mounts = access.filter((a) => a.mountPath).map((a) => ({
      name: a.zone, bucketName: ctx.dataLake.bucketNames[a.zone], mountPath: a.mountPath!, readOnly: a.access === DataAccessLevel.READ,
    }));
    return { mounts, deps: mounts.length > 0 ? [ensureMountpointDriver(cluster, def.cluster.kubernetesVersion)] : [] };
  };
  for (const svc of def.inference) {
    const pool = pools.get(svc.nodePool) as ResolvedNodePool;
    const usesKeda = svc.scaling.metric !== ScalingMetric.CPU;
    const s3 = mountsOf(svc.dataAccess);
    const deps: IConstruct[] = [namespaces.get(svc.namespace)!, ...accessOf(svc.name), ...s3.deps];
    if (usesKeda) deps.push(ensureOperator(cluster, Operator.KEDA, { prometheusWorkspaceArn: prometheus?.workspace.attrArn }));
    deliverIn(scopeOf(svc.name), `Inference-${svc.name}`, new InferenceService(app, `inference-${svc.name}`, {
      name: svc.name, namespace: svc.namespace, image: svc.image, port: svc.port,
      placement: placementOnPool(pool.name, pool.instances, svc.gpus),
      minReplicas: svc.minReplicas, maxReplicas: svc.maxReplicas, scaling: svc.scaling,
      prometheus: usesKeda ? prometheus!.source : undefined, s3Mounts: s3.mounts,
    }), ...deps);
  }
  for (const job of def.training) {
    const pool = pools.get(job.nodePool) as ResolvedNodePool;
    const operator = ensureOperator(cluster, job.engine === TrainingEngine.RAY ? Operator.KUBERAY : Operator.JOBSET);
    const s3 = mountsOf(job.dataAccess);
    deliverIn(scopeOf(job.name), `Training-${job.name}`, new TrainingJob(app, `training-${job.name}`, {
      name: job.name, namespace: job.namespace, image: job.image, engine: job.engine, nodes: job.nodes,
      placement: placementOnPool(pool.name, pool.instances, job.gpusPerNode, pool.nodes.efaInterfaces),
      command: job.command.length > 0 ? job.command : undefined, s3Mounts: s3.mounts,
    }), namespaces.get(job.namespace)!, operator, ...accessOf(job.name), ...s3.deps);
  }
  return { charts, clusterAutoscaler, karpenter, prometheus };
}
