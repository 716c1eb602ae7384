import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { throwIfProblems, type Problem } from '../core/problems';
import { NETWORK_DEFAULTS } from './defaults';

/** The subnet tag Karpenter node classes select node subnets by. */
export const DISCOVERY_TAG = 'karpenter.sh/discovery';

import { networkProblems, NODE_SUBNET_MASK, PUBLIC_SUBNET_MASK } from './network-checks';
import { deepFreeze } from '../catalog/deep-freeze';

export { NODE_SUBNET_MASK, PUBLIC_SUBNET_MASK };

/** Which interface endpoints the node subnets get. */
export enum InterfaceEndpoints {
  /**
   * ECR (API and Docker registry) only: images are pulled privately while the rest of the AWS APIs (STS,
   * EKS, EC2, Logs, Auto Scaling) go over TLS through the NAT gateway. Needs a NAT gateway.
   */
  IMAGE_PULLS = 'image-pulls',
  /** Every AWS API nodes and pods call, so nodes need no NAT gateway at all. */
  ALL = 'all',
}

/** Props of {@link PlatformNetwork}. */
export interface PlatformNetworkProps {
  /** Availability zones the VPC spans. @default 3 (or the number of `availabilityZones`) */
  readonly maxAzs?: number;
  /**
   * The Availability Zones by name (e.g. `us-east-1a`), for a VPC that must include a given zone (a Capacity
   * Block's reservation is in one AZ). @default - the region's first `maxAzs` zones, chosen at deploy time
   */
  readonly availabilityZones?: string[];
  /** NAT gateways; 0 makes node subnets isolated (AWS reached through VPC endpoints only). @default 1 */
  readonly natGateways?: number;
  /** The VPC's IPv4 CIDR. @default '10.0.0.0/16' */
  readonly cidr?: string;
  /** Tags node subnets `karpenter.sh/discovery: <value>` so Karpenter node classes can select them. @default - no tag */
  readonly discoveryName?: string;
  /** Days VPC flow logs are kept. @default logs.RetentionDays.ONE_MONTH */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Interface endpoints in the node subnets (each costs per AZ and hour).
   * @default - InterfaceEndpoints.ALL without NAT gateways, InterfaceEndpoints.IMAGE_PULLS with them
   */
  readonly interfaceEndpoints?: InterfaceEndpoints;
}

/**
 * The VPC of an AI platform: public subnets for load balancers, large private subnets for nodes and pods
 * (one /19 per AZ: GPU pods each take a VPC IP), flow logs, an S3 gateway endpoint (free), and interface
 * endpoints: ECR's, so images are pulled privately, or every AWS API nodes call when there is no NAT gateway.
 */
export class PlatformNetwork extends Construct {
  /** The interface endpoints private image pulls need. */
  public static readonly IMAGE_PULL_ENDPOINTS: string[] = deepFreeze(['EcrApi', 'EcrDocker']);
  /** Every interface endpoint nodes may need, by service. */
  public static readonly INTERFACE_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = deepFreeze({
    EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
    EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    Sts: ec2.InterfaceVpcEndpointAwsService.STS,
    EksAuth: ec2.InterfaceVpcEndpointAwsService.EKS_AUTH,
    Eks: ec2.InterfaceVpcEndpointAwsService.EKS,
    Ec2: ec2.InterfaceVpcEndpointAwsService.EC2,
    Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    AutoScaling: ec2.InterfaceVpcEndpointAwsService.AUTOSCALING,
  });

  /** The interface endpoints (keys of INTERFACE_ENDPOINTS) a choice creates. */
  public static endpointsFor(choice: InterfaceEndpoints): string[] {
    return Object.keys(PlatformNetwork.INTERFACE_ENDPOINTS).filter(
      (name) => choice === InterfaceEndpoints.ALL || PlatformNetwork.IMAGE_PULL_ENDPOINTS.includes(name),
    );
  }

  /**
   * Problems of the props (AZs, NAT gateways and endpoints, the CIDR and whether the subnets fit it), with
   * field names relative to the props; the definition reports the same ones under `network`.
   */
  public static check(props: PlatformNetworkProps): Problem[] {
    return networkProblems(props);
  }

  public readonly vpc: ec2.Vpc;
  /** Subnets for nodes and pods. */
  public readonly nodeSubnets: ec2.SubnetSelection;
  /** The interface endpoints created (keys of INTERFACE_ENDPOINTS). */
  public readonly interfaceEndpoints: string[];

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);
    throwIfProblems('PlatformNetwork', PlatformNetwork.check(props), this);
    const natGateways = props.natGateways ?? NETWORK_DEFAULTS.natGateways;
    const endpoints = props.interfaceEndpoints ?? defaultInterfaceEndpoints(natGateways);
    const nodeSubnetType = natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;

    const maxAzs = props.availabilityZones?.length ?? props.maxAzs ?? NETWORK_DEFAULTS.maxAzs;
    const cidr = props.cidr ?? NETWORK_DEFAULTS.cidr;
    // In an environment-agnostic stack CDK would cap a VPC at 2 AZs; pick the region's first maxAzs AZs at
    // deploy time instead, so synth needs no AZ lookup (and writes no dummy context values).
    const envAgnostic = Token.isUnresolved(Stack.of(this).region);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      ...(props.availabilityZones
        ? { availabilityZones: props.availabilityZones }
        : envAgnostic
          ? { availabilityZones: Array.from({ length: maxAzs }, (_, i) => Fn.select(i, Fn.getAzs())) }
          : { maxAzs }),
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: PUBLIC_SUBNET_MASK, mapPublicIpOnLaunch: false },
        { name: 'nodes', subnetType: nodeSubnetType, cidrMask: NODE_SUBNET_MASK },
      ],
      restrictDefaultSecurityGroup: true,
    });
    this.nodeSubnets = { subnetType: nodeSubnetType };

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.nodeSubnets],
    });
    this.interfaceEndpoints = PlatformNetwork.endpointsFor(endpoints);
    for (const name of this.interfaceEndpoints) {
      const service = PlatformNetwork.INTERFACE_ENDPOINTS[name];
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: this.nodeSubnets,
        privateDnsEnabled: true,
      });
      Validations.of(endpoint).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'Interface endpoints accept HTTPS (443) from the VPC CIDR only; cdk-nag cannot read the CIDR token',
      });
    }

    // Load balancer discovery for the AWS Load Balancer Controller: internet-facing ALBs in subnets tagged
    // kubernetes.io/role/elb, internal ones in kubernetes.io/role/internal-elb (docs/deploy/subnet_discovery.md, v3.5.0).
    for (const subnet of this.vpc.publicSubnets) {
      if (subnet.node.defaultChild)
        (subnet.node.defaultChild as ec2.CfnSubnet).tags.setTag('kubernetes.io/role/elb', '1');
    }
    for (const subnet of this.vpc.selectSubnets(this.nodeSubnets).subnets) {
      const tags = (subnet.node.defaultChild as ec2.CfnSubnet).tags;
      tags.setTag('kubernetes.io/role/internal-elb', '1');
      if (props.discoveryName) tags.setTag(DISCOVERY_TAG, props.discoveryName);
    }
  }
}

/** Interface endpoints a network gets when none are asked for: all of them without a NAT gateway. */
export function defaultInterfaceEndpoints(natGateways: number): InterfaceEndpoints {
  return natGateways === 0 ? InterfaceEndpoints.ALL : InterfaceEndpoints.IMAGE_PULLS;
}
