import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  AmiFamily,
  CapacityType,
  ClusterAutoscaler,
  Karpenter,
  KarpenterNodePool,
  type KarpenterNodePoolProps,
} from '../../lib';
import { findKubernetesVersion } from '../../lib/catalog/versions';
import { clusterStack, leanReferenceWith, referenceWith, resourcesOf, synthPlatform } from '../helpers';
import { full } from '../support/full-tests';

function statements(template: Template): any[] {
  return resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** A statement's conditions as text, with condition blocks rendered through CfnJson (keys naming the cluster) inlined. */
function conditionText(template: Template, statement: any): string {
  const cfnJson = Object.fromEntries(
    resourcesOf(template, 'Custom::AWSCDKCfnJson').map(([id, r]) => [id, r.Properties.Value]),
  );
  return JSON.stringify(statement.Condition, (_k, v) =>
    v?.['Fn::GetAtt'] && cfnJson[v['Fn::GetAtt'][0]] ? cfnJson[v['Fn::GetAtt'][0]] : v,
  );
}

describe('ClusterAutoscaler', () => {
  const { stack, gpuCluster } = clusterStack({ kubernetesVersion: '1.35' });
  new ClusterAutoscaler(stack, 'CA', { cluster: gpuCluster.cluster, kubernetesVersion: '1.35' });
  const t = Template.fromStack(stack);

  test("pinned chart, image of the cluster's minor version, auto-discovery, on system nodes", () => {
    const [, chart] = resourcesOf(t, 'Custom::AWSCDK-EKS-HelmChart').find(
      ([, c]) => c.Properties.Chart === 'cluster-autoscaler',
    )!;
    expect(chart.Properties.Version).toMatch(/^\d+\.\d+\.\d+$/);
    const values = JSON.stringify(chart.Properties.Values);
    expect(values).toContain(`\\"tag\\":\\"${findKubernetesVersion('1.35')!.clusterAutoscalerImageTag}\\"`);
    expect(values).toContain('autoDiscovery');
    expect(values).toContain('\\"ai-platform/pool\\":\\"system\\"');
  });

  test('Pod Identity for kube-system/cluster-autoscaler', () => {
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'kube-system',
      ServiceAccount: 'cluster-autoscaler',
    });
  });

  test("may scale and terminate only this cluster's node groups; reads node groups for templates", () => {
    const scale = statements(t).find((s) => [].concat(s.Action).includes('autoscaling:SetDesiredCapacity' as never));
    expect(scale.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/eks:cluster-name': { Ref: expect.stringMatching(/^GpuCluster/) } },
    });
    const discover = statements(t).find((s) => s.Sid === 'Discover');
    expect(discover.Action).toEqual(
      expect.arrayContaining(['eks:DescribeNodegroup', 'autoscaling:DescribeAutoScalingGroups']),
    );
    for (const s of statements(t).filter((x) => x.Sid === 'Discover'))
      expect(JSON.stringify(s.Action)).not.toMatch(/Set|Terminate|Update|Create/);
  });
});

describe('Karpenter', () => {
  const { stack, gpuCluster } = clusterStack();
  new Karpenter(stack, 'Karpenter', { cluster: gpuCluster.cluster });
  const t = Template.fromStack(stack);

  test('an interruption queue, encrypted, fed by four EventBridge rules', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    t.resourceCountIs('AWS::Events::Rule', 4);
  });

  test('its nodes join through an EC2_LINUX access entry', () => {
    t.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'EC2_LINUX' });
  });

  // Upstream: aws/karpenter-provider-aws website/content/en/docs/getting-started/getting-started-with-karpenter/
  // cloudformation.yaml at v1.14.1 (the controller policies, statement by statement).
  test('the controller policy has exactly the statements of upstream v1.14.1', () => {
    expect(
      statements(t)
        .map((x) => x.Sid)
        .sort(),
    ).toEqual([
      'AllowAPIServerEndpointDiscovery',
      'AllowInstanceProfileReadActions',
      'AllowInterruptionQueueActions',
      'AllowPassingInstanceRole',
      'AllowPricingReadActions',
      'AllowRegionalReadActions',
      'AllowSSMReadActions',
      'AllowScopedDeletion',
      'AllowScopedEC2InstanceAccessActions',
      'AllowScopedEC2InstanceActionsWithTags',
      'AllowScopedEC2LaunchTemplateAccessActions',
      'AllowScopedInstanceProfileActions',
      'AllowScopedInstanceProfileCreationActions',
      'AllowScopedInstanceProfileTagActions',
      'AllowScopedResourceCreationTagging',
      'AllowScopedResourceTagging',
      'AllowUnscopedInstanceProfileListAction',
    ]);
  });

  test('launches may use placement groups and capacity reservations', () => {
    const s = statements(t).find((x) => x.Sid === 'AllowScopedEC2InstanceAccessActions');
    expect(JSON.stringify(s.Resource)).toContain(':placement-group/*');
    expect(JSON.stringify(s.Resource)).toContain(':capacity-reservation/*');
  });

  test.each([
    [
      'AllowScopedEC2InstanceActionsWithTags',
      [
        'aws:RequestTag/kubernetes.io/cluster/',
        'aws:RequestTag/eks:eks-cluster-name',
        'aws:RequestTag/karpenter.sh/nodepool',
      ],
    ],
    ['AllowScopedResourceCreationTagging', ['ec2:CreateAction', 'aws:RequestTag/eks:eks-cluster-name']],
    ['AllowScopedDeletion', ['aws:ResourceTag/kubernetes.io/cluster/', 'aws:ResourceTag/karpenter.sh/nodepool']],
    [
      'AllowScopedInstanceProfileCreationActions',
      [
        'aws:RequestTag/kubernetes.io/cluster/',
        'aws:RequestTag/topology.kubernetes.io/region',
        'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass',
      ],
    ],
    [
      'AllowScopedInstanceProfileTagActions',
      ['aws:ResourceTag/kubernetes.io/cluster/', 'aws:RequestTag/eks:eks-cluster-name'],
    ],
    [
      'AllowScopedInstanceProfileActions',
      ['aws:ResourceTag/kubernetes.io/cluster/', 'aws:ResourceTag/topology.kubernetes.io/region'],
    ],
  ])('%s is scoped to this cluster by tag', (sid, keys) => {
    const s = statements(t).find((x) => x.Sid === sid);
    for (const key of keys) expect(conditionText(t, s)).toContain(key);
  });

  test('the node role is passed to EC2 only', () => {
    expect(statements(t).find((x) => x.Sid === 'AllowPassingInstanceRole').Condition).toEqual({
      StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] },
    });
  });

  test('pinned chart with the cluster name and queue', () => {
    const [, chart] = resourcesOf(t, 'Custom::AWSCDK-EKS-HelmChart').find(
      ([, c]) => c.Properties.Chart === 'karpenter',
    )!;
    expect(chart.Properties).toMatchObject({
      Version: '1.14.1',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter',
      Namespace: 'karpenter',
    });
  });
});

describe('KarpenterNodePool', () => {
  const synth = (props: Partial<KarpenterNodePoolProps> = {}) => {
    const docs: any[] = Testing.synth(
      new KarpenterNodePool(Testing.app(), 'p', {
        poolName: 'serving',
        instanceTypes: ['g6.xlarge', 'g6.2xlarge'],
        maxNodes: 10,
        capacityType: CapacityType.SPOT,
        nodeRoleName: 'node-role',
        subnetSelectorTags: { 'karpenter.sh/discovery': 'acme' },
        securityGroupSelectorTags: { 'aws:eks:cluster-name': 'acme' },
        ...props,
      }),
    );
    return { pool: docs.find((d) => d.kind === 'NodePool'), nodeClass: docs.find((d) => d.kind === 'EC2NodeClass') };
  };

  test("karpenter.sh/v1 NodePool with the pool's types, capacity type, taint and labels", () => {
    const { pool } = synth();
    expect(pool.apiVersion).toBe('karpenter.sh/v1');
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge', 'g6.2xlarge'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
    ]);
    expect(pool.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(pool.spec.template.metadata.labels).toMatchObject({
      'ai-platform/pool': 'serving',
      'ai-platform/accelerator': 'nvidia',
    });
  });

  test('limits from maxNodes, and consolidation', () => {
    const { pool } = synth();
    expect(pool.spec.limits).toEqual({ cpu: 80, 'nvidia.com/gpu': 10 });
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '10m' });
  });

  test('EC2NodeClass: pinned AMI alias, IMDSv2, encrypted gp3, tag selectors', () => {
    const { nodeClass } = synth({ amiFamily: AmiFamily.BOTTLEROCKET, diskGiB: 200 });
    expect(nodeClass.apiVersion).toBe('karpenter.k8s.aws/v1');
    expect(nodeClass.spec.amiSelectorTerms[0].alias).toMatch(/^bottlerocket@v\d/);
    expect(nodeClass.spec.metadataOptions).toEqual({
      httpEndpoint: 'enabled',
      httpTokens: 'required',
      httpPutResponseHopLimit: 1,
    });
    expect(nodeClass.spec.blockDeviceMappings).toEqual([
      {
        deviceName: '/dev/xvdb',
        ebs: { volumeSize: '200Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
      },
    ]);
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'acme' } }]);
  });

  test('Capacity Blocks launch into the reservation as reserved capacity', () => {
    const { pool, nodeClass } = synth({
      instanceTypes: ['p5.48xlarge'],
      capacityType: CapacityType.CAPACITY_BLOCK,
      capacityReservationId: 'cr-0123456789abcdef0',
    });
    expect(pool.spec.template.spec.requirements[1].values).toEqual(['reserved']);
    expect(nodeClass.spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0123456789abcdef0' }]);
  });
});

describe('platform wiring', () => {
  const { platform, template } = synthPlatform();

  test('every chart is applied to the cluster', () => {
    const manifests = resourcesOf(template, 'Custom::AWSCDK-EKS-KubernetesResource').map(([, m]) =>
      JSON.stringify(m.Properties.Manifest),
    );
    for (const kind of ['ScaledObject', 'CronJob', 'Namespace', 'ResourceQuota', 'ClusterRole']) {
      expect(manifests.some((m) => m.includes(`\\"kind\\":\\"${kind}\\"`))).toBe(true);
    }
    expect(Object.keys(platform.charts).sort()).toEqual([
      'inference-llm',
      'namespace-awq',
      'namespace-embed-reviews',
      'namespace-finetune',
      'namespace-llm',
      'namespace-pretrain',
      'namespace-research',
      'prometheus-scraper-rbac',
      'training-awq',
      'training-embed-reviews',
      'training-finetune',
      'training-pretrain',
    ]);
  });

  test('operators are installed only when used: KEDA, JobSet, KubeRay (a Ray pipeline) and the load balancer controller (an exposed service) here, not Karpenter', () => {
    const charts = resourcesOf(template, 'Custom::AWSCDK-EKS-HelmChart')
      .map(([, c]) => c.Properties.Chart)
      .sort();
    expect(charts).toEqual([
      'aws-efa-k8s-device-plugin',
      'aws-load-balancer-controller',
      'cluster-autoscaler',
      'jobset',
      'keda',
      'kube-state-metrics',
      'kuberay-operator',
      'nvidia-device-plugin',
    ]);
    const { template: unexposed } = synthPlatform(
      leanReferenceWith((d) => {
        delete d.inference[0].expose;
      }),
    );
    expect(resourcesOf(unexposed, 'Custom::AWSCDK-EKS-HelmChart').map(([, c]) => c.Properties.Chart)).not.toContain(
      'aws-load-balancer-controller',
    );
  });

  test('the Mountpoint for S3 CSI driver is installed because a workload mounts a zone', () => {
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'aws-mountpoint-s3-csi-driver' });
    // The reference mounts only its served model's folder: without that model, nothing mounts a zone.
    const { template: t } = synthPlatform(
      leanReferenceWith((d) => {
        delete d.inference[0].model;
      }),
    );
    expect(resourcesOf(t, 'AWS::EKS::Addon').map(([, a]) => a.Properties.AddonName)).not.toContain(
      'aws-mountpoint-s3-csi-driver',
    );
  });

  test('the KEDA operator may query the Prometheus workspace and nothing else', () => {
    const keda = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.includes('keda'))![1];
    expect(keda.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining(['aps:QueryMetrics']),
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PrometheusWorkspace/), 'Arn'] },
      }),
    ]);
  });

  test('a managed scraper writes to the workspace and reads the cluster', () => {
    template.resourceCountIs('AWS::APS::Workspace', 1);
    const [, scraper] = resourcesOf(template, 'AWS::APS::Scraper')[0];
    expect(scraper.Properties.Destination.AmpConfiguration.WorkspaceArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^PrometheusWorkspace/), 'Arn'],
    });
    expect(scraper.Properties.Source.EksConfiguration.ClusterArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'],
    });
  });

  // Prometheus kubernetes_sd_config: what each role lists and watches (Prometheus docs, kubernetes_sd_config;
  // discovery/kubernetes/kubernetes.go). Scrapes go to the targets' addresses, not through the API server.
  test("the scraper's cluster role grants what its scrape jobs discover and nothing else (no kubelet proxy, no configmaps)", () => {
    const [, scraper] = resourcesOf(template, 'AWS::APS::Scraper')[0];
    const blob = scraper.Properties.ScrapeConfiguration.ConfigurationBlob['Fn::Base64'];
    const config = parse(typeof blob === 'string' ? blob : '');
    const LISTS: Record<string, string[]> = {
      pod: ['pods'],
      node: ['nodes'],
      service: ['services'],
      endpoints: ['endpoints', 'pods', 'services'],
      ingress: ['ingresses'],
    };
    const needed = [
      ...new Set(
        config.scrape_configs.flatMap((j: any) => (j.kubernetes_sd_configs ?? []).flatMap((sd: any) => LISTS[sd.role])),
      ),
    ].sort();
    expect(needed).toEqual(['pods']);
    const role = platform.charts['prometheus-scraper-rbac'].toJson().find((m: any) => m.kind === 'ClusterRole');
    const granted = role.rules
      .flatMap((r: any) =>
        (r.resources ?? r.nonResourceURLs).map((res: string) => `${res}:${[...r.verbs].sort().join(',')}`),
      )
      .sort();
    expect(granted).toEqual(needed.map((res) => `${res}:get,list,watch`));
  });

  test("run alarms: the workspace evaluates job-runs for the platform's training and optimization jobs", () => {
    const [, rules] = resourcesOf(template, 'AWS::APS::RuleGroupsNamespace').find(
      ([, r]) => r.Properties.Name === 'job-runs',
    )!;
    const alerts = parse(rules.Properties.Data).groups[0].rules.map((r: any) => `${r.labels.cronjob}:${r.alert}`);
    expect(alerts).toEqual(
      expect.arrayContaining(['finetune:JobRunMissed', 'awq:JobRunFailed', 'pretrain:JobRunFailed']),
    );
    expect(alerts).not.toContain('pretrain:JobRunMissed');
  });

  // A platform of training jobs only: the workspace, scraper and kube-state-metrics exist for the run alarms alone,
  // and `monitoring.alarms.runs: false` leaves all three out (two more platform builds: CI's full step).
  full.test('without inference, run alarms bring the workspace; switched off, nothing of it', () => {
    const trainingOnly = (runs?: boolean) =>
      synthPlatform(
        referenceWith((d) => {
          d.inference = [];
          if (runs !== undefined) d.monitoring = { ...d.monitoring, alarms: { runs } };
        }),
      ).template;
    const on = trainingOnly();
    on.resourceCountIs('AWS::APS::Scraper', 1);
    on.hasResourceProperties('AWS::APS::RuleGroupsNamespace', { Name: 'job-runs' });
    const off = trainingOnly(false);
    off.resourceCountIs('AWS::APS::Workspace', 0);
    expect(resourcesOf(off, 'Custom::AWSCDK-EKS-HelmChart').map(([, c]) => c.Properties.Chart)).not.toContain(
      'kube-state-metrics',
    );
  });

  test('a karpenter pool installs Karpenter and its NodePool chart', () => {
    const { platform: p, template: t } = synthPlatform(
      leanReferenceWith((d) => {
        d.nodePools[0].provisioner = 'karpenter';
      }),
    );
    expect(Object.keys(p.charts)).toContain('karpenter-pool-inference');
    expect(p.karpenter).toBeDefined();
    expect(
      resourcesOf(t, 'AWS::EKS::Nodegroup')
        .map(([, g]) => g.Properties.Labels['ai-platform/pool'])
        .sort(),
    ).toEqual(['system', 'training']);
    expect(Stack.of(p.karpenter!).stackName).toBe('acme-ml-platform');
  });
});

test('KarpenterNodePool applies the same pool rules as GpuNodePool', () => {
  const problems = KarpenterNodePool.check({
    poolName: 'gpu',
    instanceTypes: ['g6.xlarge'],
    maxNodes: 0,
    diskGiB: 5,
    capacityType: CapacityType.CAPACITY_BLOCK,
    nodeRoleName: 'r',
    subnetSelectorTags: {},
    securityGroupSelectorTags: {},
  });
  expect(problems.map((p) => p.field)).toEqual(['maxNodes', 'diskGiB', 'capacityReservationId', 'instanceTypes[0]']);
});

// More of this domain's cases, run in this file's worker so the domain's modules load once (test time).
import './registry-mirror.cases';
import './kube-state-metrics.cases';
