import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, RegistryMirror } from '../../lib';
import { findKubernetesVersion } from '../../lib/catalog/versions';
import { clusterStack, resourcesOf } from '../helpers';

const ADMIN = 'arn:aws:iam::123456789012:role/platform-admin';

describe('GpuCluster defaults', () => {
  const { stack } = clusterStack({ adminRoleArns: [ADMIN], kubernetesVersion: '1.35' });
  const t = Template.fromStack(stack);

  test('is a native AWS::EKS::Cluster (aws-eks-v2), not the custom-resource cluster', () => {
    t.resourceCountIs('AWS::EKS::Cluster', 1);
    t.resourceCountIs('Custom::AWSCDK-EKS-Cluster', 0);
    t.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.35' });
  });

  test('secrets are encrypted with a rotating KMS key that is retained', () => {
    const [keyId] = resourcesOf(t, 'AWS::KMS::Key')[0];
    t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }],
    });
  });

  test('every control-plane log type is on', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: {
        ClusterLogging: {
          EnabledTypes: Match.arrayEquals(
            ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({ Type: type })),
          ),
        },
      },
    });
  });

  test('admins get cluster admin through an access entry; the deployer gets no standing admin', () => {
    const entries = resourcesOf(t, 'AWS::EKS::AccessEntry').map(([, e]) => e.Properties);
    const admin = entries.find((e) => e.PrincipalArn === ADMIN);
    expect(JSON.stringify(admin.AccessPolicies)).toContain(
      ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    );
    expect(admin.AccessPolicies[0].AccessScope).toEqual({ Type: 'cluster' });
    t.hasResourceProperties('AWS::EKS::Cluster', {
      AccessConfig: Match.objectLike({ BootstrapClusterCreatorAdminPermissions: false }),
    });
  });

  test('no role is trusted by the whole account', () => {
    for (const [, role] of resourcesOf(t, 'AWS::IAM::Role')) {
      for (const st of role.Properties.AssumeRolePolicyDocument.Statement) {
        expect(JSON.stringify(st.Principal ?? {})).not.toMatch(/:root/);
      }
    }
  });

  test.each([
    ['eks-pod-identity-agent', 'podIdentityAgent'],
    ['vpc-cni', 'vpcCni'],
    ['kube-proxy', 'kubeProxy'],
    ['coredns', 'coreDns'],
  ] as const)('add-on %s is pinned to the catalog version', (name, key) => {
    t.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: name,
      AddonVersion: findKubernetesVersion('1.35')!.addons[key],
      ResolveConflicts: 'OVERWRITE',
    });
  });

  test('the VPC CNI has its own Pod Identity role with only the CNI policy', () => {
    t.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      PodIdentityAssociations: [
        { ServiceAccount: 'aws-node', RoleArn: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }) },
      ],
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }),
        ]),
      },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKS_CNI_Policy']] },
      ],
    });
  });

  test('node roles can join the cluster and pull images, and have no network permissions', () => {
    const nodeRoles = resourcesOf(t, 'AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'),
    );
    expect(nodeRoles).toHaveLength(1);
    const policies = JSON.stringify(nodeRoles[0][1].Properties.ManagedPolicyArns);
    expect(policies).toContain('AmazonEKSWorkerNodePolicy');
    expect(policies).toContain('AmazonEC2ContainerRegistryPullOnly');
    expect(policies).not.toContain('AmazonEKS_CNI_Policy');
    expect(nodeRoles[0][1].Properties.ManagedPolicyArns).toHaveLength(2);
  });

  test('a small on-demand system node group on AL2023 with IMDSv2 required', () => {
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      CapacityType: 'ON_DEMAND',
      InstanceTypes: ['t3.large'],
      ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 3 },
      Labels: { 'ai-platform/pool': 'system' },
    });
    t.resourcePropertiesCountIs(
      'AWS::EC2::LaunchTemplate',
      {
        LaunchTemplateData: Match.objectLike({
          MetadataOptions: { HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1, HttpTokens: 'required' },
        }),
      },
      1,
    );
  });

  test('the kubectl provider uses the layer matching the Kubernetes version', () => {
    t.hasResourceProperties('AWS::Lambda::LayerVersion', {
      Description: Match.stringLikeRegexp('kubectl 1\\.35|kubectl v1\\.35|1\\.35'),
    });
  });
});

// Documented defaults of a standalone GpuCluster.
test('by default the endpoint is private and Container Insights is installed', () => {
  const t = Template.fromStack(clusterStack().stack);
  t.hasResourceProperties('AWS::EKS::Cluster', {
    ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }),
  });
  t.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'amazon-cloudwatch-observability' });
  const off = Template.fromStack(clusterStack({ containerInsights: false }).stack);
  expect(resourcesOf(off, 'AWS::EKS::Addon').map(([, a]) => a.Properties.AddonName)).not.toContain(
    'amazon-cloudwatch-observability',
  );
});

test('a public endpoint asked for is left to AiPlatformChecks: the cluster does not acknowledge it itself', () => {
  const { NagRuleCompliance } = require('cdk-nag');
  const { AiPlatformChecks, eksClusterNoPublicEndpoint } = require('../../lib/nag');
  const { gpuCluster, stack } = clusterStack({ endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE });
  expect(eksClusterNoPublicEndpoint(gpuCluster.cluster.node.defaultChild)).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(new AiPlatformChecks().validateScope(stack).violations.map((v: any) => v.ruleName)).toContain(
    'AiPlatform-EKSV2PublicEndpoint',
  );
});

test('a private endpoint turns public access off', () => {
  const { stack } = clusterStack({ endpointAccess: eks.EndpointAccess.PRIVATE });
  Template.fromStack(stack).hasResourceProperties('AWS::EKS::Cluster', {
    ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false, EndpointPrivateAccess: true }),
  });
});

test('an unsupported Kubernetes version is refused with the supported list', () => {
  expect(() => clusterStack({ kubernetesVersion: '1.29' })).toThrow(
    "GpuCluster: kubernetesVersion ('1.29') must be a supported version: 1.33, 1.34, 1.35, 1.36",
  );
});

test('the standalone check names every problem of the props, as the definition does', () => {
  const problems = GpuCluster.check({
    vpc: undefined as never,
    kubernetesVersion: '1.29',
    systemNodes: 0,
    systemInstanceType: new ec2.InstanceType('g6.xlarge'),
    adminRoleArns: [
      'arn:aws:iam::123456789012:root',
      'arn:aws:iam::123456789012:role/admin',
      'arn:aws:iam::123456789012:role/admin',
    ],
  });
  expect(problems.map((p) => p.field)).toEqual([
    'kubernetesVersion',
    'adminRoleArns[0]',
    'adminRoleArns[2]',
    'systemInstanceType',
    'systemNodes',
  ]);
});

test('GpuCluster names what workloads wait for and where its charts come from (no hidden registry)', () => {
  const { stack, gpuCluster } = clusterStack();
  const mine = new eks.KubernetesManifest(stack, 'Mine', {
    cluster: gpuCluster.cluster,
    manifest: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: 'default' } }],
  });
  mine.node.addDependency(gpuCluster.workloadPrerequisites);
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  const dependsOn = Template.fromStack(stack).toJSON().Resources[id(mine)].DependsOn;
  expect(dependsOn).toEqual(
    expect.arrayContaining([id(gpuCluster.systemNodegroup), ...Object.values(gpuCluster.addons).map(id)]),
  );
  // The library's own releases wait for the same thing: it is one object, a child of the cluster in the tree.
  expect(gpuCluster.cluster.node.tryFindChild('WorkloadPrerequisites')).toBeDefined();

  expect(gpuCluster.registryMirror).toBeUndefined();
  RegistryMirror.ecr('123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror').useFor(gpuCluster.cluster);
  expect(gpuCluster.registryMirror?.registry).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror');
});

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
import './keda-http-add-on.cases';
import './load-balancer-controller.cases';
