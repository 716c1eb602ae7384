import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, type IDependable } from 'constructs';
import { AmiFamily } from '../catalog/ami';
import { kubernetesVersionEntry } from '../core/kubernetes-version';
import { CLUSTER_DEFAULTS } from './defaults';
import { clusterProblems } from './cluster-checks';
import { throwIfProblems, type Problem } from '../core/problems';
import { POOL_LABEL } from '../core/labels';
import { SYSTEM_POOL_NAME } from '../compute/pool-name';
import { createNodeLaunchTemplate } from '../core/node-launch-template';
import { createNodeRole } from '../core/node-role';
import { acknowledgeIamFindings } from '../core/acknowledge';
import { WorkloadPrerequisites } from '../core/cluster-readiness';
import { RegistryMirror } from '../core/registry-mirror';
import { ContainerInsights } from '../monitoring/container-insights';
import { createPodIdentityRole } from '../core/pod-identity-role';
import { limitGrantsToAwsServices } from '../core/key-policy';

/** Props of {@link GpuCluster}. */
export interface GpuClusterProps {
  readonly vpc: ec2.IVpc;
  /** Subnets for the control plane's interfaces and the system nodes. @default - the VPC's private subnets */
  readonly nodeSubnets?: ec2.SubnetSelection;
  /** A Kubernetes version of the version catalog. @default the newest supported */
  readonly kubernetesVersion?: string;
  /**
   * Who reaches the Kubernetes API. A public endpoint is opened only when asked for; then AiPlatformChecks
   * reports it (EKSV2PublicEndpoint) until the caller acknowledges it with their reason.
   * @default eks.EndpointAccess.PRIVATE
   */
  readonly endpointAccess?: eks.EndpointAccess;
  /** IAM role ARNs given cluster admin through access entries. @default - none */
  readonly adminRoleArns?: string[];
  /** @default t3.large (burstable: the system pods idle most of the time) */
  readonly systemInstanceType?: ec2.InstanceType;
  /** On-demand nodes for cluster services (CoreDNS, autoscaler, operators). @default 2 */
  readonly systemNodes?: number;
  /**
   * Keys of tags applied from above that still reach the system nodes' launch template (so their instances and
   * volumes). Any other tag stops at the node group: a tag in the launch template makes a new version, which
   * the node group rolls out by replacing its nodes. @default - none
   */
  readonly inheritedTagKeys?: string[];
  /** @default - generated */
  readonly clusterName?: string;
  /** @default - a new key with rotation, retained */
  readonly secretsKey?: kms.IKey;
  /**
   * Container Insights with GPU and Neuron metrics (the amazon-cloudwatch-observability add-on), which
   * AiMonitoring's dashboard and alarms read. @default true
   */
  readonly containerInsights?: boolean;
}

/**
 * An EKS cluster for AI workloads on aws-eks-v2 (a native `AWS::EKS::Cluster`): secrets encrypted with a
 * KMS key, every control-plane log type on, admins through access entries (never the whole account), the
 * Pod Identity agent and the core add-ons at catalog versions, and a small on-demand system node group.
 * GPU capacity is added with {@link GpuNodePool}.
 */
export class GpuCluster extends Construct {
  public readonly cluster: eks.Cluster;
  public readonly secretsKey: kms.IKey;
  public readonly systemNodegroup: eks.Nodegroup;
  /** The Kubernetes version, e.g. `1.35`. */
  public readonly kubernetesVersion: string;
  private readonly inheritedTagKeys: string[];
  public readonly nodeSubnets: ec2.SubnetSelection;
  public readonly addons: Record<string, eks.Addon> = {};
  /** The cluster's name: the given one as a plain string, else the generated one (a token). */
  public readonly clusterName: string;
  /** What feeds the cluster's CloudWatch metrics; undefined with `containerInsights: false`. */
  public readonly containerInsights?: ContainerInsights;
  /**
   * What every workload installed on this cluster waits for: the system node group and the core add-ons.
   * The library's Helm releases and charts depend on it; depend on it from your own (`node.addDependency`).
   */
  public readonly workloadPrerequisites: IDependable;

  /** The mirror this cluster's charts come from, once one is set (`RegistryMirror.useFor`). */
  public get registryMirror(): RegistryMirror | undefined {
    return RegistryMirror.of(this.cluster);
  }

  /**
   * Problems of the props (Kubernetes version and its kubectl layer, admin role ARNs, system node type and
   * count), with field names relative to the props; the definition reports the same ones under `cluster`.
   */
  public static check(props: GpuClusterProps): Problem[] {
    return clusterProblems({
      kubernetesVersion: props.kubernetesVersion,
      adminRoleArns: props.adminRoleArns,
      systemInstanceType: props.systemInstanceType?.toString(),
      systemNodes: props.systemNodes,
    });
  }

  constructor(scope: Construct, id: string, props: GpuClusterProps) {
    super(scope, id);
    throwIfProblems('GpuCluster', GpuCluster.check(props), this);
    this.kubernetesVersion = props.kubernetesVersion ?? CLUSTER_DEFAULTS.kubernetesVersion;
    this.inheritedTagKeys = props.inheritedTagKeys ?? [];
    const systemNodes = props.systemNodes ?? CLUSTER_DEFAULTS.systemNodes;
    const versionEntry = kubernetesVersionEntry(this.kubernetesVersion, 'GpuCluster', this);
    this.nodeSubnets = props.nodeSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    this.secretsKey =
      props.secretsKey ??
      new kms.Key(this, 'SecretsKey', {
        description: 'Envelope encryption of Kubernetes secrets',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    limitGrantsToAwsServices(this.secretsKey);

    const endpointAccess = props.endpointAccess ?? eks.EndpointAccess.PRIVATE;
    this.cluster = new eks.Cluster(this, 'Cluster', {
      version: eks.KubernetesVersion.of(this.kubernetesVersion),
      clusterName: props.clusterName,
      vpc: props.vpc,
      vpcSubnets: [this.nodeSubnets],
      endpointAccess,
      secretsEncryptionKey: this.secretsKey,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      // The deploying CloudFormation role gets no standing admin; admins come from adminRoleArns.
      bootstrapClusterCreatorAdminPermissions: false,
      kubectlProviderOptions: {
        kubectlLayer: versionEntry.kubectlLayer(this, 'KubectlLayer'),
        privateSubnets: props.vpc.selectSubnets(this.nodeSubnets).subnets,
      },
    });

    Validations.of(this.cluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason:
        'aws-eks-v2 writes EncryptionConfig.Resources ["secrets"], which EKS still requires for envelope encryption',
    });
    (props.adminRoleArns ?? []).forEach((arn, i) => this.cluster.grantClusterAdmin(`Admin${i}`, arn));

    // Core add-ons at catalog versions. The VPC CNI gets its own role through Pod Identity instead of
    // borrowing the node role.
    const versions = versionEntry.addons;
    this.addons.podIdentityAgent = this.addon('PodIdentityAgent', 'eks-pod-identity-agent', versions.podIdentityAgent);
    // The VPC CNI gets its own role through the add-on's Pod Identity association, so node roles need no
    // network permissions.
    const cniRole = createPodIdentityRole(this, 'VpcCniRole', 'Amazon VPC CNI (kube-system/aws-node)');
    cniRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKS_CNI_Policy'));
    // NetworkPolicies are enforced only with the CNI's network policy agent turned on (EKS user guide,
    // "Limit pod traffic with Kubernetes network policies": configuration value enableNetworkPolicy).
    this.addons.vpcCni = this.addon('VpcCni', 'vpc-cni', versions.vpcCni, { enableNetworkPolicy: 'true' });
    (this.addons.vpcCni.node.defaultChild as eks.CfnAddon).podIdentityAssociations = [
      { serviceAccount: 'aws-node', roleArn: cniRole.roleArn },
    ];
    this.addons.vpcCni.node.addDependency(this.addons.podIdentityAgent);
    this.addons.kubeProxy = this.addon('KubeProxy', 'kube-proxy', versions.kubeProxy);

    this.systemNodegroup = this.cluster.addNodegroupCapacity('SystemNodes', {
      instanceTypes: [props.systemInstanceType ?? new ec2.InstanceType(CLUSTER_DEFAULTS.systemInstanceType)],
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      minSize: systemNodes,
      maxSize: Math.max(systemNodes, 3),
      desiredSize: systemNodes,
      subnets: this.nodeSubnets,
      capacityType: eks.CapacityType.ON_DEMAND,
      labels: { [POOL_LABEL]: SYSTEM_POOL_NAME },
      launchTemplateSpec: this.launchTemplate('SystemLaunchTemplate'),
      nodeRole: createNodeRole(this, 'SystemNodeRole'),
    });
    this.clusterName = props.clusterName ?? this.cluster.clusterName;
    this.addons.coreDns = this.addon('CoreDns', 'coredns', versions.coreDns);
    this.addons.coreDns.node.addDependency(this.systemNodegroup);
    if (props.containerInsights ?? true) {
      this.containerInsights = new ContainerInsights(this, 'ContainerInsights', {
        cluster: this.cluster,
        clusterName: this.clusterName,
        kubernetesVersion: this.kubernetesVersion,
      });
      // Its agents and operator need a node to run on, like CoreDNS.
      this.containerInsights.addon.node.addDependency(this.systemNodegroup);
    }
    // Helm releases and operators run on the system nodes and need DNS and pod networking.
    this.workloadPrerequisites = WorkloadPrerequisites.register(
      this.cluster,
      this.systemNodegroup,
      ...Object.values(this.addons),
    ).group;

    acknowledgeIamFindings(cniRole, {
      managedPolicies:
        'AmazonEKS_CNI_Policy is the AWS-maintained policy for the VPC CNI, scoped to one service account through Pod Identity',
    });
    acknowledgeIamFindings(this.cluster.role, {
      managedPolicies: 'AmazonEKSClusterPolicy is the AWS-maintained service policy the EKS control plane requires',
    });
    // The cluster's public kubectlProvider (aws-eks-v2 ICluster.kubectlProvider), never a rebuilt construct ID.
    const kubectlProvider = this.cluster.kubectlProvider!;
    acknowledgeIamFindings(kubectlProvider, {
      managedPolicies:
        'The aws-eks-v2 kubectl provider (maintained by the CDK) runs in the VPC with the AWS-maintained Lambda execution and ECR read policies',
      wildcards: 'The aws-eks-v2 kubectl provider framework invokes its own handler versions (<handler ARN>:*)',
    });
    Validations.of(kubectlProvider).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The kubectl provider runtime is chosen by aws-eks-v2 to match its kubectl layer; it moves with aws-cdk-lib upgrades',
    });
  }

  /** A launch template for nodes of this cluster (IMDSv2 required, encrypted gp3). */
  public launchTemplate(id: string, diskGiB = 50, amiFamily = AmiFamily.AL2023): eks.LaunchTemplateSpec {
    const lt = createNodeLaunchTemplate(this, id, { amiFamily, diskGiB, inheritedTagKeys: this.inheritedTagKeys });
    return { id: lt.launchTemplateId!, version: lt.latestVersionNumber };
  }

  private addon(
    id: string,
    addonName: string,
    addonVersion: string,
    configurationValues?: Record<string, unknown>,
  ): eks.Addon {
    const addon = new eks.Addon(this, id, {
      cluster: this.cluster,
      addonName,
      addonVersion,
      preserveOnDelete: false,
      configurationValues,
    });
    (addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    return addon;
  }
}
