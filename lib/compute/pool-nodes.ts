import { createHash } from 'node:crypto';
import { AmiFamily, findAmi, amiFamiliesFor, type AmiChoice } from '../catalog/ami';
import { AcceleratorVendor, acceleratorResourceName, EFA_RESOURCE_NAME, findInstance, type InstanceFacts } from '../catalog/accelerators';
import { NODE_POOL_DEFAULTS } from './defaults';
import { ACCELERATOR_LABEL, ACCELERATOR_MODEL_LABEL, DEVICE_PLUGIN_LABEL, EFA_LABEL, POOL_LABEL } from '../core/labels';

/** What a pool's nodes are, whichever provisioner launches them. */
export interface PoolNodesOptions {
  readonly poolName: string;
  /** Instance types of the accelerator catalog, all of one accelerator vendor. */
  readonly instanceTypes: string[];
  /** @default AmiFamily.AL2023 */
  readonly amiFamily?: AmiFamily;
  /** @default false */
  readonly efa?: boolean;
  /** Extra node labels (checked with {@link nodeLabelProblems}). @default - none */
  readonly labels?: Record<string, string>;
}

/** A taint in provisioner-neutral form (`NoSchedule` is the only effect the library sets). */
export interface PoolTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule';
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

  constructor(opts: PoolNodesOptions) {
    const who = `pool '${opts.poolName}'`;
    this.poolName = opts.poolName;
    this.instances = opts.instanceTypes.map((t) => {
      const facts = findInstance(t);
      if (!facts) throw new Error(`${who} instanceTypes: '${t}' is not in the accelerator catalog`);
      return facts;
    });
    if (this.instances.length === 0) throw new Error(`${who} instanceTypes must list at least one type`);
    const vendors = new Set(this.instances.map((f) => f.vendor));
    if (vendors.size !== 1) throw new Error(`${who} instanceTypes must share one accelerator vendor; found ${[...vendors].join(', ')}`);
    this.vendor = this.instances[0].vendor;
    this.amiFamily = opts.amiFamily ?? NODE_POOL_DEFAULTS.amiFamily;
    const ami = findAmi(this.amiFamily, this.vendor);
    if (!ami) throw new Error(`${who} amiFamily '${this.amiFamily}' does not support ${this.vendor}; use ${amiFamiliesFor(this.vendor).join(', ')}`);
    this.ami = ami;
    const labelProblems = nodeLabelProblems(opts.labels ?? {});
    if (labelProblems.length > 0) throw new Error(`${who} labels: ${labelProblems.join('; ')}`);

    const efa = opts.efa ?? NODE_POOL_DEFAULTS.efa;
    this.efaInterfaces = efa ? Math.min(...this.instances.map((f) => f.maxEfaInterfaces)) : 0;
    if (efa && this.efaInterfaces === 0) throw new Error(`${who}: every instance type must support EFA when efa is true`);
    this.acceleratorResource = acceleratorResourceName(this.vendor);
    this.acceleratorsPerNode = Math.min(...this.instances.map((f) => f.acceleratorCount));
    if (!ami.bundlesDevicePlugin && this.vendor === AcceleratorVendor.NVIDIA) this.devicePlugin = DevicePlugin.NVIDIA;
    if (!ami.bundlesDevicePlugin && this.vendor === AcceleratorVendor.AWS_NEURON) this.devicePlugin = DevicePlugin.NEURON;

    const models = [...new Set(this.instances.map((f) => f.acceleratorModel))];
    this.labels = {
      ...(opts.labels ?? {}),
      [POOL_LABEL]: opts.poolName,
      [ACCELERATOR_LABEL]: this.vendor,
      ...(models.length === 1 && models[0] ? { [ACCELERATOR_MODEL_LABEL]: models[0] } : {}),
      ...(efa ? { [EFA_LABEL]: 'true' } : {}),
      ...(this.devicePlugin ? { [DEVICE_PLUGIN_LABEL]: this.devicePlugin } : {}),
    };
    this.taints = this.acceleratorResource ? [{ key: this.acceleratorResource, value: 'true', effect: 'NoSchedule' }] : [];
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
    const key = JSON.stringify({ types: this.instances.map((f) => f.instanceType), ami: this.ami.amiType, efa: this.efaInterfaces, ...extra });
    return createHash('sha256').update(key).digest('hex').slice(0, 8);
  }
}

// Kubernetes label syntax: apimachinery validation IsQualifiedName / IsValidLabelValue
// (k8s.io/apimachinery/pkg/util/validation/validation.go).
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Label domains a user may not set on nodes:
 * - `kubernetes.io` / `k8s.io` (and subdomains): the NodeRestriction admission plugin stops kubelets from
 *   setting them, except `kubelet.kubernetes.io`, `node.kubernetes.io` and a few well-known keys
 *   (kubernetes/plugin/pkg/admission/noderestriction; kubelet `--node-labels` validation in
 *   pkg/kubelet/apis/well_known_labels.go).
 * - `karpenter.sh`, `karpenter.k8s.aws`: rejected by the Karpenter v1 NodePool CRD's CEL rules on
 *   `spec.template.metadata.labels` (crds/karpenter/karpenter.sh_nodepools.yaml).
 * - `ai-platform`: the library's own labels.
 */
const RESTRICTED_DOMAINS = ['kubernetes.io', 'k8s.io', 'karpenter.sh', 'karpenter.k8s.aws', 'ai-platform'];
const ALLOWED_KUBE_DOMAINS = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/**
 * Problems of node labels a user adds to a pool: syntax, length and restricted domains. Empty when valid.
 * Lengths are the EKS node group API's, stricter than Kubernetes': a whole key of 1..63 characters and a
 * value of 1..63 (EKS API reference, UpdateLabelsPayload / CreateNodegroup `labels`), so a label that works
 * on a managed node group works on a Karpenter pool too.
 */
export function nodeLabelProblems(labels: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.indexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (!(key.length <= 63 && name.length >= 1 && LABEL_NAME.test(name)) || (slash >= 0 && !DNS_SUBDOMAIN.test(prefix))) {
      problems.push(`key '${key}' must be a qualified name of at most 63 characters: an optional DNS subdomain prefix and '/', then [A-Za-z0-9-_.] starting and ending alphanumeric`);
      continue;
    }
    const domain = prefix.toLowerCase();
    const restricted = RESTRICTED_DOMAINS.find((d) => domain === d || domain.endsWith(`.${d}`));
    const allowed = ALLOWED_KUBE_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
    if (restricted && !allowed) problems.push(`key '${key}' uses the restricted label domain '${restricted}'`);
    if (typeof value !== 'string' || !(value.length >= 1 && value.length <= 63 && LABEL_NAME.test(value))) {
      problems.push(`value of '${key}' ('${value}') must be 1..63 of [A-Za-z0-9-_.] starting and ending alphanumeric`);
    }
  }
  return problems;
}

/** The EFA extended resource name, re-exported for callers that describe nodes. */
export { EFA_RESOURCE_NAME };
