/**
 * The accelerator catalog: every instance fact the library uses, in one place.
 *
 * Prices are on-demand, Linux, us-east-1, per hour, as listed on the public
 * Amazon EC2 On-Demand pricing page on {@link PRICES_AS_OF}. They feed the cost
 * plan and the budget defaults only; nothing is billed from them.
 */

/** Who makes the accelerator. Decides AMI, device plugin, taint and Kubernetes resource name. */
export enum AcceleratorVendor {
  /** NVIDIA GPUs, exposed as `nvidia.com/gpu`. */
  NVIDIA = 'nvidia',
  /** AWS Inferentia / Trainium, exposed as `aws.amazon.com/neuron`. */
  AWS_NEURON = 'aws-neuron',
  /** No accelerator (system and general-purpose nodes). */
  NONE = 'none',
}

/** The date the hourly prices below were read. */
export const PRICES_AS_OF = '2026-11-01';

/** Facts about one EC2 instance type. */
export interface InstanceFacts {
  /** e.g. `g6e.xlarge` */
  readonly instanceType: string;
  /** e.g. `g6e` */
  readonly family: string;
  readonly vendor: AcceleratorVendor;
  /** Accelerator model, e.g. `L40S`; empty for none. */
  readonly acceleratorModel: string;
  /** Accelerators (GPUs or Neuron devices) per instance. */
  readonly acceleratorCount: number;
  /** Memory per accelerator, GiB. */
  readonly acceleratorMemoryGiB: number;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Maximum EFA interfaces; 0 means the type does not support EFA. */
  readonly maxEfaInterfaces: number;
  /** On-demand USD per hour, us-east-1 Linux, as of {@link PRICES_AS_OF}. */
  readonly onDemandHourlyUsd: number;
}

interface FamilySpec {
  readonly vendor: AcceleratorVendor;
  readonly model: string;
  readonly acceleratorMemoryGiB: number;
  /** size → [accelerators, vCPU, RAM GiB, max EFA interfaces, USD/h] */
  readonly sizes: Record<string, readonly [number, number, number, number, number]>;
}

const NV = AcceleratorVendor.NVIDIA;
const NEURON = AcceleratorVendor.AWS_NEURON;
const NONE = AcceleratorVendor.NONE;

const FAMILIES: Record<string, FamilySpec> = {
  g4dn: {
    vendor: NV,
    model: 'T4',
    acceleratorMemoryGiB: 16,
    sizes: {
      xlarge: [1, 4, 16, 0, 0.526],
      '2xlarge': [1, 8, 32, 0, 0.752],
      '4xlarge': [1, 16, 64, 0, 1.204],
      '8xlarge': [1, 32, 128, 1, 2.176],
      '12xlarge': [4, 48, 192, 1, 3.912],
      '16xlarge': [1, 64, 256, 1, 4.352],
      metal: [8, 96, 384, 1, 7.824],
    },
  },
  g5: {
    vendor: NV,
    model: 'A10G',
    acceleratorMemoryGiB: 24,
    sizes: {
      xlarge: [1, 4, 16, 0, 1.006],
      '2xlarge': [1, 8, 32, 0, 1.212],
      '4xlarge': [1, 16, 64, 0, 1.624],
      '8xlarge': [1, 32, 128, 1, 2.448],
      '12xlarge': [4, 48, 192, 1, 5.672],
      '16xlarge': [1, 64, 256, 1, 4.096],
      '24xlarge': [4, 96, 384, 1, 8.144],
      '48xlarge': [8, 192, 768, 1, 16.288],
    },
  },
  g6: {
    vendor: NV,
    model: 'L4',
    acceleratorMemoryGiB: 24,
    sizes: {
      xlarge: [1, 4, 16, 0, 0.8048],
      '2xlarge': [1, 8, 32, 0, 0.9776],
      '4xlarge': [1, 16, 64, 0, 1.3232],
      '8xlarge': [1, 32, 128, 1, 2.0144],
      '12xlarge': [4, 48, 192, 1, 4.6016],
      '16xlarge': [1, 64, 256, 1, 3.3968],
      '24xlarge': [4, 96, 384, 1, 6.6752],
      '48xlarge': [8, 192, 768, 1, 13.3504],
    },
  },
  g6e: {
    vendor: NV,
    model: 'L40S',
    acceleratorMemoryGiB: 48,
    sizes: {
      xlarge: [1, 4, 32, 0, 1.861],
      '2xlarge': [1, 8, 64, 0, 2.24208],
      '4xlarge': [1, 16, 128, 0, 3.00424],
      '8xlarge': [1, 32, 256, 1, 4.52856],
      '12xlarge': [4, 48, 384, 1, 10.49264],
      '16xlarge': [1, 64, 512, 1, 7.57719],
      '24xlarge': [4, 96, 768, 2, 15.06559],
      '48xlarge': [8, 192, 1536, 4, 30.13118],
    },
  },
  gr6: {
    vendor: NV,
    model: 'L4',
    acceleratorMemoryGiB: 24,
    sizes: { '4xlarge': [1, 16, 128, 0, 1.5392], '8xlarge': [1, 32, 256, 1, 2.4464] },
  },
  p4d: { vendor: NV, model: 'A100', acceleratorMemoryGiB: 40, sizes: { '24xlarge': [8, 96, 1152, 4, 21.96] } },
  p4de: { vendor: NV, model: 'A100', acceleratorMemoryGiB: 80, sizes: { '24xlarge': [8, 96, 1152, 4, 27.447] } },
  p5: {
    vendor: NV,
    model: 'H100',
    acceleratorMemoryGiB: 80,
    sizes: { '4xlarge': [1, 16, 256, 0, 4.326], '48xlarge': [8, 192, 2048, 32, 55.04] },
  },
  p5e: { vendor: NV, model: 'H200', acceleratorMemoryGiB: 141, sizes: { '48xlarge': [8, 192, 2048, 32, 63.296] } },
  p5en: { vendor: NV, model: 'H200', acceleratorMemoryGiB: 141, sizes: { '48xlarge': [8, 192, 2048, 16, 63.296] } },
  'p6-b200': {
    vendor: NV,
    model: 'B200',
    acceleratorMemoryGiB: 179,
    sizes: { '48xlarge': [8, 192, 2048, 8, 113.9328] },
  },
  inf2: {
    vendor: NEURON,
    model: 'Inferentia2',
    acceleratorMemoryGiB: 32,
    sizes: {
      xlarge: [1, 4, 16, 0, 0.7582],
      '8xlarge': [1, 32, 128, 0, 1.9679],
      '24xlarge': [6, 96, 384, 0, 6.4906],
      '48xlarge': [12, 192, 768, 0, 12.9813],
    },
  },
  trn1: {
    vendor: NEURON,
    model: 'Trainium',
    acceleratorMemoryGiB: 32,
    sizes: { '2xlarge': [1, 8, 32, 0, 1.34375], '32xlarge': [16, 128, 512, 8, 21.5] },
  },
  trn1n: {
    vendor: NEURON,
    model: 'Trainium',
    acceleratorMemoryGiB: 32,
    sizes: { '32xlarge': [16, 128, 512, 16, 24.78] },
  },
  trn2: {
    vendor: NEURON,
    model: 'Trainium2',
    acceleratorMemoryGiB: 96,
    sizes: { '48xlarge': [16, 192, 2048, 16, 44.7] },
  },
  // General-purpose families for system nodes and CPU pools.
  // Burstable general purpose, for system nodes whose controllers idle most of the time.
  t3: {
    vendor: NONE,
    model: '',
    acceleratorMemoryGiB: 0,
    sizes: { large: [0, 2, 8, 0, 0.0832], xlarge: [0, 4, 16, 0, 0.1664] },
  },
  m6i: {
    vendor: NONE,
    model: '',
    acceleratorMemoryGiB: 0,
    sizes: {
      large: [0, 2, 8, 0, 0.096],
      xlarge: [0, 4, 16, 0, 0.192],
      '2xlarge': [0, 8, 32, 0, 0.384],
      '4xlarge': [0, 16, 64, 0, 0.768],
    },
  },
  m7i: {
    vendor: NONE,
    model: '',
    acceleratorMemoryGiB: 0,
    sizes: {
      large: [0, 2, 8, 0, 0.1008],
      xlarge: [0, 4, 16, 0, 0.2016],
      '2xlarge': [0, 8, 32, 0, 0.4032],
      '4xlarge': [0, 16, 64, 0, 0.8064],
    },
  },
  c7i: {
    vendor: NONE,
    model: '',
    acceleratorMemoryGiB: 0,
    sizes: {
      large: [0, 2, 4, 0, 0.08925],
      xlarge: [0, 4, 8, 0, 0.1785],
      '2xlarge': [0, 8, 16, 0, 0.357],
      '4xlarge': [0, 16, 32, 0, 0.714],
    },
  },
  r7i: {
    vendor: NONE,
    model: '',
    acceleratorMemoryGiB: 0,
    sizes: { large: [0, 2, 16, 0, 0.1323], xlarge: [0, 4, 32, 0, 0.2646], '2xlarge': [0, 8, 64, 0, 0.5292] },
  },
};

/**
 * Families EC2 offers as Capacity Blocks for ML (EC2 user guide, "Capacity Blocks for ML", supported instance
 * types and Regions; the same list as SageMaker's ReservedCapacityInstanceType), among the catalog's families.
 */
export const CAPACITY_BLOCK_FAMILIES: readonly string[] = Object.freeze([
  'p4d',
  'p4de',
  'p5',
  'p5e',
  'p5en',
  'p6-b200',
  'trn1',
  'trn2',
]);

const CATALOG: ReadonlyMap<string, InstanceFacts> = new Map(
  Object.entries(FAMILIES).flatMap(([family, spec]) =>
    Object.entries(spec.sizes).map(([size, [count, vcpu, memoryGiB, efa, price]]) => {
      const instanceType = `${family}.${size}`;
      const facts: InstanceFacts = {
        instanceType,
        family,
        vendor: spec.vendor,
        acceleratorModel: spec.model,
        acceleratorCount: count,
        acceleratorMemoryGiB: spec.acceleratorMemoryGiB,
        vcpu,
        memoryGiB,
        maxEfaInterfaces: efa,
        onDemandHourlyUsd: price,
      };
      return [instanceType, Object.freeze(facts)] as const;
    }),
  ),
);

/** Facts for an instance type, or undefined when the catalog does not know it. */
export function findInstance(instanceType: string): InstanceFacts | undefined {
  return CATALOG.get(instanceType);
}

/** Every instance type the catalog knows, sorted. */
export function knownInstanceTypes(): string[] {
  return [...CATALOG.keys()].sort();
}

/** Every instance family the catalog knows, in catalog order. */
export function knownFamilies(): string[] {
  return Object.keys(FAMILIES);
}

/** The Kubernetes extended resource an accelerator vendor's device plugin advertises. */
export function acceleratorResourceName(vendor: AcceleratorVendor): string | undefined {
  switch (vendor) {
    case AcceleratorVendor.NVIDIA:
      return 'nvidia.com/gpu';
    case AcceleratorVendor.AWS_NEURON:
      return 'aws.amazon.com/neuron';
    case AcceleratorVendor.NONE:
      return undefined;
  }
}

/** The Kubernetes extended resource EFA interfaces are advertised as by the EFA device plugin. */
export const EFA_RESOURCE_NAME = 'vpc.amazonaws.com/efa';

/** The accelerator catalog as static methods, for every jsii language. */
export class AcceleratorCatalog {
  /** Facts of a catalog instance type; undefined for a type the catalog does not have. */
  public static find(instanceType: string): InstanceFacts | undefined {
    return findInstance(instanceType);
  }

  /** Every instance type of the catalog. */
  public static instanceTypes(): string[] {
    return knownInstanceTypes();
  }

  private constructor() {}
}
