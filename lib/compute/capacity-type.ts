/** How nodes are bought. */
export enum CapacityType {
  ON_DEMAND = 'on-demand',
  SPOT = 'spot',
  /** An EC2 Capacity Block for ML; needs `capacityReservationId`. */
  CAPACITY_BLOCK = 'capacity-block',
}
