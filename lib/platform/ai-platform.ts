import {
  Annotations,
  Arn,
  type CfnResource,
  Aspects,
  CfnOutput,
  Token,
  CrossStackReferences,
  ReferenceStrength,
  Stack,
  Tags,
  Validations,
  type Environment,
} from 'aws-cdk-lib';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { Compliance } from '../core/compliance';
import { PRICED_REGION } from '../catalog/prices';
import { ControlTowerControls } from '../core/control-tower-controls';
import * as cdk8s from 'cdk8s';
import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClusterAutoscaler } from '../autoscaling/cluster-autoscaler';
import type { Karpenter } from '../autoscaling/karpenter';
import type { ManagedPrometheus } from '../autoscaling/managed-prometheus';
import { ChartDelivery } from '../cluster/deliver-chart';
import { GpuCluster } from '../cluster/gpu-cluster';
import { GpuNodePool } from '../compute/gpu-node-pool';
import { AssemblyFile } from '../core/assembly-file';
import { StackPolicy } from '../core/stack-policy';
import { DataLake } from '../data-lake/data-lake';
import { WorkloadDataAccess } from '../data-lake/workload-data-access';
import { loadDefinitionFile } from '../definition/load';
import { formatWarning } from '../definition/problems';
import { resolveDefinition } from '../definition/resolve';
import type { ResolvedDefinition } from '../definition/resolved';
import { Provisioner, type AiPlatformDefinition } from '../definition/types';
import { AiMonitoring } from '../monitoring/ai-monitoring';
import { ContainerInsights } from '../monitoring/container-insights';
import { PlatformNetwork } from '../network/platform-network';
import type { DataPipeline } from '../pipelines/data-pipeline';
import { planPlatform, type PlatformPlan } from '../plan/plan';
import { renderPlanMarkdown } from '../plan/plan-report';
import { mapAutoscaling } from './map-autoscaling';
import { acknowledgeChosenEndpoint, clusterProps, useDefinedMirror } from './map-cluster';
import { nodePoolProps } from './map-compute';
import { dataLakeProps } from './map-data-lake';
import { monitoringProps } from './map-monitoring';
import { mapPipelines } from './map-pipelines';
import { mapWorkloads, needsWorkloadRole, type ChartSink } from './map-workloads';
import { checkStackLimits, templateSizeProblems } from './stack-limits';
import { PLATFORM_TAG_KEY } from '../core/platform-tag';
import { layoutStacks, POOL_STACKS, WORKLOAD_STACKS } from './stack-layout';

/** Props of {@link AiPlatform}. */
export interface AiPlatformProps {
  /** The platform, as typed data or as parsed from a JSON/YAML file. */
  readonly definition: AiPlatformDefinition;
  /** Where the stacks deploy. @default - environment-agnostic stacks */
  readonly env?: Environment;
  /** Named in error messages, e.g. the definition file's path. @default - none */
  readonly source?: string;
}

/**
 * A complete AI platform from one definition. Composition only: it resolves the definition (every default,
 * every check) and maps it onto the domain constructs, each of which works on its own too.
 *
 * Stacks: `<name>-data` (the data lake: stateful, termination-protected, independent of everything else in
 * the definition), `<name>-platform` (network, cluster, system nodes, autoscaling, operators, team
 * namespaces, pipelines, metrics collection), `<name>-monitoring` (dashboard, alarms, topic, budget), and the
 * shard stacks `<name>-pools-1..4` and `<name>-workloads-1..4`, where each managed pool and each workload
 * lives in the shard its name hashes to (see stack-layout.ts). Stacks read each other only with
 * `Fn::GetStackOutput`, never an export.
 *
 * @throws DefinitionError listing every problem of an invalid definition
 */
export class AiPlatform extends Construct {
  public readonly definition: ResolvedDefinition;
  /** Capacity, schedulability and cost of the definition; also written to `cdk.out/plan/<name>.json`. */
  public readonly plan: PlatformPlan;
  public readonly dataStack: Stack;
  public readonly platformStack: Stack;
  public readonly monitoringStack: Stack;
  public readonly monitoring: AiMonitoring;
  public readonly containerInsights: ContainerInsights;
  public readonly dataLake: DataLake;
  /** Every cdk8s chart the platform applies, by chart id (e.g. `inference-llm`). */
  public readonly charts: Record<string, Chart>;
  public readonly clusterAutoscaler?: ClusterAutoscaler;
  public readonly karpenter?: Karpenter;
  /**
   * Managed Prometheus workspace and scraper, when there are inference services, or jobs a CronJob starts with run
   * alarms on (`monitoring.alarms.runs`, the default).
   */
  public readonly prometheus?: ManagedPrometheus;
  /** The Pod Identity role of each workload that declares `dataAccess`, by workload name. */
  public readonly workloadAccess: Record<string, WorkloadDataAccess> = {};
  public readonly network: PlatformNetwork;
  public readonly cluster: GpuCluster;
  /** Managed-node-group pools by name. */
  public readonly nodePools: Record<string, GpuNodePool> = {};
  /** Data pipelines by name (in the platform stack). */
  public readonly pipelines: Record<string, DataPipeline>;
  /**
   * The shard stacks `<name>-pools-<k>` and `<name>-workloads-<k>` that hold managed pools and workloads by
   * their names' hash; always all of them, those with nothing in them without resources.
   */
  public readonly shardStacks: Stack[] = [];

  /**
   * Templates of a synthesized app that pass CloudFormation's 1 MB template quota, one message each; empty
   * when every template fits. Run it on `app.synth()`'s result (the CLI app does, and exits 1 on any).
   */
  public static templateSizeProblems(assembly: cxapi.CloudAssembly): string[] {
    return templateSizeProblems(assembly);
  }

  /**
   * A platform from a definition file (`.yaml`, `.yml` or `.json`), read with the strict loader and
   * named in error messages.
   */
  public static fromFile(scope: Construct, id: string, path: string, env?: Environment): AiPlatform {
    return new AiPlatform(scope, id, {
      definition: loadDefinitionFile(path) as AiPlatformDefinition,
      source: path,
      env,
    });
  }

  constructor(scope: Construct, id: string, props: AiPlatformProps) {
    super(scope, id);
    const def = resolveDefinition(props.definition, props.source);
    this.definition = def;
    const layout = layoutStacks(def);
    const shardName = (kind: 'pools' | 'workloads', shard: number) => `${def.name}-${kind}-${shard}`;
    this.plan = planPlatform(def, {
      pools: Object.fromEntries([...layout.pools].map(([name, shard]) => [name, shardName('pools', shard)])),
      workloads: Object.fromEntries(
        [...layout.workloads].map(([name, shard]) => [name, shardName('workloads', shard)]),
      ),
    });
    new AssemblyFile(
      this,
      'Plan',
      () => `plan/${def.name}.json`,
      () => `${JSON.stringify(this.plan, null, 2)}\n`,
    );
    new AssemblyFile(
      this,
      'PlanReport',
      () => `plan/${def.name}.md`,
      () => renderPlanMarkdown(this.plan),
    );

    // The data stack is built from `name`, `tags` and `dataLake` only, so nothing else in the definition can
    // change it. Construct IDs here are part of the contract: they keep the buckets' and key's logical IDs.
    this.dataStack = new Stack(this, 'Data', {
      stackName: `${def.name}-data`,
      env: props.env,
      terminationProtection: true,
      description: `AI platform ${def.name}: data lake (stateful)`,
    });
    this.dataLake = new DataLake(this.dataStack, 'DataLake', dataLakeProps(def));
    // The definition raised the Lake Formation admin requirement under dataLake.lakeFormation (acknowledgeable there).
    Annotations.of(this.dataLake).acknowledgeWarning(
      'ai-platform:lake-formation-admin-required',
      'Raised by the definition as dataLake.lakeFormation',
    );

    this.platformStack = new Stack(this, 'Platform', {
      stackName: `${def.name}-platform`,
      env: props.env,
      description: `AI platform ${def.name}: network, EKS cluster and accelerated node pools`,
    });
    // Warnings name the definition (file) and field; those the definition acknowledges carry its reason and
    // do not fail `cdk synth --strict`.
    for (const w of def.warnings) {
      const id = `ai-platform:definition:${w.path.replace(/[^\w.]+/g, '-')}`;
      Annotations.of(this.platformStack).addWarningV2(
        id,
        `${props.source ? `${props.source}: ` : 'definition: '}${formatWarning(w)}`,
      );
      if (w.acknowledged !== undefined) Annotations.of(this.platformStack).acknowledgeWarning(id, w.acknowledged);
    }

    // The lake's zone buckets and key are never replaced or deleted by accident. Their stack policy is set from the
    // platform stack, which deploys after the data stack (so it exists), keeping the data stack free of functions
    // (a function there could not sit in the platform's VPC under Control Tower: the platform stack depends on it).
    const allowed = new Set(def.allowReplace.map((a) => a.item));
    // Deleting the platform stack leaves the data stack protected (the data outlives the platform).
    new StackPolicy(this.platformStack, 'DataStackPolicy', {
      target: this.dataStack,
      liftOnDelete: false,
      protect: () => [
        ...Object.entries(this.dataLake.zoneBuckets)
          .filter(([zone]) => !allowed.has(`zone:${zone}`))
          .map(([, bucket]) => bucket.node.defaultChild as CfnResource),
        ...(allowed.has('key:lake') ? [] : [this.dataLake.key.node.defaultChild as CfnResource]),
      ],
    });

    // Prices are one region's (catalog); a platform bound to another says its costs are estimates there.
    const region = props.env?.region;
    if (region !== undefined && !Token.isUnresolved(region) && region !== PRICED_REGION) {
      Annotations.of(this.platformStack).addInfo(
        `costs in cdk.out/plan/${def.name}.md and the budget check (monitoring.monthlyBudgetUsd) use ${PRICED_REGION} list prices; ${region}'s differ (usually higher): read them as estimates`,
      );
    }

    this.network = new PlatformNetwork(this.platformStack, 'Network', { ...def.network, discoveryName: def.name });
    this.cluster = new GpuCluster(this.platformStack, 'Cluster', clusterProps(def, this.network));
    acknowledgeChosenEndpoint(def, this.cluster);
    // What a user needs after `cdk deploy` to reach the cluster (shown by the CLI; `aws cloudformation describe-stacks`).
    new CfnOutput(this.platformStack, 'ClusterName', {
      value: this.cluster.cluster.clusterName,
      description: 'The EKS cluster',
    });
    new CfnOutput(this.platformStack, 'KubeconfigCommand', {
      value: `aws eks update-kubeconfig --name ${this.cluster.cluster.clusterName} --region ${this.platformStack.region}`,
      description: 'Run with one of cluster.adminRoleArns (the cluster admins through access entries) to use kubectl',
    });
    useDefinedMirror(this, def, this.cluster);

    // Managed pools and workloads live in shard stacks chosen by their own names (lib/platform/stack-layout.ts);
    // every shard is synthesized, an empty one with no resources (the CDK CLI then deletes it if deployed).
    const shardStack = (kind: 'pools' | 'workloads', shard: number): Stack => {
      const id = `${kind === 'pools' ? 'Pools' : 'Workloads'}${shard}`;
      const existing = this.node.tryFindChild(id) as Stack | undefined;
      if (existing) return existing;
      const stack = new Stack(this, id, {
        stackName: shardName(kind, shard),
        env: props.env,
        // No CDKMetadata resource: a shard with nothing in it must have no resources at all.
        analyticsReporting: false,
        description: `AI platform ${def.name}: ${kind === 'pools' ? 'node pools' : 'workloads'}, shard ${shard} of ${kind === 'pools' ? POOL_STACKS : WORKLOAD_STACKS} (by name)`,
      });
      stack.addStackDependency(this.platformStack);
      // What a shard reads from the platform stack (cluster, subnets, kubectl provider) it reads weakly, with
      // Fn::GetStackOutput: an export would be locked while the shard imports it, so a shard emptying (or
      // dropping its only EFA pool) would fail the platform stack's update on "export in use".
      CrossStackReferences.of(stack).consume(ReferenceStrength.WEAK);
      Validations.of(stack).acknowledge({
        id: 'CloudFormation-Validate::F0001',
        reason: 'An empty shard has no resources on purpose: the CDK CLI skips it, or deletes it when it was deployed',
      });
      this.shardStacks.push(stack);
      return stack;
    };
    for (let k = 1; k <= POOL_STACKS; k++) shardStack('pools', k);
    for (let k = 1; k <= WORKLOAD_STACKS; k++) shardStack('workloads', k);
    for (const pool of def.nodePools.filter((p) => p.provisioner === Provisioner.MANAGED_NODE_GROUP)) {
      this.nodePools[pool.name] = new GpuNodePool(
        shardStack('pools', layout.pools.get(pool.name)!),
        `Pool-${pool.name}`,
        nodePoolProps(def, pool, this.cluster.cluster, this.network),
      );
    }

    // Pools marked `protect` get a stack policy in their shard, set by the shard itself (the shard may not exist
    // before its first deploy); a shard left without a protected pool drops it, which sets the allow-all policy.
    for (const stack of this.shardStacks) {
      const guarded = def.nodePools.filter(
        (p) =>
          p.protect &&
          !allowed.has(`pool:${p.name}`) &&
          this.nodePools[p.name] !== undefined &&
          Stack.of(this.nodePools[p.name]) === stack,
      );
      if (guarded.length > 0)
        new StackPolicy(stack, 'StackPolicy', {
          target: stack,
          protect: () => guarded.map((p) => this.nodePools[p.name].nodegroup.node.defaultChild as CfnResource),
        });
    }

    // Workload identities read the data lake through its stack's outputs (Fn::GetStackOutput, no exports),
    // so granting access changes only the platform stack and nothing locks the data stack.
    this.platformStack.addStackDependency(this.dataStack);
    const lake = this.dataLake.referenceFrom(this.platformStack);
    const workloadStack = (name: string) => shardStack('workloads', layout.workloads.get(name)!);
    for (const w of [...def.inference, ...def.training].filter(needsWorkloadRole)) {
      const stack = workloadStack(w.name);
      stack.addStackDependency(this.dataStack);
      this.workloadAccess[w.name] = new WorkloadDataAccess(stack, `DataAccess-${w.name}`, {
        cluster: this.cluster.cluster,
        dataLake: lake,
        namespace: w.namespace,
        serviceAccount: w.name,
        access: w.dataAccess,
      });
    }

    // The alarm topic of the monitoring stack has a fixed name, so the platform stack can name it (for the
    // Prometheus latency rules) without a cross-stack export; the monitoring stack deploys first.
    const topicName = `${def.name}-alarms`;
    const alertTopicArn = Arn.format({ service: 'sns', resource: topicName }, this.platformStack);

    // Cluster-level scaling and the Kubernetes workloads (cdk8s charts, applied and written to cdk.out/k8s/).
    const k8sApp = new cdk8s.App();
    const charts: Record<string, Chart> = {};
    const deliver: ChartSink = (scope, chartId, chart, ...deps) => {
      charts[chart.node.id] = chart;
      const manifest = ChartDelivery.deliver(this.cluster.cluster, chartId, chart, {
        scope: scope as Construct | undefined,
      });
      manifest.node.addDependency(...deps);
      return manifest;
    };
    const scaling = mapAutoscaling(def, {
      stack: this.platformStack,
      cluster: this.cluster.cluster,
      k8sApp,
      deliver,
      alertTopicArn,
      nodeSubnets: this.network.vpc.selectSubnets(this.network.nodeSubnets).subnets,
    });
    if (scaling.prometheus) charts[scaling.prometheus.rbacChart.node.id] = scaling.prometheus.rbacChart;
    mapWorkloads(def, {
      stack: this.platformStack,
      cluster: this.cluster.cluster,
      k8sApp,
      deliver,
      dataLake: lake,
      workloadAccess: this.workloadAccess,
      prometheus: scaling.prometheus,
      scopeFor: (name) => workloadStack(name),
    });
    this.charts = charts;
    this.clusterAutoscaler = scaling.clusterAutoscaler;
    this.karpenter = scaling.karpenter;
    this.prometheus = scaling.prometheus;
    this.pipelines = mapPipelines(def, {
      stack: this.platformStack,
      lake,
      network: this.network,
      alarmTopicArn: alertTopicArn,
    });

    // Metrics in (platform stack) and monitoring (its own stack; a default even without `monitoring`).
    this.containerInsights = new ContainerInsights(this.platformStack, 'ContainerInsights', {
      cluster: this.cluster.cluster,
      clusterName: def.name,
      kubernetesVersion: def.cluster.kubernetesVersion,
    });
    this.containerInsights.addon.node.addDependency(this.cluster.systemNodegroup);
    this.monitoringStack = new Stack(this, 'Monitoring', {
      stackName: `${def.name}-monitoring`,
      env: props.env,
      description: `AI platform ${def.name}: dashboard, alarms, budget`,
    });
    this.monitoringStack.addStackDependency(this.dataStack);
    this.platformStack.addStackDependency(this.monitoringStack);
    const monitoredLake = this.dataLake.referenceFrom(this.monitoringStack);
    this.monitoring = new AiMonitoring(
      this.monitoringStack,
      'Monitoring',
      monitoringProps(def, {
        stack: this.monitoringStack,
        lake: monitoredLake,
        containerInsights: this.containerInsights,
        topicName,
        nodegroupNames: Object.fromEntries(
          Object.entries(this.nodePools).map(([name, pool]) => [name, pool.nodegroupName]),
        ),
      }),
    );

    // The definition raised the cost-tag activation warning under monitoring.budgetCostFilter (acknowledgeable there).
    Annotations.of(this.monitoring).acknowledgeWarning(
      'ai-platform:monitoring:budget-cost-tag-activation',
      'Raised by the definition as monitoring.budgetCostFilter',
    );
    for (const [k, v] of Object.entries({ [PLATFORM_TAG_KEY]: def.name, ...def.tags }))
      Tags.of(this).add(k, v, { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
    if (def.compliance === Compliance.CONTROL_TOWER) {
      // One aspect per platform: it also reaches the resources aws-cdk-lib adds on its own (providers, their logs).
      const controls = new ControlTowerControls({ vpc: this.network.vpc, vpcSubnets: this.network.nodeSubnets });
      for (const stack of [this.dataStack, this.platformStack, this.monitoringStack, ...this.shardStacks])
        Aspects.of(stack).add(controls);
    }

    const sizes = `nodePools: ${def.nodePools.length}, inference: ${def.inference.length}, training: ${def.training.length}, teams: ${def.teams.length}, pipelines: ${def.pipelines.length}; managed pools and workloads are spread over the pools and workloads shard stacks by name, while team namespaces, pipelines, operators and the cluster stay in the platform stack`;
    checkStackLimits(this.platformStack, () => sizes);
    for (const stack of this.shardStacks) checkStackLimits(stack, () => sizes);
    checkStackLimits(this.monitoringStack, () => `inference: ${def.inference.length} (alarms per service)`);
    checkStackLimits(this.dataStack, () => `dataLake.zones: ${def.dataLake.zones.length}`);
  }
}
