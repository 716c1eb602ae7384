import { GpuNodePool, KarpenterNodePool } from '../../lib';
import { validateDefinition } from '../../lib/definition/resolve';
import { clusterStack, referenceWith } from '../helpers';

// One pool-name rule, three callers: the definition (`nodePools[i].name`), GpuNodePool and KarpenterNodePool
// (`poolName`). Each must give the same answer and the same message for every name, and the answer the
// services' limits ask for: the name is a node label value and a Karpenter NodePool name (DNS-1123, 63
// characters) and, after the platform's name (up to 28) and before `-<8-digit digest>`, part of an EKS node group
// name (1..63; AWS::EKS::Nodegroup NodegroupName): at most 63 - 29 - 9 = 25 characters.
const NAMES: [string, boolean][] = [
  ['a', true],
  ['gpu', true],
  ['g1', true],
  ['a-b', true],
  ['a--b', true],
  ['a'.repeat(24), true],
  ['a'.repeat(25), true],
  ['a'.repeat(26), false],
  ['a'.repeat(40), false],
  ['', false],
  ['1gpu', false],
  ['-gpu', false],
  ['gpu-', false],
  ['Gpu', false],
  ['gpu_1', false],
  ['gpu.1', false],
  ['gpu pool', false],
  ['system', false],
  ['system2', true],
  ['my-system', true],
];

function definitionSays(name: string): string[] {
  return validateDefinition(
    referenceWith((d) => {
      d.nodePools[0].name = name;
    }),
  )
    .filter((p) => p.path === 'nodePools[0].name')
    .map((p) => p.message);
}

function gpuNodePoolSays(name: string): string[] {
  return GpuNodePool.check({ cluster: undefined as any, poolName: name, instanceTypes: ['g6e.xlarge'], maxNodes: 2 })
    .filter((p) => p.field === 'poolName')
    .map((p) => p.message);
}

function karpenterNodePoolSays(name: string): string[] {
  return KarpenterNodePool.check({
    poolName: name,
    instanceTypes: ['g6e.xlarge'],
    maxNodes: 2,
    nodeRoleName: 'r',
    subnetSelectorTags: {},
    securityGroupSelectorTags: {},
  })
    .filter((p) => p.field === 'poolName')
    .map((p) => p.message);
}

test.each(NAMES)(
  'pool name %j: valid %s, the same answer from the definition, GpuNodePool and KarpenterNodePool',
  (name, valid) => {
    const answers = {
      definition: definitionSays(name),
      gpuNodePool: gpuNodePoolSays(name),
      karpenterNodePool: karpenterNodePoolSays(name),
    };
    expect(answers.definition.length === 0).toBe(valid);
    expect(answers).toEqual({
      definition: answers.definition,
      gpuNodePool: answers.definition,
      karpenterNodePool: answers.definition,
    });
  },
);

test('system is refused as reserved, saying why', () => {
  expect(gpuNodePoolSays('system')).toEqual([
    expect.stringMatching(
      /^is reserved for the cluster's system nodes: operators select nodes labelled ai-platform\/pool=system/,
    ),
  ]);
  expect(
    validateDefinition(
      referenceWith((d) => {
        d.nodePools[0].name = 'system';
      }),
    ),
  ).toContainEqual(
    expect.objectContaining({
      path: 'nodePools[0].name',
      value: 'system',
      message: expect.stringMatching(/^is reserved/),
    }),
  );
});

test('the longest pool name after the longest prefix makes a node group name EKS accepts (1..63)', () => {
  const { stack, gpuCluster } = clusterStack();
  const pool = new GpuNodePool(stack, 'Pool', {
    cluster: gpuCluster.cluster,
    poolName: 'a'.repeat(25),
    nodegroupNamePrefix: 'p'.repeat(28),
    instanceTypes: ['g6e.xlarge'],
    maxNodes: 2,
  });
  expect(pool.nodegroupName).toMatch(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,62}$/);
  expect(
    GpuNodePool.check({
      cluster: gpuCluster.cluster,
      poolName: 'gpu',
      nodegroupNamePrefix: 'p'.repeat(29),
      instanceTypes: ['g6e.xlarge'],
      maxNodes: 2,
    }),
  ).toEqual([
    expect.objectContaining({
      field: 'nodegroupNamePrefix',
      message: expect.stringMatching(/^must be 1\.\.28 letters/),
    }),
  ]);
});

test('every platform name the definition accepts is a node group name prefix GpuNodePool accepts (AiPlatform prefixes its pools with it)', () => {
  const accepted = (length: number) =>
    !validateDefinition(
      referenceWith((d) => {
        d.name = 'a'.repeat(length);
      }),
    ).some((p) => p.path === 'name');
  let longest = 0;
  for (let length = 1; length <= 64; length++) if (accepted(length)) longest = length;
  expect(longest).toBeGreaterThan(0);
  expect(
    GpuNodePool.check({
      cluster: undefined as any,
      poolName: 'a'.repeat(25),
      nodegroupNamePrefix: 'a'.repeat(longest),
      instanceTypes: ['g6e.xlarge'],
      maxNodes: 2,
    }),
  ).toEqual([]);
});
