import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { poolCustomResource } from './pool-custom-resource';

/** Props of {@link CapacityReservationSubnet}. */
export interface CapacityReservationSubnetProps {
  /** The Capacity Block reservation (`cr-…`). */
  readonly reservationId: string;
  /** Subnets to choose from (one per AZ); the one in the reservation's AZ is taken. */
  readonly candidates: ec2.ISubnet[];
}

/**
 * The subnet, among the candidates, in the Availability Zone of a capacity reservation.
 *
 * A Capacity Block is bound to one AZ and a node group that also names subnets in other AZs fails to launch
 * into it (EKS user guide, "Capacity Blocks for ML": subnets must be in the reservation's AZ). The AZ is a
 * fact of the reservation, known only to EC2, and the VPC's AZs are chosen at deploy time, so both are looked
 * up at deploy time: DescribeCapacityReservations for the AZ, then DescribeSubnets filtered to the
 * candidates in that AZ. Deployment fails with "Subnets.0.SubnetId not found" when the VPC has no subnet in
 * the reservation's AZ.
 */
export class CapacityReservationSubnet extends Construct {
  public readonly subnet: ec2.ISubnet;
  /** The reservation's Availability Zone (deploy-time value). */
  public readonly availabilityZone: string;

  constructor(scope: Construct, id: string, props: CapacityReservationSubnetProps) {
    super(scope, id);
    // Describe* calls of EC2 do not support resource-level permissions (Service Authorization Reference, Amazon EC2).
    // One statement for both calls and every Capacity Block pool, so pools add nothing to the stack's policy.
    const statements = [
      new iam.PolicyStatement({
        actions: ['ec2:DescribeCapacityReservations', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    ];
    const reservation = poolCustomResource(this, 'FindAz', {
      onUpdate: {
        service: 'EC2',
        action: 'describeCapacityReservations',
        parameters: { CapacityReservationIds: [props.reservationId] },
        physicalResourceId: cr.PhysicalResourceId.of(props.reservationId),
        outputPaths: ['CapacityReservations.0.AvailabilityZone'],
      },
      statements,
    });
    this.availabilityZone = reservation.getResponseField('CapacityReservations.0.AvailabilityZone');
    const subnet = poolCustomResource(this, 'FindSubnet', {
      onUpdate: {
        service: 'EC2',
        action: 'describeSubnets',
        parameters: {
          SubnetIds: props.candidates.map((s) => s.subnetId),
          Filters: [{ Name: 'availability-zone', Values: [this.availabilityZone] }],
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('Subnets.0.SubnetId'),
        outputPaths: ['Subnets.0.SubnetId'],
      },
      statements,
    });
    this.subnet = ec2.Subnet.fromSubnetAttributes(this, 'Subnet', {
      subnetId: subnet.getResponseField('Subnets.0.SubnetId'),
      availabilityZone: this.availabilityZone,
    });
    // The node group takes only the subnet ID; no route table is needed from it.
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'Only the subnet ID is passed to the node group',
    );
  }
}
