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
  /** Named AZs (e.g. `us-east-1a`); the VPC then spans exactly these. */
  readonly availabilityZones?: string[];
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
/** An AZ name: region (`us-east-1`, `us-gov-west-1`, `ap-southeast-2`) and a zone letter. */
const AZ_NAME = /^([a-z]{2}(?:-[a-z]+)+-\d+)([a-z])$/;

export function networkProblems(spec: NetworkSpec): Problem[] {
  const out = new ProblemList();
  const azs = spec.availabilityZones;
  if (azs !== undefined && !azs.some((a) => Token.isUnresolved(a))) {
    azs.forEach((az, i) =>
      out.check(AZ_NAME.test(az), `availabilityZones[${i}]`, az, 'must be an Availability Zone name, e.g. us-east-1a'),
    );
    const regions = new Set(azs.map((az) => AZ_NAME.exec(az)?.[1]).filter((r) => r !== undefined));
    if (regions.size > 1) out.add('availabilityZones', azs.join(', '), 'must all be in one region');
    const twice = azs.filter((az, i) => azs.indexOf(az) !== i);
    if (twice.length > 0) out.add('availabilityZones', twice.join(', '), 'must not repeat a zone');
    if (spec.maxAzs !== undefined && spec.maxAzs !== azs.length)
      out.add('maxAzs', spec.maxAzs, `must equal the number of availabilityZones (${azs.length}), or be left out`);
  }
  const maxAzs = azs?.length ?? spec.maxAzs ?? NETWORK_DEFAULTS.maxAzs;
  const natGateways = spec.natGateways ?? NETWORK_DEFAULTS.natGateways;
  const cidr = spec.cidr ?? NETWORK_DEFAULTS.cidr;
  if (Token.isUnresolved(maxAzs) || Token.isUnresolved(natGateways)) return [];
  if (natGateways === 0 && spec.interfaceEndpoints !== undefined && spec.interfaceEndpoints !== 'all') {
    out.add(
      'interfaceEndpoints',
      spec.interfaceEndpoints,
      'must be all with natGateways 0: nodes then reach AWS only through endpoints',
    );
  }
  // EKS: "You must specify at least two subnets that are in different Availability Zones" (EKS user guide,
  // VPC and subnet requirements); the managed Prometheus scraper asks for two AZs as well (CreateScraper).
  out.check(
    maxAzs >= 2 && maxAzs <= 6,
    azs ? 'availabilityZones' : 'maxAzs',
    azs ? azs.join(', ') : maxAzs,
    `must ${azs ? 'name' : 'be'} between 2 and 6${azs ? ' zones' : ''}: EKS needs subnets in at least two Availability Zones`,
  );
  out.check(
    natGateways >= 0 && natGateways <= maxAzs,
    'natGateways',
    natGateways,
    `must be between 0 and maxAzs (${maxAzs})`,
  );
  if (Token.isUnresolved(cidr)) return out.problems;
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.prefix < 16 || parsed.prefix > 20) {
    out.add('cidr', cidr, 'must be an IPv4 CIDR from /16 to /20, e.g. 10.0.0.0/16');
  } else if (parsed.hostBits) {
    out.add('cidr', cidr, `has host bits set; did you mean ${parsed.network}?`);
  } else if (
    !subnetsFit(parsed.prefix, [...Array(maxAzs).fill(PUBLIC_SUBNET_MASK), ...Array(maxAzs).fill(NODE_SUBNET_MASK)])
  ) {
    out.add(
      'cidr',
      cidr,
      `cannot hold ${maxAzs} public /${PUBLIC_SUBNET_MASK} and ${maxAzs} node /${NODE_SUBNET_MASK} subnets (one of each per AZ); use a larger network (a smaller prefix) or fewer maxAzs`,
    );
  }
  return out.problems;
}
