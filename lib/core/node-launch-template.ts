import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AmiFamily } from '../catalog/ami';

/** What a node launch template needs to know. */
export interface NodeLaunchTemplateOptions {
  readonly amiFamily: AmiFamily;
  readonly diskGiB: number;
  /** EFA interfaces to attach (0: none). */
  readonly efaInterfaces?: number;
  /** Security groups of the EFA interfaces (with network interfaces, groups move onto them). */
  readonly efaSecurityGroupIds?: string[];
  readonly placementGroup?: ec2.IPlacementGroup;
  /** A Capacity Block reservation to launch into. */
  readonly capacityBlockReservationId?: string;
  /** The instance type, for groups that must name it in the template (Capacity Blocks). @default - none */
  readonly instanceType?: string;
}

/**
 * The launch template every node of the library boots from: IMDSv2 required with a hop limit of 1 (pods get
 * AWS credentials from EKS Pod Identity, never from the node's instance profile), an encrypted gp3 volume,
 * and optionally EFA interfaces, a placement group and a Capacity Block reservation.
 */
export function createNodeLaunchTemplate(scope: Construct, id: string, opts: NodeLaunchTemplateOptions): ec2.LaunchTemplate {
  // Bottlerocket boots from a small OS volume (/dev/xvda) and keeps images and pods on /dev/xvdb.
  const deviceName = opts.amiFamily === AmiFamily.BOTTLEROCKET ? '/dev/xvdb' : '/dev/xvda';
  const lt = new ec2.LaunchTemplate(scope, id, {
    requireImdsv2: true,
    httpPutResponseHopLimit: 1,
    httpEndpoint: true,
    placementGroup: opts.placementGroup,
    blockDevices: [{
      deviceName,
      volume: ec2.BlockDeviceVolume.ebs(opts.diskGiB, {
        volumeType: ec2.EbsDeviceVolumeType.GP3,
        encrypted: true,
        deleteOnTermination: true,
      }),
    }],
  });
  const cfn = lt.node.defaultChild as ec2.CfnLaunchTemplate;
  const efa = opts.efaInterfaces ?? 0;
  if (efa > 0) {
    // One EFA interface per network card; the first is the primary interface (device index 0).
    cfn.addPropertyOverride('LaunchTemplateData.NetworkInterfaces', Array.from({ length: efa }, (_, card) => ({
      DeviceIndex: card === 0 ? 0 : 1,
      NetworkCardIndex: card,
      InterfaceType: 'efa',
      Groups: opts.efaSecurityGroupIds,
      DeleteOnTermination: true,
    })));
  }
  if (opts.instanceType) cfn.addPropertyOverride('LaunchTemplateData.InstanceType', opts.instanceType);
  if (opts.capacityBlockReservationId) {
    cfn.addPropertyOverride('LaunchTemplateData.InstanceMarketOptions', { MarketType: 'capacity-block' });
    cfn.addPropertyOverride('LaunchTemplateData.CapacityReservationSpecification', {
      CapacityReservationTarget: { CapacityReservationId: opts.capacityBlockReservationId },
    });
  }
  return lt;
}
