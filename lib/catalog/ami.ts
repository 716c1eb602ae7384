import { NodegroupAmiType } from 'aws-cdk-lib/aws-eks-v2';
import { AcceleratorVendor } from './accelerators';
import { deepFreeze } from './deep-freeze';

/** The operating system family of a pool's nodes. */
export enum AmiFamily {
  /** Amazon Linux 2023 (the EKS-optimized accelerated variants for GPU and Neuron types). */
  AL2023 = 'al2023',
  /** Bottlerocket (NVIDIA variant for GPU types; it bundles the NVIDIA device plugin). */
  BOTTLEROCKET = 'bottlerocket',
}

/** How an (AMI family, accelerator vendor) pair boots. */
export interface AmiChoice {
  readonly amiType: NodegroupAmiType;
  /** True when the AMI ships the vendor's Kubernetes device plugin, so the library must not install one. */
  readonly bundlesDevicePlugin: boolean;
}

/**
 * The EKS AMI for each pair the library supports. The retired AL2 GPU AMI (`AL2_x86_64_GPU`, which
 * aws-eks-v2 picks by default for GPU instance types) is deliberately absent.
 */
const AMI_TABLE: Record<AmiFamily, Partial<Record<AcceleratorVendor, AmiChoice>>> = deepFreeze({
  [AmiFamily.AL2023]: {
    [AcceleratorVendor.NVIDIA]: { amiType: NodegroupAmiType.AL2023_X86_64_NVIDIA, bundlesDevicePlugin: false },
    [AcceleratorVendor.AWS_NEURON]: { amiType: NodegroupAmiType.AL2023_X86_64_NEURON, bundlesDevicePlugin: false },
    [AcceleratorVendor.NONE]: { amiType: NodegroupAmiType.AL2023_X86_64_STANDARD, bundlesDevicePlugin: true },
  },
  [AmiFamily.BOTTLEROCKET]: {
    [AcceleratorVendor.NVIDIA]: { amiType: NodegroupAmiType.BOTTLEROCKET_X86_64_NVIDIA, bundlesDevicePlugin: true },
    [AcceleratorVendor.NONE]: { amiType: NodegroupAmiType.BOTTLEROCKET_X86_64, bundlesDevicePlugin: true },
  },
});

/** The AMI for a family and vendor, or undefined where the pair is not supported. */
export function findAmi(family: AmiFamily, vendor: AcceleratorVendor): AmiChoice | undefined {
  return AMI_TABLE[family][vendor];
}

/** AMI families that support a vendor, for error messages. */
export function amiFamiliesFor(vendor: AcceleratorVendor): AmiFamily[] {
  return Object.values(AmiFamily).filter((f) => AMI_TABLE[f][vendor] !== undefined);
}
