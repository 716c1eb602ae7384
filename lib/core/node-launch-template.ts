import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Lazy, TagManager, type IResolvable } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
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
  /**
   * Keys of the tags applied from above (`Tags.of(scope)`) that still reach the template, and through it the
   * instances and volumes; every other inherited tag is dropped (see {@link createNodeLaunchTemplate}).
   * @default - none
   */
  readonly inheritedTagKeys?: string[];
}

/**
 * The tags of a taggable resource (`Tags.of(...)` from any scope above it) restricted to the given keys, as
 * `[{ Key, Value }]` sorted by key, or undefined when none is left; resolved at synth, after the tag aspects ran.
 */
export function keptTags(resource: IConstruct, keys: readonly string[]): IResolvable {
  return Lazy.any({
    produce: () => {
      const values = TagManager.of(resource)?.tagValues() ?? {};
      const kept = Object.keys(values)
        .filter((k) => keys.includes(k))
        .sort()
        .map((Key) => ({ Key, Value: values[Key] }));
      return kept.length > 0 ? kept : undefined;
    },
  });
}

/**
 * The launch template every node of the library boots from: IMDSv2 required with a hop limit of 1 (pods get
 * AWS credentials from EKS Pod Identity, never from the node's instance profile), an encrypted gp3 volume,
 * and optionally EFA interfaces, a placement group and a Capacity Block reservation.
 *
 * Tags applied from above do not reach it, except `inheritedTagKeys`: a tag in `LaunchTemplateData` makes a new
 * template version, which a managed node group rolls out by replacing every node, so a tag edit would drain
 * running GPU nodes. The trade-off: instances and volumes carry only the kept tags (keep keys whose value never
 * changes, such as the platform's name used for cost allocation); the node group keeps all its tags.
 */
export function createNodeLaunchTemplate(
  scope: Construct,
  id: string,
  opts: NodeLaunchTemplateOptions,
): ec2.LaunchTemplate {
  // Bottlerocket boots from a small OS volume (/dev/xvda) and keeps images and pods on /dev/xvdb.
  const deviceName = opts.amiFamily === AmiFamily.BOTTLEROCKET ? '/dev/xvdb' : '/dev/xvda';
  const lt = new ec2.LaunchTemplate(scope, id, {
    requireImdsv2: true,
    httpPutResponseHopLimit: 1,
    httpEndpoint: true,
    placementGroup: opts.placementGroup,
    blockDevices: [
      {
        deviceName,
        volume: ec2.BlockDeviceVolume.ebs(opts.diskGiB, {
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          encrypted: true,
          deleteOnTermination: true,
        }),
      },
    ],
  });
  const cfn = lt.node.defaultChild as ec2.CfnLaunchTemplate;
  const efa = opts.efaInterfaces ?? 0;
  if (efa > 0) {
    // One EFA interface per network card; the first is the primary interface (device index 0).
    cfn.addPropertyOverride(
      'LaunchTemplateData.NetworkInterfaces',
      Array.from({ length: efa }, (_, card) => ({
        DeviceIndex: card === 0 ? 0 : 1,
        NetworkCardIndex: card,
        InterfaceType: 'efa',
        Groups: opts.efaSecurityGroupIds,
        DeleteOnTermination: true,
      })),
    );
  }
  // Rendered from the template's own tag manager, filtered, in both places a launch template carries tags. The
  // template's own `Name` tag (its construct path, set by ec2.LaunchTemplate) stays.
  const kept = keptTags(lt, ['Name', ...(opts.inheritedTagKeys ?? [])]);
  const spec = (types: string[]) =>
    Lazy.any({
      produce: () =>
        cfn.stack.resolve(kept) ? types.map((ResourceType) => ({ ResourceType, Tags: kept })) : undefined,
    });
  cfn.addPropertyOverride('LaunchTemplateData.TagSpecifications', spec(['instance', 'volume']));
  cfn.addPropertyOverride('TagSpecifications', spec(['launch-template']));
  if (opts.instanceType) cfn.addPropertyOverride('LaunchTemplateData.InstanceType', opts.instanceType);
  if (opts.capacityBlockReservationId) {
    cfn.addPropertyOverride('LaunchTemplateData.InstanceMarketOptions', { MarketType: 'capacity-block' });
    cfn.addPropertyOverride('LaunchTemplateData.CapacityReservationSpecification', {
      CapacityReservationTarget: { CapacityReservationId: opts.capacityBlockReservationId },
    });
  }
  return lt;
}
