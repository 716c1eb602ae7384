import { Token } from 'aws-cdk-lib';
import { parseCidr, subnetsFit } from '../catalog/service-limits';
import { ProblemList, type Problem } from '../core/problems';
import { NETWORK_DEFAULTS } from './defaults';

/** Public subnets: one /24 per AZ (load balancers only). */
export const PUBLIC_SUBNET_MASK = 24;
/** Node subnets: one /19 per AZ (8,190 addresses: every pod takes a VPC IP). */
export const NODE_SUBNET_MASK = 19;

/** What {@link networkProblems} checks (PlatformNetwork's props, or the definition's `network`). */
export interface NetworkSpec {
  readonly maxAzs?: number;
  readonly natGateways?: number;
  readonly cidr?: string;
  /** `all` or `image-pulls` (an InterfaceEndpoints value). */
  readonly interfaceEndpoints?: string;
}

/**
 * The rules of a platform VPC: 2..6 AZs, NAT gateways within them (and every endpoint without one), and an
 * IPv4 network from /16 to /20 without host bits that holds a public /24 and a node /19 per AZ, allocated
 * aligned as aws-ec2 does. Tokens are skipped.
 */
export function networkProblems(spec: NetworkSpec): Problem[] {
  const out = new ProblemList();
  const maxAzs = spec.maxAzs ?? NETWORK_DEFAULTS.maxAzs;
  const natGateways = spec.natGateways ?? NETWORK_DEFAULTS.natGateways;
  const cidr = spec.cidr ?? NETWORK_DEFAULTS.cidr;
  if (Token.isUnresolved(maxAzs) || Token.isUnresolved(natGateways)) return [];
  if (natGateways === 0 && spec.interfaceEndpoints !== undefined && spec.interfaceEndpoints !== 'all') {
    out.add('interfaceEndpoints', spec.interfaceEndpoints, 'must be all with natGateways 0: nodes then reach AWS only through endpoints');
  }
  // EKS: "You must specify at least two subnets that are in different Availability Zones" (EKS user guide,
  // VPC and subnet requirements); the managed Prometheus scraper asks for two AZs as well (CreateScraper).
  out.check(maxAzs >= 2 && maxAzs <= 6, 'maxAzs', maxAzs, 'must be between 2 and 6: EKS needs subnets in at least two Availability Zones');
  out.check(natGateways >= 0 && natGateways <= maxAzs, 'natGateways', natGateways, `must be between 0 and maxAzs (${maxAzs})`);
  if (Token.isUnresolved(cidr)) return out.problems;
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.prefix < 16 || parsed.prefix > 20) {
    out.add('cidr', cidr, 'must be an IPv4 CIDR from /16 to /20, e.g. 10.0.0.0/16');
  } else if (parsed.hostBits) {
    out.add('cidr', cidr, `has host bits set; did you mean ${parsed.network}?`);
  } else if (!subnetsFit(parsed.prefix, [...Array(maxAzs).fill(PUBLIC_SUBNET_MASK), ...Array(maxAzs).fill(NODE_SUBNET_MASK)])) {
    out.add('cidr', cidr, `cannot hold ${maxAzs} public /${PUBLIC_SUBNET_MASK} and ${maxAzs} node /${NODE_SUBNET_MASK} subnets (one of each per AZ); use a larger network (a smaller prefix) or fewer maxAzs`);
  }
  return out.problems;
}
