import { createHash } from 'node:crypto';
import { AmiFamily, findAmi, type AmiChoice } from '../catalog/ami';
import {
  AcceleratorVendor,
  acceleratorResourceName,
  EFA_RESOURCE_NAME,
  findInstance,
  type InstanceFacts,
} from '../catalog/accelerators';
import { NODE_POOL_DEFAULTS } from './defaults';
import { REPLACEMENT_KEY_LENGTH } from './pool-name';
import { poolNodesProblems, type PoolNodesSpec } from './pool-checks';
import { PlatformValidationError, throwIfProblems, type Problem } from '../core/problems';
import { ACCELERATOR_LABEL, ACCELERATOR_MODEL_LABEL, DEVICE_PLUGIN_LABEL, EFA_LABEL, POOL_LABEL } from '../core/labels';

/** What a pool's nodes are, whichever provisioner launches them. */
export interface PoolNodesOptions extends PoolNodesSpec {
  /** The pool's name: the `ai-platform/pool` label. */
  readonly poolName: string;
}

/** A taint in provisioner-neutral form (`NoSchedule` is the only effect the library sets). */
export interface PoolTaint {
  readonly key: string;
  readonly value: string;
  /** Always `NoSchedule`. */
  readonly effect: string;
}

/** Which device plugin the library must run on a pool's nodes. */
export enum DevicePlugin {
  NVIDIA = 'nvidia',
  NEURON = 'neuron',
}

/**
 * One description of a pool's nodes — labels, taints, extended resources and the device plugins they need —
 * computed once and used by both provisioners (managed node groups and Karpenter), so a pod that fits one
 * fits the other and a plugin that selects a label finds it on every node that needs it.
 */
export class PoolNodes {
  public readonly poolName: string;
  public readonly instances: InstanceFacts[];
  public readonly vendor: AcceleratorVendor;
  public readonly amiFamily: AmiFamily;
  public readonly ami: AmiChoice;
  /** The extended resource of the accelerators, e.g. `nvidia.com/gpu`; undefined without one. */
  public readonly acceleratorResource?: string;
  /** Accelerators on the smallest node type. */
  public readonly acceleratorsPerNode: number;
  /** EFA interfaces per node (0 without EFA). */
  public readonly efaInterfaces: number;
  public readonly labels: Record<string, string>;
  public readonly taints: PoolTaint[];
  /** The accelerator device plugin the library installs for these nodes; undefined where the AMI bundles one. */
  public readonly devicePlugin?: DevicePlugin;

  /**
   * Problems of a pool's nodes (catalog types of one vendor, an AMI family for it, EFA support, node
   * labels), with field names relative to the options. The definition reports the same problems.
   */
  public static check(options: PoolNodesOptions): Problem[] {
    return poolNodesProblems(options);
  }

  /**
   * The description of a pool's nodes: `described` when given (a description made once, e.g. the resolved
   * pool's, shared by both provisioners and the workloads), after checking it was made from these options;
   * otherwise a new one.
   */
  public static of(options: PoolNodesOptions, described?: PoolNodes): PoolNodes {
    if (!described) return new PoolNodes(options);
    const own = new PoolNodes(options).labels;
    const differs = [
      described.poolName !== options.poolName && 'poolName',
      JSON.stringify(described.instances.map((f) => f.instanceType)) !== JSON.stringify(options.instanceTypes) &&
        'instanceTypes',
      described.amiFamily !== (options.amiFamily ?? NODE_POOL_DEFAULTS.amiFamily) && 'amiFamily',
      described.efa !== (options.efa ?? NODE_POOL_DEFAULTS.efa) && 'efa',
      JSON.stringify(Object.entries(described.labels).sort()) !== JSON.stringify(Object.entries(own).sort()) &&
        'labels',
    ].filter((f): f is string => f !== false);
    if (differs.length > 0) {
      throw new PlatformValidationError(
        `pool '${options.poolName}'`,
        differs.map((field) => ({
          field: `nodes.${field}`,
          message: `differs from the pool's own ${field}: the nodes were described for pool '${described.poolName}'; describe them from these props (or leave nodes out)`,
        })),
      );
    }
    return described;
  }

  constructor(opts: PoolNodesOptions) {
    throwIfProblems(`pool '${opts.poolName}'`, poolNodesProblems(opts));
    this.poolName = opts.poolName;
    this.instances = opts.instanceTypes.map((t) => findInstance(t)!);
    this.vendor = this.instances[0].vendor;
    this.amiFamily = opts.amiFamily ?? NODE_POOL_DEFAULTS.amiFamily;
    this.ami = findAmi(this.amiFamily, this.vendor)!;
    const efa = opts.efa ?? NODE_POOL_DEFAULTS.efa;
    this.efaInterfaces = efa ? Math.min(...this.instances.map((f) => f.maxEfaInterfaces)) : 0;
    this.acceleratorResource = acceleratorResourceName(this.vendor);
    this.acceleratorsPerNode = Math.min(...this.instances.map((f) => f.acceleratorCount));
    if (!this.ami.bundlesDevicePlugin && this.vendor === AcceleratorVendor.NVIDIA)
      this.devicePlugin = DevicePlugin.NVIDIA;
    if (!this.ami.bundlesDevicePlugin && this.vendor === AcceleratorVendor.AWS_NEURON)
      this.devicePlugin = DevicePlugin.NEURON;

    const models = [...new Set(this.instances.map((f) => f.acceleratorModel))];
    this.labels = {
      ...opts.labels,
      [POOL_LABEL]: opts.poolName,
      [ACCELERATOR_LABEL]: this.vendor,
      ...(models.length === 1 && models[0] ? { [ACCELERATOR_MODEL_LABEL]: models[0] } : {}),
      ...(efa ? { [EFA_LABEL]: 'true' } : {}),
      ...(this.devicePlugin ? { [DEVICE_PLUGIN_LABEL]: this.devicePlugin } : {}),
    };
    this.taints = this.acceleratorResource
      ? [{ key: this.acceleratorResource, value: 'true', effect: 'NoSchedule' }]
      : [];
  }

  /** Whether the nodes have EFA interfaces. */
  public get efa(): boolean {
    return this.efaInterfaces > 0;
  }

  /** Extended resources a node of the pool offers (smallest type), e.g. `{ 'nvidia.com/gpu': 1 }`. */
  public get extendedResources(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.acceleratorResource) out[this.acceleratorResource] = this.acceleratorsPerNode;
    if (this.efaInterfaces > 0) out[EFA_RESOURCE_NAME] = this.efaInterfaces;
    return out;
  }

  /**
   * A short, stable digest of what makes CloudFormation replace a node group (instance types, capacity,
   * AMI, placement). Part of node group names, so a replacement gets a new name instead of failing on
   * "a resource with this name exists", and an unchanged pool keeps its name (and its dashboard lines).
   */
  public replacementKey(extra: Record<string, unknown> = {}): string {
    const key = JSON.stringify({
      types: this.instances.map((f) => f.instanceType),
      ami: this.ami.amiType,
      efa: this.efaInterfaces,
      ...extra,
    });
    return createHash('sha256').update(key).digest('hex').slice(0, REPLACEMENT_KEY_LENGTH);
  }
}
/** The EFA extended resource name, re-exported for callers that describe nodes. */
export { EFA_RESOURCE_NAME };
