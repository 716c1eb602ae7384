import { Size, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  AmiFamily,
  CapacityType,
  GpuNodePool,
  PlatformValidationError,
  PoolNodes,
  type GpuNodePoolProps,
} from '../../lib';
import { clusterStack, resourcesOf } from '../helpers';

function pool(props: Partial<GpuNodePoolProps> & Pick<GpuNodePoolProps, 'instanceTypes'>) {
  const { stack, gpuCluster } = clusterStack();
  const p = new GpuNodePool(stack, 'Pool', { cluster: gpuCluster.cluster, poolName: 'gpu', maxNodes: 4, ...props });
  const template = Template.fromStack(stack);
  const [, nodegroup] = resourcesOf(template, 'AWS::EKS::Nodegroup').find(([id]) => id.startsWith('PoolNodegroup'))!;
  const [, lt] = resourcesOf(template, 'AWS::EC2::LaunchTemplate').find(([id]) => id.startsWith('PoolLaunchTemplate'))!;
  return { pool: p, template, nodegroup: nodegroup.Properties, launchTemplate: lt.Properties.LaunchTemplateData };
}

test.each([
  [['g6e.xlarge'], AmiFamily.AL2023, 'AL2023_x86_64_NVIDIA'],
  [['p5.48xlarge'], AmiFamily.AL2023, 'AL2023_x86_64_NVIDIA'],
  [['p6-b200.48xlarge'], AmiFamily.AL2023, 'AL2023_x86_64_NVIDIA'],
  [['g5.2xlarge'], AmiFamily.BOTTLEROCKET, 'BOTTLEROCKET_x86_64_NVIDIA'],
  [['inf2.xlarge'], AmiFamily.AL2023, 'AL2023_x86_64_NEURON'],
  [['trn2.48xlarge'], AmiFamily.AL2023, 'AL2023_x86_64_NEURON'],
  [['m7i.xlarge'], AmiFamily.AL2023, 'AL2023_x86_64_STANDARD'],
])('%s on %s boots %s', (instanceTypes, amiFamily, amiType) => {
  expect(pool({ instanceTypes, amiFamily }).nodegroup.AmiType).toBe(amiType);
});

test.each([
  [['g6.xlarge'], 'nvidia.com/gpu'],
  [['inf2.xlarge'], 'aws.amazon.com/neuron'],
])('%s pools are tainted %s=true:NoSchedule', (instanceTypes, key) => {
  expect(pool({ instanceTypes }).nodegroup.Taints).toEqual([{ Key: key, Value: 'true', Effect: 'NO_SCHEDULE' }]);
});

test('CPU pools are not tainted', () => {
  expect(pool({ instanceTypes: ['m7i.large'] }).nodegroup.Taints).toBeUndefined();
});

test('labels name the pool and the accelerator, and keep user labels', () => {
  expect(pool({ instanceTypes: ['g6e.xlarge'], labels: { tier: 'gold' } }).nodegroup.Labels).toEqual({
    tier: 'gold',
    'ai-platform/pool': 'gpu',
    'ai-platform/accelerator': 'nvidia',
    'ai-platform/accelerator-model': 'L40S',
    'ai-platform/device-plugin': 'nvidia',
  });
});

test('the launch template requires IMDSv2 and sets an encrypted gp3 root volume of the disk size', () => {
  const { launchTemplate } = pool({ instanceTypes: ['g6e.xlarge'], diskSize: Size.gibibytes(300) });
  expect(launchTemplate.MetadataOptions).toEqual({
    HttpEndpoint: 'enabled',
    HttpPutResponseHopLimit: 1,
    HttpTokens: 'required',
  });
  expect(launchTemplate.BlockDeviceMappings).toEqual([
    {
      DeviceName: '/dev/xvda',
      Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 300, VolumeType: 'gp3' },
    },
  ]);
});

test('documented default disk: 100 GiB', () => {
  expect(pool({ instanceTypes: ['g6e.xlarge'] }).launchTemplate.BlockDeviceMappings[0].Ebs.VolumeSize).toBe(100);
});

test('Bottlerocket puts the disk size on its data volume', () => {
  const { launchTemplate } = pool({ instanceTypes: ['g6e.xlarge'], amiFamily: AmiFamily.BOTTLEROCKET });
  expect(launchTemplate.BlockDeviceMappings[0].DeviceName).toBe('/dev/xvdb');
});

test('a pool scales from zero: min 0, max from props, and no desired size (Cluster Autoscaler owns it)', () => {
  expect(pool({ instanceTypes: ['g6e.xlarge'], maxNodes: 8 }).nodegroup.ScalingConfig).toEqual({
    MinSize: 0,
    MaxSize: 8,
  });
});

test("changing a pool's size changes only its MinSize / MaxSize: no desired size is sent to reset running nodes", () => {
  const before = pool({ instanceTypes: ['g6e.xlarge'], maxNodes: 4 }).nodegroup;
  const after = pool({ instanceTypes: ['g6e.xlarge'], maxNodes: 16 }).nodegroup;
  // The node group is otherwise unchanged, and the ScalingConfig CloudFormation sends on update holds no DesiredSize.
  expect({ ...after, ScalingConfig: undefined }).toEqual({ ...before, ScalingConfig: undefined });
  expect(after.ScalingConfig).toEqual({ MinSize: 0, MaxSize: 16 });
  expect(pool({ instanceTypes: ['g6e.xlarge'], minNodes: 2, maxNodes: 4 }).nodegroup.ScalingConfig).toEqual({
    MinSize: 2,
    MaxSize: 4,
  });
});

test.each([
  [CapacityType.ON_DEMAND, 'ON_DEMAND'],
  [CapacityType.SPOT, 'SPOT'],
])('capacity %s', (capacityType, expected) => {
  expect(pool({ instanceTypes: ['g6e.xlarge'], capacityType }).nodegroup.CapacityType).toBe(expected);
});

test('a Capacity Block pool launches into its reservation', () => {
  const { nodegroup, launchTemplate } = pool({
    instanceTypes: ['p5.48xlarge'],
    capacityType: CapacityType.CAPACITY_BLOCK,
    capacityReservationId: 'cr-0123456789abcdef0',
  });
  expect(nodegroup.CapacityType).toBe('CAPACITY_BLOCK');
  expect(launchTemplate.InstanceMarketOptions).toEqual({ MarketType: 'capacity-block' });
  expect(launchTemplate.CapacityReservationSpecification).toEqual({
    CapacityReservationTarget: { CapacityReservationId: 'cr-0123456789abcdef0' },
  });
});

describe('scale from zero', () => {
  const { nodegroup, template } = pool({ instanceTypes: ['g6e.12xlarge'], diskSize: Size.gibibytes(200) });
  const expected = {
    'k8s.io/cluster-autoscaler/enabled': 'true',
    'k8s.io/cluster-autoscaler/node-template/label/ai-platform/pool': 'gpu',
    'k8s.io/cluster-autoscaler/node-template/label/ai-platform/accelerator': 'nvidia',
    'k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu': 'true:NoSchedule',
    'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '4',
    'k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage': '200Gi',
  };

  test('the node group carries the Cluster Autoscaler node-template tags', () => {
    expect(nodegroup.Tags).toMatchObject(expected);
  });

  test("a custom resource writes the same tags onto the node group's ASG", () => {
    const [, tagger] = resourcesOf(template, 'Custom::AWS').find(([id]) => id.includes('TagAsg'))!;
    const create = JSON.stringify(tagger.Properties.Update ?? tagger.Properties.Create);
    expect(create).toContain('createOrUpdateTags');
    for (const [key, value] of Object.entries(expected))
      expect(create).toContain(`\\"Key\\":\\"${key}\\",\\"Value\\":\\"${value}\\"`);
  });

  test('the tagger may tag only ASGs of this cluster, and describe only node groups of this cluster', () => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy')
      .map(([, p]) => p.Properties.PolicyDocument.Statement)
      .flat();
    const tag = policies.find((s: any) => [s.Action].flat().includes('autoscaling:CreateOrUpdateTags'));
    expect(tag.Condition.StringEquals).toEqual({
      'autoscaling:ResourceTag/eks:cluster-name': { Ref: expect.stringMatching(/^GpuCluster/) },
    });
    const describe = policies.find((s: any) => s.Action === 'eks:DescribeNodegroup');
    // arn:<partition>:eks:<region>:<account>:nodegroup/<this cluster's name>/*
    expect(describe.Resource['Fn::Join'][1].slice(-3)).toEqual([
      ':nodegroup/',
      { Ref: expect.stringMatching(/^GpuCluster/) },
      '/*',
    ]);
  });
});

describe('the tagger may write and delete only the tag keys it writes (aws:TagKeys, ForAllValues:StringLike)', () => {
  const { template } = pool({ instanceTypes: ['g6e.12xlarge'], labels: { team: 'ml' } });
  const statements = resourcesOf(template, 'AWS::IAM::Policy')
    .map(([, p]) => p.Properties.PolicyDocument.Statement)
    .flat();
  const tagging = statements.filter((s: any) =>
    [s.Action].flat().some((a: string) => /^autoscaling:(CreateOrUpdateTags|DeleteTags)$/.test(a)),
  );
  // IAM StringLike: `*` matches any run of characters, `?` one (IAM User Guide, condition operators, string).
  const like = (pattern: string, value: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(value);
  const allowed = (key: string) =>
    tagging.every((s: any) =>
      [s.Condition?.['ForAllValues:StringLike']?.['aws:TagKeys'] ?? []].flat().some((p: string) => like(p, key)),
    );
  // Every key of every tagging call the pool's custom resources make (rendered as JSON strings joined with the ASG name).
  const written = resourcesOf(template, 'Custom::AWS').flatMap(([, r]) => {
    const calls = JSON.stringify([r.Properties.Update, r.Properties.Delete]);
    return calls.includes('Tags') ? [...calls.matchAll(/\\"Key\\":\\"([^\\]+)\\"/g)].map((m) => m[1]) : [];
  });

  test('every statement that allows tagging names the keys', () => {
    expect(tagging.length).toBeGreaterThan(0);
    for (const s of tagging) expect(s.Condition['ForAllValues:StringLike']['aws:TagKeys']).toEqual(expect.any(Array));
  });
  test('every key the pool writes or deletes is allowed', () => {
    expect(written).toEqual(
      expect.arrayContaining([
        'k8s.io/cluster-autoscaler/enabled',
        'ai-platform/pool',
        'k8s.io/cluster-autoscaler/node-template/label/team',
      ]),
    );
    expect(written.filter((k) => !allowed(k))).toEqual([]);
  });
  test.each(['eks:cluster-name', 'Name', 'kubernetes.io/cluster/x', 'k8s.io/cluster-autoscaler/other'])(
    '%s is not',
    (key) => {
      expect(allowed(key)).toBe(false);
    },
  );
});

describe('a label dropped from a pool leaves its ASG', () => {
  const taggers = (labels: Record<string, string>) => {
    const { template } = pool({ instanceTypes: ['g6e.xlarge'], labels });
    return Object.fromEntries(resourcesOf(template, 'Custom::AWS').map(([id, r]) => [id, r.Properties]));
  };
  // An SDK call of a Custom::AWS resource as rendered (a JSON string, joined with the ASG name at deploy time).
  const call = (props: any, phase: 'Update' | 'Delete') => JSON.stringify(props[phase] ?? '');
  const key = (label: string) => `k8s.io/cluster-autoscaler/node-template/label/${label}`;
  const before = taggers({ team: 'ml', tier: 'gold' });
  const after = taggers({ tier: 'gold' });
  // The resource whose deletion deletes a tag key from the ASG.
  const deleterOf = (resources: Record<string, any>, label: string) =>
    Object.keys(resources).find(
      (id) =>
        call(resources[id], 'Delete').includes('deleteTags') && call(resources[id], 'Delete').includes(key(label)),
    );

  test('each user label is written by a resource whose deletion deletes that tag key (AutoScaling DeleteTags, key only)', () => {
    const id = deleterOf(before, 'tier')!;
    expect(id).toBeDefined();
    expect(call(before[id], 'Update')).toContain('createOrUpdateTags');
    expect(call(before[id], 'Update')).toContain(key('tier'));
    expect(call(before[id], 'Delete')).not.toContain('gold');
    expect(deleterOf(before, 'team')).toBeDefined();
  });

  test('removing a label (the first one) removes exactly its resource, so CloudFormation deletes the tag; the other tags stay untouched', () => {
    const removed = Object.keys(before).filter((id) => !(id in after));
    expect(removed).toEqual([deleterOf(before, 'team')]);
    for (const id of Object.keys(after)) expect(after[id]).toEqual(before[id]);
    expect(Object.keys(after)).toHaveLength(Object.keys(before).length - 1);
  });
});

test('Neuron pools advertise aws.amazon.com/neuron to the autoscaler', () => {
  expect(pool({ instanceTypes: ['inf2.24xlarge'] }).nodegroup.Tags).toMatchObject({
    'k8s.io/cluster-autoscaler/node-template/resources/aws.amazon.com/neuron': '6',
    'k8s.io/cluster-autoscaler/node-template/taint/aws.amazon.com/neuron': 'true:NoSchedule',
  });
});

describe('EFA', () => {
  const { nodegroup, launchTemplate, template } = pool({ instanceTypes: ['p5.48xlarge'], efa: true });

  test('one EFA interface per network card, in the cluster security group', () => {
    expect(launchTemplate.NetworkInterfaces).toHaveLength(32);
    expect(launchTemplate.NetworkInterfaces[0]).toMatchObject({
      DeviceIndex: 0,
      NetworkCardIndex: 0,
      InterfaceType: 'efa',
    });
    expect(launchTemplate.NetworkInterfaces[31]).toMatchObject({
      DeviceIndex: 1,
      NetworkCardIndex: 31,
      InterfaceType: 'efa',
    });
  });

  test('a cluster placement group and a single subnet', () => {
    template.hasResourceProperties('AWS::EC2::PlacementGroup', { Strategy: 'cluster' });
    expect(launchTemplate.Placement).toEqual({ GroupName: expect.anything() });
    expect(nodegroup.Subnets).toHaveLength(1);
  });

  test('the autoscaler knows the EFA interfaces, and the EFA device plugin is installed', () => {
    expect(nodegroup.Tags['k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa']).toBe('32');
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'aws-efa-k8s-device-plugin' });
  });
});

describe('tags applied from above never roll nodes', () => {
  const synth = (team: string) => {
    const { stack, gpuCluster } = clusterStack();
    new GpuNodePool(stack, 'Pool', {
      cluster: gpuCluster.cluster,
      poolName: 'train',
      instanceTypes: ['p5.48xlarge'],
      efa: true,
      maxNodes: 2,
      inheritedTagKeys: ['ai-platform'],
    });
    Tags.of(stack).add('ai-platform', 'acme');
    Tags.of(stack).add('team', team);
    const template = Template.fromStack(stack);
    const of = (type: string) => resourcesOf(template, type).filter(([id]) => id.startsWith('Pool'));
    return {
      launchTemplates: of('AWS::EC2::LaunchTemplate'),
      placementGroups: of('AWS::EC2::PlacementGroup'),
      nodegroup: of('AWS::EKS::Nodegroup')[0][1],
    };
  };
  const before = synth('ml');
  const after = synth('research');

  test('a changed tag leaves the launch template (no new version) and the placement group (no replacement) byte-identical', () => {
    expect(before.launchTemplates).toHaveLength(1);
    expect(before.placementGroups).toHaveLength(1);
    expect(JSON.stringify(after.launchTemplates)).toBe(JSON.stringify(before.launchTemplates));
    expect(JSON.stringify(after.placementGroups)).toBe(JSON.stringify(before.placementGroups));
  });

  test('the node group carries every tag (EKS: Tags update without interruption); instances only the kept ones', () => {
    expect(after.nodegroup.Properties.Tags).toMatchObject({ 'ai-platform': 'acme', team: 'research' });
    const data = before.launchTemplates[0][1].Properties.LaunchTemplateData;
    const kept = [
      { Key: 'Name', Value: 'Test/Pool/LaunchTemplate' },
      { Key: 'ai-platform', Value: 'acme' },
    ];
    expect(data.TagSpecifications).toEqual(
      ['instance', 'volume'].map((ResourceType) => ({ ResourceType, Tags: kept })),
    );
    expect(before.placementGroups[0][1].Properties.Tags).toEqual([{ Key: 'ai-platform', Value: 'acme' }]);
  });
});

test('without EFA, nodes spread over every subnet', () => {
  expect(pool({ instanceTypes: ['g6e.xlarge'] }).nodegroup.Subnets).toHaveLength(2);
});

test.each([
  [['g6e.xlarge'], AmiFamily.AL2023, ['nvidia-device-plugin']],
  [['g6e.xlarge'], AmiFamily.BOTTLEROCKET, []],
  [['inf2.xlarge'], AmiFamily.AL2023, ['neuron-helm-chart']],
  [['m7i.large'], AmiFamily.AL2023, []],
])('%s on %s installs device plugins %j', (instanceTypes, amiFamily, charts) => {
  const { template } = pool({ instanceTypes, amiFamily });
  const installed = resourcesOf(template, 'Custom::AWSCDK-EKS-HelmChart').map(([, c]) => c.Properties.Chart);
  expect(installed.sort()).toEqual(charts);
});

test('the NVIDIA device plugin runs only on nodes labelled for it, tolerating GPU taints', () => {
  const { template } = pool({ instanceTypes: ['g6e.xlarge'] });
  template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
    Chart: 'nvidia-device-plugin',
    Version: Match.stringLikeRegexp('^\\d+\\.\\d+\\.\\d+$'),
    Values: Match.serializedJson(
      Match.objectLike({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'ai-platform/device-plugin', operator: 'In', values: ['nvidia'] }] },
              ],
            },
          },
        },
        tolerations: Match.arrayWith([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]),
      }),
    ),
  });
});

test('two pools share one device plugin release', () => {
  const { stack, gpuCluster } = clusterStack();
  new GpuNodePool(stack, 'A', {
    cluster: gpuCluster.cluster,
    poolName: 'a',
    instanceTypes: ['g6.xlarge'],
    maxNodes: 1,
  });
  new GpuNodePool(stack, 'B', {
    cluster: gpuCluster.cluster,
    poolName: 'b',
    instanceTypes: ['g5.xlarge'],
    maxNodes: 1,
  });
  Template.fromStack(stack).resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 1);
});

test.each([
  [
    { instanceTypes: ['g9.xlarge'] },
    "GpuNodePool 'gpu': instanceTypes[0] ('g9.xlarge') is not in the accelerator catalog",
  ],
  [
    { instanceTypes: ['g6.xlarge', 'inf2.xlarge'] },
    'instanceTypes (["g6.xlarge","inf2.xlarge"]) must all have one accelerator vendor',
  ],
  [
    { instanceTypes: ['inf2.xlarge'], amiFamily: AmiFamily.BOTTLEROCKET },
    "amiFamily ('bottlerocket') does not support aws-neuron instances",
  ],
  [{ instanceTypes: ['g6.xlarge'], efa: true }, "instanceTypes[0] ('g6.xlarge') does not support EFA"],
  [
    { instanceTypes: ['p5.48xlarge'], capacityType: CapacityType.CAPACITY_BLOCK },
    'capacityReservationId is required with capacityType capacity-block',
  ],
  [{ instanceTypes: ['g6.xlarge'], diskSize: Size.gibibytes(10) }, 'diskSize (10) must be between 20 and 16384 GiB'],
])('used on its own, it refuses bad props with the messages the definition gives: %j', (props, message) => {
  expect(() => pool(props)).toThrow(message);
});

test('the standalone check reports every problem of the props at once, with their field names', () => {
  const problems = GpuNodePool.check({
    cluster: undefined as never,
    poolName: 'gpu',
    instanceTypes: ['g6.xlarge', 'g9.xlarge'],
    maxNodes: 0,
    minNodes: 2,
  });
  expect(problems.map((p) => p.field)).toEqual(['maxNodes', 'maxNodes', 'instanceTypes[1]']);
});

test("one description of a pool's nodes: the platform's pools use the resolved pool's, and a description of another pool is refused", () => {
  const nodes = PoolNodes.of({ poolName: 'other', instanceTypes: ['g6.xlarge'] });
  expect(() => pool({ instanceTypes: ['g6.xlarge'], nodes })).toThrow(/nodes were described for pool 'other'/);
  const same = PoolNodes.of({ poolName: 'gpu', instanceTypes: ['g6.xlarge'] });
  expect(PoolNodes.of({ poolName: 'gpu', instanceTypes: ['g6.xlarge'] }, same)).toBe(same);
});

test('the standalone check turns odd values into problems, not exceptions', () => {
  const fields = (props: Partial<GpuNodePoolProps>) =>
    GpuNodePool.check({
      cluster: undefined as never,
      poolName: 'gpu',
      instanceTypes: ['g6.xlarge'],
      maxNodes: 2,
      ...props,
    }).map((p) => `${p.field}: ${p.message}`);
  expect(fields({ diskSize: Size.mebibytes(150_000) })).toEqual([
    expect.stringMatching(/^diskSize: must be a whole number/),
  ]);
  expect(fields({ maxNodes: 2.5 })).toEqual([expect.stringMatching(/^maxNodes: must be a whole number/)]);
  expect(fields({ poolName: 'My Pool!' })).toEqual([
    expect.stringMatching(/^poolName: must be 1\.\.25 characters: lowercase letters/),
  ]);
});

test('a description of the same pool with other labels is refused, naming what differs', () => {
  const described = PoolNodes.of({ poolName: 'gpu', instanceTypes: ['g6.xlarge'], labels: { tier: 'gold' } });
  const refused = (() => {
    try {
      PoolNodes.of({ poolName: 'gpu', instanceTypes: ['g6.xlarge'] }, described);
    } catch (e) {
      return e as PlatformValidationError;
    }
    return undefined;
  })();
  expect(refused).toBeInstanceOf(PlatformValidationError);
  expect(refused!.problems.map((p) => p.field)).toEqual(['nodes.labels']);
});

// More of this domain's cases, run in this file's worker so the domain's modules load once (test time).
import './pool-permissions.cases';

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
import './pool-name.cases';
