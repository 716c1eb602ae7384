import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { AcceleratorVendor, findInstance, knownInstanceTypes } from '../catalog/accelerators';
import { HELM_CHARTS, type HelmChartVersion } from '../catalog/versions';
import { pinnedHelmChart } from '../core/pinned-helm-chart';
import type { RegistryMirror } from '../core/registry-mirror';
import { DEVICE_PLUGIN_LABEL, EFA_LABEL } from '../core/labels';
import { DevicePlugin, type PoolNodes } from './pool-nodes';

/** Tolerate every accelerator taint the library sets, so plugins run on any accelerated node. */
const ACCELERATOR_TOLERATIONS = [
  { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'aws.amazon.com/neuron', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
];

function requireLabel(key: string, value: string) {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: [value] }] }],
      },
    },
  };
}

/** Adds a pinned chart to a cluster once, however many pools need it. */
function ensureChart(
  cluster: eks.ICluster,
  id: string,
  spec: HelmChartVersion,
  values: Record<string, unknown>,
): eks.HelmChart {
  const existing = cluster.node.tryFindChild(id);
  if (existing) return existing as eks.HelmChart;
  return pinnedHelmChart(cluster, id, cluster, spec, { values });
}

/**
 * Installs the device plugins a pool's nodes need, whichever provisioner launches them: NVIDIA's on AL2023
 * NVIDIA nodes, Neuron's on AL2023 Neuron nodes (neither AMI bundles one), and AWS's EFA plugin on EFA
 * nodes. Each runs only on nodes carrying the label {@link PoolNodes} puts on them, so it never competes
 * with a plugin an AMI bundles (Bottlerocket NVIDIA).
 */
export function ensureDevicePlugins(cluster: eks.ICluster, nodes: PoolNodes, mirror?: RegistryMirror): eks.HelmChart[] {
  mirror?.useFor(cluster);
  const charts: eks.HelmChart[] = [];
  if (nodes.devicePlugin === DevicePlugin.NVIDIA) {
    // The chart's default affinity requires Node Feature Discovery labels EKS nodes do not carry
    // (NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/values.yaml at v0.20.0); a list value
    // replaces it, so the plugin runs exactly on the nodes labelled for it.
    charts.push(
      ensureChart(cluster, 'NvidiaDevicePlugin', HELM_CHARTS.nvidiaDevicePlugin, {
        affinity: requireLabel(DEVICE_PLUGIN_LABEL, DevicePlugin.NVIDIA),
        tolerations: ACCELERATOR_TOLERATIONS,
        priorityClassName: 'system-node-critical',
      }),
    );
  }
  if (nodes.devicePlugin === DevicePlugin.NEURON) {
    // The chart selects nodes by `node.kubernetes.io/instance-type` in `neuronInstances` and adds
    // `devicePlugin.nodeSelector` (aws-neuron/neuron-helm-charts templates/device-plugin-daemonset.yaml, read at
    // 1.0.0); later releases template `devicePlugin.affinity` instead. All three are set, so whichever the
    // pinned release reads selects exactly the nodes labelled for it; the catalog's Neuron types are passed
    // because the chart's own list lags new types (no trn2 in 1.0.0).
    charts.push(
      ensureChart(cluster, 'NeuronDevicePlugin', HELM_CHARTS.neuronDevicePlugin, {
        neuronInstances: knownInstanceTypes().filter((t) => findInstance(t)?.vendor === AcceleratorVendor.AWS_NEURON),
        devicePlugin: {
          nodeSelector: { [DEVICE_PLUGIN_LABEL]: DevicePlugin.NEURON },
          affinity: requireLabel(DEVICE_PLUGIN_LABEL, DevicePlugin.NEURON),
          tolerations: ACCELERATOR_TOLERATIONS,
        },
        scheduler: { enabled: false },
        npd: { enabled: false },
      }),
    );
  }
  if (nodes.efa) {
    charts.push(
      ensureChart(cluster, 'EfaDevicePlugin', HELM_CHARTS.efaDevicePlugin, {
        nodeSelector: { [EFA_LABEL]: 'true' },
        tolerations: ACCELERATOR_TOLERATIONS,
      }),
    );
  }
  return charts;
}

/** Device plugins as a static method, for every jsii language. */
export class DevicePlugins {
  /**
   * Installs the accelerator and EFA device plugins a pool's nodes need, once per cluster and kind; from
   * `mirror` when given (it becomes the cluster's mirror), else from the cluster's mirror or the public source.
   */
  public static ensure(cluster: eks.ICluster, nodes: PoolNodes, mirror?: RegistryMirror): eks.HelmChart[] {
    return ensureDevicePlugins(cluster, nodes, mirror);
  }

  private constructor() {}
}
