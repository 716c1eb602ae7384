import { CapacityType } from '../compute/capacity-type';
import { clusterProblems } from '../cluster/cluster-checks';
import { dataLakeProblems, lakeFormationAdminRequirement } from '../data-lake/data-lake-checks';
import { monitoringProblems } from '../monitoring/monitoring-checks';
import { BudgetCostFilter } from '../monitoring/ai-monitoring';
import { DEFAULT_BUDGET_COST_FILTER } from '../monitoring/defaults';
import { PLATFORM_TAG_KEY } from '../core/platform-tag';
import { DEFAULTS } from './defaults';
import { DefinitionError, formatProblem, ProblemCollector, type DefinitionProblem } from './problems';
import type { ResolvedCluster, ResolvedDefinition } from './resolved';
import { resolveNodePools } from './resolve-pools';
import { resolveAllowReplace } from './resolve-allow-replace';
import { resolveDelivery, stageDefinition } from './resolve-delivery';
import { resolvePipelines } from './resolve-pipelines';
import { resolveInference } from './resolve-inference';
import { resolveTraining } from './resolve-training';
import { resolveOptimizations } from './resolve-optimizations';
import { trainingPaths } from './private/workload-rules';
import { resolveRayPipelines } from './resolve-ray-pipelines';
import { checkDerivedNames, checkTeams } from './resolve-teams';
import { parseCidr, tagProblems, TAGS } from '../catalog/service-limits';
import { nodeTemplateTags } from '../compute/gpu-node-pool';
import { defaultInterfaceEndpoints, PlatformNetwork } from '../network/platform-network';
import { duplicates } from './rules';
import { registryMirrorProblems } from '../core/registry-mirror';
import { checkShape, DEFINITION_SCHEMA } from './schema';
import { computePlatformCost } from './cost';
import { EndpointAccess, Provisioner, type AiPlatformDefinition, type ClusterDefinition } from './types';
import { Compliance } from '../core/compliance';
import { ExposureVisibility, loadBalancerNameFor, loadBalancerNameProblems } from '../workloads/inference-exposure';

const PLATFORM_NAME = /^[a-z][a-z0-9-]{2,27}$/;

/**
 * Checks a definition (typed, or parsed from JSON/YAML) and applies every default.
 *
 * @returns every problem found, each with its field path; empty when the definition is valid
 */
export function validateDefinition(input: unknown): DefinitionProblem[] {
  return collect(input).out.problems;
}

/**
 * Checks a definition and applies every default, the one place defaults are applied.
 *
 * @throws DefinitionError listing every problem when the definition is not valid
 */
export function resolveDefinition(input: AiPlatformDefinition | unknown, source?: string): ResolvedDefinition {
  const { out, resolved } = collect(input);
  if (out.problems.length > 0 || !resolved) throw new DefinitionError(out.problems, source);
  return resolved;
}

function collect(input: unknown): { out: ProblemCollector; resolved?: ResolvedDefinition } {
  const out = new ProblemCollector();
  // Shape first: the semantic rules below rely on the types being right.
  if (!checkShape(input, DEFINITION_SCHEMA, '', out)) return { out };
  const def = input as AiPlatformDefinition;

  out.check(
    PLATFORM_NAME.test(def.name),
    'name',
    def.name,
    'must be 3..28 characters: lowercase letters, digits and "-", starting with a letter',
  );
  checkTags(def.tags ?? {}, out);
  // The shared ALBs are named after the platform (<name>-int, <name>-ext): a name ELB refuses is the platform name's problem.
  for (const v of new Set(
    (def.inference ?? []).flatMap((s) => (s.expose ? [s.expose.visibility ?? ExposureVisibility.INTERNAL] : [])),
  ))
    for (const p of loadBalancerNameProblems(loadBalancerNameFor(def.name, v), 'name'))
      out.error('name', def.name, `gives the ${v} load balancer the name '${p.value}', which ${p.message}`);

  const network = {
    maxAzs: def.network?.availabilityZones?.length ?? def.network?.maxAzs ?? DEFAULTS.network.maxAzs,
    availabilityZones: def.network?.availabilityZones,
    natGateways: def.network?.natGateways ?? DEFAULTS.network.natGateways,
    cidr: def.network?.cidr ?? DEFAULTS.network.cidr,
    interfaceEndpoints:
      def.network?.interfaceEndpoints ??
      defaultInterfaceEndpoints(def.network?.natGateways ?? DEFAULTS.network.natGateways),
    mirror: def.network?.mirror ? { registry: def.network.mirror.registry } : undefined,
  };
  // The network's own rules, as PlatformNetwork applies them.
  out.addAll('network', PlatformNetwork.check({ ...network, maxAzs: def.network?.maxAzs }));
  if (network.mirror) out.addAll('network.mirror', registryMirrorProblems(network.mirror.registry));
  // Without NAT the node subnets are isolated (VPC endpoints only), and so is the kubectl provider's Lambda
  // of a private-endpoint cluster: no public chart repository or image registry is reachable.
  out.check(
    network.natGateways !== 0 || network.mirror !== undefined,
    'network.natGateways',
    network.natGateways,
    'leaves nodes and the kubectl provider on VPC endpoints only, where no pinned Helm chart (device plugins, autoscaler, Karpenter, operators, metrics-server) or its images can be pulled: set network.mirror to a private ECR registry holding copies of them (VersionCatalog.mirrorList lists what to copy), or use natGateways >= 1',
  );

  const compliance = def.compliance ?? DEFAULTS.compliance;
  if (compliance === Compliance.CONTROL_TOWER) {
    // CloudFormation AWS::S3::Bucket ObjectLockEnabled: "Update requires: Replacement".
    out.warn(
      'compliance',
      compliance,
      'turns on S3 Object Lock (CT.S3.PR.9), which CloudFormation sets only when a bucket is created: on a data lake already deployed without it, the zone buckets would be replaced and the deploy fails (their names are taken). Acknowledge this for a new platform; a deployed lake has no in-place path (keep compliance standard, or build a new platform and copy the data)',
    );
  }
  const cluster = resolveCluster(def.cluster ?? {}, compliance, out);
  const dataLake = {
    zones: [...(def.dataLake?.zones ?? DEFAULTS.dataLake.zones)],
    archiveAfterDays: def.dataLake?.archiveAfterDays ?? DEFAULTS.dataLake.archiveAfterDays,
    noncurrentVersionExpirationDays:
      def.dataLake?.noncurrentVersionExpirationDays ?? DEFAULTS.dataLake.noncurrentVersionExpirationDays,
    removalPolicy: def.dataLake?.removalPolicy ?? DEFAULTS.dataLake.removalPolicy,
    lakeFormation: def.dataLake?.lakeFormation ?? DEFAULTS.dataLake.lakeFormation,
  };
  // The data lake's own rules, as DataLake applies them.
  out.addAll('dataLake', dataLakeProblems(dataLake));
  // Raised under the definition's field (acknowledgeable there); AiPlatform acknowledges DataLake's own.
  if (dataLake.lakeFormation)
    out.warn('dataLake.lakeFormation', true, lakeFormationAdminRequirement(`${def.name}-data`));

  const nodePools = resolveNodePools(def.nodePools, out);
  // A Capacity Block's reservation is in one AZ, looked up at deploy time: the VPC must span it.
  if (!network.availabilityZones) {
    nodePools.forEach((p, i) => {
      if (p.capacityType !== CapacityType.CAPACITY_BLOCK) return;
      out.warn(
        `nodePools[${i}].capacityReservationId`,
        p.capacityReservationId,
        `is in one Availability Zone, which must be one of the VPC's: without network.availabilityZones those are the region's first ${network.maxAzs} zones. Name the reservation's zone there (aws ec2 describe-capacity-reservations --capacity-reservation-ids ${p.capacityReservationId} shows it), or acknowledge this warning`,
      );
    });
  }
  // EKS node groups take 50 tags: the scale-from-zero tags, the definition's tags and `ai-platform`.
  def.nodePools.forEach((p, i) => {
    const pool = nodePools.find((r) => r.name === p.name);
    if (!pool || pool.provisioner !== Provisioner.MANAGED_NODE_GROUP) return;
    const own = Object.keys(nodeTemplateTags(pool.nodes, pool.diskGiB)).length;
    const total = own + Object.keys(def.tags ?? {}).filter((k) => !/^aws:/i.test(k)).length + 1;
    out.check(
      total <= TAGS.maxPerResource,
      `nodePools[${i}].labels`,
      Object.keys(pool.labels).length,
      `with the definition's tags gives the node group ${total} tags (each label is also a Cluster Autoscaler tag); EKS allows ${TAGS.maxPerResource}: drop labels or tags`,
    );
  });
  const teams = (def.teams ?? []).map((t) => ({
    name: t.name,
    gpuQuota: t.gpuQuota,
    neuronQuota: t.neuronQuota ?? DEFAULTS.team.neuronQuota,
    egress: [...(t.egress ?? [])],
  }));
  const ctx = {
    pools: new Map(nodePools.map((p) => [p.name, p])),
    poolNames: def.nodePools.map((p) => p.name),
    zones: dataLake.zones,
    teams,
  };
  const inference = resolveInference(def.inference ?? [], ctx, out);
  // Optimizations and Ray pipelines are training entries (after the training jobs): one TrainingJob each.
  const training = [
    ...resolveTraining(def.training ?? [], ctx, out),
    ...resolveOptimizations(def.optimizations ?? [], ctx, out),
    ...resolveRayPipelines(def.name, def.pipelines ?? [], ctx, out),
  ];
  const paths = [...inference.map((_, i) => `inference[${i}]`), ...trainingPaths(training)];
  // One service account per workload: names must not collide across kinds.
  const workloadNames = [...inference.map((s) => s.name), ...training.map((j) => j.name)];
  for (const d of duplicates(workloadNames))
    out.error(
      `${paths[d.index]}.name`,
      d.name,
      'must be unique among inference services, training and optimization jobs and ray pipelines',
    );
  // A workload outside a team gets a namespace of its own name: it must not be a team's namespace.
  const teamNames = new Set(teams.map((t) => t.name));
  [...inference, ...training]
    .map((w, i) => ({ w, at: paths[i] }))
    .filter(({ w }) => w.team === undefined && teamNames.has(w.name))
    .forEach(({ w, at }) =>
      out.error(
        `${at}.name`,
        w.name,
        `is also a team's name; a workload outside a team gets a namespace of its own name, so set team: ${w.name} or rename it`,
      ),
    );
  checkTeams(teams, inference, training, ctx.pools, out);
  checkDerivedNames(inference, training, out);
  const pipelines = resolvePipelines(def.name, def.pipelines ?? [], dataLake.zones, network.natGateways, out);

  const monitoring = {
    alarmEmails: [...(def.monitoring?.alarmEmails ?? [])],
    monthlyBudgetUsd: def.monitoring?.monthlyBudgetUsd,
    budgetCostFilter: def.monitoring?.budgetCostFilter ?? (DEFAULT_BUDGET_COST_FILTER as BudgetCostFilter),
    gpuIdleThresholdPercent: def.monitoring?.gpuIdleThresholdPercent ?? DEFAULTS.monitoring.gpuIdleThresholdPercent,
    gpuIdleMinutes: def.monitoring?.gpuIdleMinutes ?? DEFAULTS.monitoring.gpuIdleMinutes,
    gpuMemoryThresholdPercent:
      def.monitoring?.gpuMemoryThresholdPercent ?? DEFAULTS.monitoring.gpuMemoryThresholdPercent,
    errorRateThresholdPercent:
      def.monitoring?.errorRateThresholdPercent ?? DEFAULTS.monitoring.errorRateThresholdPercent,
    pendingPodsMinutes: def.monitoring?.pendingPodsMinutes ?? DEFAULTS.monitoring.pendingPodsMinutes,
    pendingPods: def.monitoring?.pendingPods ?? DEFAULTS.monitoring.pendingPods,
    gpuMemoryMinutes: def.monitoring?.gpuMemoryMinutes ?? DEFAULTS.monitoring.gpuMemoryMinutes,
    failedNodes: def.monitoring?.failedNodes ?? DEFAULTS.monitoring.failedNodes,
    failedNodesMinutes: def.monitoring?.failedNodesMinutes ?? DEFAULTS.monitoring.failedNodesMinutes,
    errorRateMinutes: def.monitoring?.errorRateMinutes ?? DEFAULTS.monitoring.errorRateMinutes,
    alarms: { ...def.monitoring?.alarms },
  };
  // Monitoring's own rules, as AiMonitoring applies them (in the definition's field names).
  out.addAll(
    'monitoring',
    monitoringProblems({
      alarmEmails: monitoring.alarmEmails,
      monthlyBudgetUsd: monitoring.monthlyBudgetUsd,
      percents: {
        gpuIdleThresholdPercent: monitoring.gpuIdleThresholdPercent,
        gpuMemoryThresholdPercent: monitoring.gpuMemoryThresholdPercent,
        errorRateThresholdPercent: monitoring.errorRateThresholdPercent,
      },
      minutes: {
        gpuIdleMinutes: monitoring.gpuIdleMinutes,
        pendingPodsMinutes: monitoring.pendingPodsMinutes,
        gpuMemoryMinutes: monitoring.gpuMemoryMinutes,
        failedNodesMinutes: monitoring.failedNodesMinutes,
        errorRateMinutes: monitoring.errorRateMinutes,
      },
      counts: { pendingPods: monitoring.pendingPods, failedNodes: monitoring.failedNodes },
    }),
  );

  if (monitoring.monthlyBudgetUsd !== undefined && monitoring.budgetCostFilter === BudgetCostFilter.COST_TAG) {
    // Raised here, under the definition's field, so acknowledgeWarnings can accept it; AiPlatform then
    // acknowledges AiMonitoring's own warning of the same fact.
    out.warn(
      'monitoring.budgetCostFilter',
      monitoring.budgetCostFilter,
      `counts only costs tagged ${PLATFORM_TAG_KEY}=${def.name}, which Billing sees once that key is activated as a cost allocation tag (once per account; no CloudFormation resource does it): aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=${PLATFORM_TAG_KEY},Status=Active. Until then the budget sees $0. Use budgetCostFilter: account for an account of its own, or acknowledge this warning once the tag is active`,
    );
  }
  const allowReplace = resolveAllowReplace(def.allowReplace ?? [], out);
  const delivery = def.delivery ? resolveDelivery(def.delivery, def, out) : undefined;
  if (out.problems.length > 0) return { out };
  // Each stage's platform, with its overrides, is a definition of its own: its rules across fields (a service that
  // must fit its pool) hold there too, reported under the stage.
  delivery?.stages.forEach((stage, i) => {
    for (const p of collect(stageDefinition(def, stage)).out.problems)
      out.error(
        `delivery.stages[${i}].overrides`,
        stage.overrides,
        `give the stage's platform a problem: ${formatProblem(p)}`,
      );
  });
  if (out.problems.length > 0) return { out };
  const base = {
    name: def.name,
    tags: { ...def.tags },
    network,
    cluster,
    nodePools,
    dataLake,
    inference,
    training,
    teams,
    pipelines,
    monitoring,
    compliance,
    warnings: out.warnings,
    allowReplace,
    ...(delivery ? { delivery } : {}),
  };
  const resolved: ResolvedDefinition = { ...base, cost: computePlatformCost(base) };
  const ceiling = resolved.cost.ceiling.total;
  if (monitoring.monthlyBudgetUsd !== undefined && ceiling > monitoring.monthlyBudgetUsd) {
    out.warn(
      'monitoring.monthlyBudgetUsd',
      monitoring.monthlyBudgetUsd,
      `is below what the platform can cost at full scale, node pools at maxNodes on-demand and scheduled pipelines at full capacity (about $${Math.round(ceiling).toLocaleString('en-US')} a month); the budget notifies before pools reach full scale`,
    );
  }
  // Last, once every warning is known.
  acknowledge(def.acknowledgeWarnings ?? [], out);
  if (out.problems.length > 0) return { out };
  return { out, resolved };
}

function resolveCluster(c: ClusterDefinition, compliance: Compliance, out: ProblemCollector): ResolvedCluster {
  const d = DEFAULTS.cluster;
  const kubernetesVersion = c.kubernetesVersion ?? d.kubernetesVersion;
  const controlTower = compliance === Compliance.CONTROL_TOWER;
  const endpointAccess = c.endpointAccess ?? (controlTower ? EndpointAccess.PRIVATE : d.endpointAccess);
  // CT.EKS.PR.1 requires EndpointPublicAccess false and EndpointPrivateAccess true.
  out.check(
    !controlTower || endpointAccess === EndpointAccess.PRIVATE,
    'cluster.endpointAccess',
    endpointAccess,
    'must be private with compliance control-tower: AWS Control Tower control CT.EKS.PR.1 refuses a public Kubernetes API endpoint (reach it from the VPC, e.g. through a VPN or AWS Systems Manager)',
  );
  const systemInstanceType = c.systemInstanceType ?? d.systemInstanceType;
  const systemNodes = c.systemNodes ?? d.systemNodes;
  // The cluster's own rules, as GpuCluster applies them.
  out.addAll(
    'cluster',
    clusterProblems({ kubernetesVersion, adminRoleArns: c.adminRoleArns, systemInstanceType, systemNodes }),
  );
  (c.publicAccessCidrs ?? []).forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (!parsed) out.error(`cluster.publicAccessCidrs[${i}]`, cidr, 'must be an IPv4 CIDR');
    else if (parsed.hostBits)
      out.error(`cluster.publicAccessCidrs[${i}]`, cidr, `has host bits set; the network is ${parsed.network}`);
  });
  // EKS API VpcConfigRequest.publicAccessCidrs: "The default value is 0.0.0.0/0", which an empty list leaves in force.
  if (
    c.publicAccessCidrs !== undefined &&
    c.publicAccessCidrs.length === 0 &&
    endpointAccess === EndpointAccess.PUBLIC_AND_PRIVATE
  ) {
    out.error(
      'cluster.publicAccessCidrs',
      c.publicAccessCidrs,
      'must list at least one CIDR: EKS opens an empty list to 0.0.0.0/0 (every address); name the networks that may reach the API, or use endpointAccess private',
    );
  }
  if (c.publicAccessCidrs !== undefined && endpointAccess === EndpointAccess.PRIVATE) {
    out.error('cluster.publicAccessCidrs', c.publicAccessCidrs, 'is only valid with endpointAccess public-and-private');
  }
  if (endpointAccess === EndpointAccess.PUBLIC_AND_PRIVATE && c.publicAccessCidrs === undefined) {
    out.warn(
      'cluster.publicAccessCidrs',
      undefined,
      'is not set: the public API endpoint accepts any source address (IAM still authenticates); set it, or use endpointAccess private',
    );
  }
  return {
    kubernetesVersion,
    endpointAccess,
    systemInstanceType,
    systemNodes,
    publicAccessCidrs: [...(c.publicAccessCidrs ?? d.publicAccessCidrs)],
    adminRoleArns: [...(c.adminRoleArns ?? [])],
  };
}

/** Tags go on every resource: CloudFormation and each service reject keys and values outside the tag rules. */
function checkTags(tags: Record<string, string>, out: ProblemCollector): void {
  for (const [key, value] of Object.entries(tags)) {
    for (const problem of tagProblems(key, value)) out.error(`tags.${key}`, value, problem);
  }
}

/**
 * Marks the warnings the definition accepts. An acknowledgement that names no current warning is itself a
 * warning, not an error: warnings come and go as other fields change, so a stale one must not fail a plain
 * synth (with `--strict` it does, until the acknowledgement is removed).
 */
function acknowledge(acks: { warning: string; reason: string }[], out: ProblemCollector): void {
  acks.forEach((a, i) => {
    out.check(
      a.reason.trim().length > 0,
      `acknowledgeWarnings[${i}].reason`,
      a.reason,
      'must say why the warning is accepted',
    );
    const matching = out.warnings.filter((w) => w.path === a.warning);
    if (matching.length === 0) {
      out.warn(
        `acknowledgeWarnings[${i}].warning`,
        a.warning,
        `names no warning of this definition; its warnings are: ${out.warnings.map((w) => w.path).join(', ') || '(none)'}`,
      );
    }
    for (const w of matching) out.warnings[out.warnings.indexOf(w)] = { ...w, acknowledged: a.reason };
  });
}
