import { findInstance } from './accelerators';
import { deepFreeze } from './deep-freeze';

/**
 * Hourly (or monthly) list prices of the services a platform runs whether or not any workload does,
 * us-east-1, read on {@link SERVICE_PRICES_AS_OF} from the AWS pricing pages named beside each. They feed
 * the plan's idle floor and the benchmark's cost comparison; nothing is billed from them.
 */
export const SERVICE_PRICES_AS_OF = '2026-11-01';

/**
 * The region every price of the catalog (instances, services, EMR Serverless) is read for. Elsewhere list prices
 * differ, mostly upward; a platform deployed to another region says so (AiPlatform) and its plan names this one.
 */
export const PRICED_REGION = 'us-east-1';

export const SERVICE_PRICES = deepFreeze({
  /** Amazon EKS: a cluster in standard support, per hour (aws.amazon.com/eks/pricing). */
  eksClusterHourly: 0.1,
  /** A NAT gateway, per hour, before data processing (aws.amazon.com/vpc/pricing). */
  natGatewayHourly: 0.045,
  /** A public IPv4 address (each NAT gateway has one), per hour (aws.amazon.com/vpc/pricing, "Public IPv4 Address"). */
  publicIpv4Hourly: 0.005,
  /** An interface VPC endpoint, per AZ it has an ENI in, per hour, before data (aws.amazon.com/privatelink/pricing). */
  interfaceEndpointHourlyPerAz: 0.01,
  /** A customer managed KMS key, per month (aws.amazon.com/kms/pricing). */
  kmsKeyMonthly: 1.0,
  /**
   * An Amazon Managed Service for Prometheus managed collector, per hour it runs, before samples
   * (aws.amazon.com/prometheus/pricing: collectors are charged by the hours they are on). The figure is the
   * price as remembered, not read from a stored copy of the page: check it.
   */
  prometheusCollectorHourly: 0.04,
  /**
   * An Application Load Balancer, per hour, before LCUs (aws.amazon.com/elasticloadbalancing/pricing, as quoted by
   * a third-party copy dated 2026-05-08, cloud-horizons.com "ALB: the line item nobody watches"; no stored AWS copy).
   */
  albHourly: 0.0225,
} as const);

/** Hours in an average month. */
export const HOURS_PER_MONTH = 730;

/** On-demand monthly price of an instance type of the catalog (0 when the catalog does not know it). */
export function monthlyInstancePrice(instanceType: string): number {
  return (findInstance(instanceType)?.onDemandHourlyUsd ?? 0) * HOURS_PER_MONTH;
}

/** Amazon EMR Serverless, us-east-1, Linux/x86: what workers hold, per second with a one-minute minimum (20 GB of disk per worker free). */
export const EMR_SERVERLESS_PRICES = deepFreeze({
  /** Per vCPU-hour (aws.amazon.com/emr/pricing as quoted by third-party copies, no stored AWS copy; read 2026-11-30). */
  vcpuHourly: 0.052624,
  /** Per GB-hour of memory (aws.amazon.com/emr/pricing as quoted by third-party copies, no stored AWS copy; read 2026-11-30). */
  memoryGbHourly: 0.0057785,
} as const);
