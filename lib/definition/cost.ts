import { HOURS_PER_MONTH, monthlyInstancePrice, SERVICE_PRICES } from '../catalog/prices';
import { PlatformNetwork } from '../network/platform-network';
import { ExposureVisibility } from '../workloads/inference-exposure';
import { pipelineMonthlyCeiling } from './resolve-pipelines';
import type { ResolvedDefinition } from './resolved';

/** What the cost model reads: the resolved definition before its cost is known. */
export type CostInputs = Omit<ResolvedDefinition, 'cost'>;

export { HOURS_PER_MONTH };

/**
 * The hourly floor of the shared ALBs: one per visibility in use (an IngressGroup each); an internet-facing one also
 * holds a public IPv4 address per AZ it spans (the tagged public subnets, one per AZ), billed as any public IPv4.
 */
function loadBalancerHours(def: CostInputs): number {
  const visibilities = new Set(
    def.inference.flatMap((s) => (s.expose ? [s.expose.visibility ?? ExposureVisibility.INTERNAL] : [])),
  );
  const internet = visibilities.has(ExposureVisibility.INTERNET)
    ? def.network.maxAzs * SERVICE_PRICES.publicIpv4Hourly
    : 0;
  return visibilities.size * SERVICE_PRICES.albHourly + internet;
}

/** What a platform costs a month with nothing running, item by item (catalog list prices). */
export interface IdleCost {
  readonly controlPlane: number;
  readonly natGateways: number;
  readonly interfaceEndpoints: number;
  readonly systemNodes: number;
  /** Pools at minNodes (0 for pools that scale to zero). */
  readonly poolMinimums: number;
  readonly kmsKeys: number;
  readonly prometheusCollector: number;
  /** One ALB per visibility in use by exposed services (the controller creates them at run time), its public IPv4 addresses for internet. */
  readonly loadBalancers: number;
  readonly total: number;
}

/** Customer managed KMS keys every platform has: the data lake's, the cluster secrets', the alarm topic's. */
const KMS_KEYS = 3;

/**
 * The idle floor: every hourly-billed part that runs whatever the workloads do — the EKS control plane, NAT
 * gateways (with their public IPv4 addresses), interface endpoints (per AZ), the system nodes, pools held at minNodes, KMS keys, the managed
 * Prometheus collector and the shared ALBs of exposed services — at the catalog's list prices. Usage (data, samples, requests) comes on top.
 */
export function computeIdleCost(def: CostInputs): IdleCost {
  const month = HOURS_PER_MONTH;
  const endpoints = PlatformNetwork.endpointsFor(def.network.interfaceEndpoints).length;
  const items = {
    controlPlane: SERVICE_PRICES.eksClusterHourly * month,
    natGateways: def.network.natGateways * (SERVICE_PRICES.natGatewayHourly + SERVICE_PRICES.publicIpv4Hourly) * month,
    interfaceEndpoints: endpoints * def.network.maxAzs * SERVICE_PRICES.interfaceEndpointHourlyPerAz * month,
    systemNodes: def.cluster.systemNodes * monthlyInstancePrice(def.cluster.systemInstanceType),
    poolMinimums: def.nodePools.reduce(
      (sum, p) => sum + p.minNodes * Math.min(...p.instanceTypes.map(monthlyInstancePrice)),
      0,
    ),
    // One more key per pipeline: it encrypts the pipeline's log groups (DataPipeline's default).
    kmsKeys: (KMS_KEYS + def.pipelines.length) * SERVICE_PRICES.kmsKeyMonthly,
    // The workspace and its scraper exist for inference (KEDA, latency rules) and for run alarms (training and
    // optimization jobs: platform/map-monitoring.ts runObjectives, whose list this follows).
    prometheusCollector:
      def.inference.length > 0 || (def.training.length > 0 && def.monitoring.alarms.runs !== false)
        ? SERVICE_PRICES.prometheusCollectorHourly * month
        : 0,
    loadBalancers: loadBalancerHours(def) * month,
  };
  return { ...items, total: Object.values(items).reduce((a, b) => a + b, 0) };
}

/** Monthly on-demand cost of each pool at maxNodes of its most expensive type, and the platform's whole ceiling. */
export interface ComputeCostCeiling {
  readonly pools: Record<string, number>;
  readonly systemNodes: number;
  /** Scheduled pipelines at full capacity for their whole timeout on every run (arrival-triggered ones have no monthly bound). */
  readonly pipelines: Record<string, number>;
  /** The idle floor without the pools' minimums (they are inside the pools' figures). */
  readonly fixed: number;
  readonly total: number;
}

/**
 * The most the definition can cost a month at on-demand catalog prices: every pool at maxNodes of its most
 * expensive type, every scheduled pipeline run at full capacity for its whole timeout, plus everything of the
 * idle floor that is not a pool. Spot and Capacity Blocks cost less; this is a ceiling (arrival-triggered
 * pipelines are bounded per run only: see the plan).
 */
export function computeCostCeiling(def: CostInputs): ComputeCostCeiling {
  const pools = Object.fromEntries(
    def.nodePools.map((p) => [p.name, p.maxNodes * Math.max(...p.instanceTypes.map(monthlyInstancePrice))]),
  );
  const pipelines = Object.fromEntries(
    def.pipelines.flatMap((p) => {
      const monthly = pipelineMonthlyCeiling(p);
      return monthly === undefined ? [] : [[p.name, monthly]];
    }),
  );
  const idle = computeIdleCost(def);
  const fixed = idle.total - idle.poolMinimums;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const total = sum(pools) + sum(pipelines) + fixed;
  return { pools, pipelines, systemNodes: idle.systemNodes, fixed, total };
}

/** A platform's monthly cost figures, computed once when the definition is resolved. */
export interface PlatformCost {
  readonly idle: IdleCost;
  readonly ceiling: ComputeCostCeiling;
}

export function computePlatformCost(def: CostInputs): PlatformCost {
  return { idle: computeIdleCost(def), ceiling: computeCostCeiling(def) };
}
