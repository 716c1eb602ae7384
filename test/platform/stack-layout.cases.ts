import { Stack, type CfnElement } from 'aws-cdk-lib';
import { AiPlatform, type AiPlatformDefinition } from '../../lib';
import { resolveDefinition } from '../../lib/definition/resolve';
import { layoutStacks } from '../../lib/platform/stack-layout';
import { referencePlatform } from '../../examples/reference-platform';
import { synthPlatform, testApp } from '../helpers';

// Pools and workloads live in shard stacks chosen by their names (lib/platform/stack-layout.ts): CloudFormation
// takes at most 500 resources and 1 MB per template, and an existing resource must never move between stacks
// (or change its logical ID) because the definition grew, shrank or was reordered.

function large(pools: number, services: number, teams = 20): AiPlatformDefinition {
  const types = [['g6e.xlarge'], ['g5.2xlarge'], ['g6.xlarge', 'g6.2xlarge'], ['inf2.xlarge'], ['g6.12xlarge']];
  return {
    name: 'scale-ml',
    cluster: { endpointAccess: 'private' as never },
    nodePools: Array.from({ length: pools }, (_, i) => ({
      name: `pool-${i}`,
      instanceTypes: types[i % types.length],
      maxNodes: 20,
    })),
    teams: Array.from({ length: teams }, (_, i) => ({ name: `team-${i}`, gpuQuota: 400, neuronQuota: 400 })),
    inference: Array.from({ length: services }, (_, i) => ({
      name: `svc-${i}`,
      image: 'vllm/vllm-openai:v0.11.0',
      nodePool: `pool-${i % pools}`,
      team: `team-${i % teams}`,
      maxReplicas: 2,
      dataAccess: i % 3 === 0 ? [{ zone: 'models', access: 'read' as never }] : [],
    })),
  };
}

/** Where each node group is: its stack and logical ID. */
function nodegroupPlaces(definition: AiPlatformDefinition): Record<string, string> {
  const platform = new AiPlatform(testApp(), 'AiPlatform', { definition });
  return Object.fromEntries(
    Object.entries(platform.nodePools).map(([name, pool]) => {
      const cfn = pool.nodegroup.node.defaultChild as CfnElement;
      return [name, `${Stack.of(cfn).stackName}/${Stack.of(cfn).getLogicalId(cfn)}`];
    }),
  );
}

test('every shard stack is synthesized; one with nothing in it has no resources, so the CDK CLI skips or deletes it', () => {
  const { app, platform } = synthPlatform(referencePlatform);
  const assembly = app.synth();
  const names = assembly.stacks.map((s) => s.stackName).sort();
  expect(names).toEqual(
    [
      'acme-ml-data',
      'acme-ml-monitoring',
      'acme-ml-platform',
      ...[1, 2, 3, 4].map((k) => `acme-ml-pools-${k}`),
      ...[1, 2, 3, 4].map((k) => `acme-ml-workloads-${k}`),
    ].sort(),
  );
  const used = new Set(Object.values(platform.nodePools).map((p) => Stack.of(p).stackName));
  for (const s of assembly.stacks.filter((x) => /-pools-/.test(x.stackName))) {
    // An empty shard: no resource at all (not even CDKMetadata), which is what the CLI tests for.
    expect([s.stackName, Object.keys(s.template.Resources ?? {}).length > 0]).toEqual([
      s.stackName,
      used.has(s.stackName),
    ]);
  }
  // Shards read the platform stack weakly (Fn::GetStackOutput): the platform stack exports nothing a shard locks.
  for (const s of assembly.stacks)
    expect([s.stackName, JSON.stringify(s.template).includes('Fn::ImportValue')]).toEqual([s.stackName, false]);
});

test("a pool's or workload's stack depends on its name only: removing from the middle, reordering and appending move nothing else", () => {
  const base = large(30, 40);
  const shuffled = (d: AiPlatformDefinition): AiPlatformDefinition => ({
    ...d,
    nodePools: [...d.nodePools!].reverse(),
    inference: [...d.inference!].reverse(),
  });
  const removed = (d: AiPlatformDefinition): AiPlatformDefinition => ({
    ...d,
    nodePools: d.nodePools!.filter((p) => p.name !== 'pool-3'),
    inference: d.inference!.filter((w) => w.name !== 'svc-3' && w.nodePool !== 'pool-3'),
  });
  const before = layoutStacks(resolveDefinition(base));
  for (const after of [
    layoutStacks(resolveDefinition(shuffled(base))),
    layoutStacks(resolveDefinition(removed(base))),
    layoutStacks(resolveDefinition(large(45, 60))),
  ]) {
    for (const [name, shard] of after.pools)
      if (before.pools.has(name)) expect([name, shard]).toEqual([name, before.pools.get(name)]);
    for (const [name, shard] of after.workloads)
      if (before.workloads.has(name)) expect([name, shard]).toEqual([name, before.workloads.get(name)]);
  }
  expect(new Set(before.pools.values()).size).toBe(4); // the names do spread over every shard
});

test('node group logical IDs and stacks survive removing a pool from the middle of the list', () => {
  const before = nodegroupPlaces(large(12, 4));
  const def = large(12, 4);
  const after = nodegroupPlaces({
    ...def,
    nodePools: def.nodePools!.filter((p) => p.name !== 'pool-5'),
    inference: def.inference!.filter((w) => w.nodePool !== 'pool-5'),
  });
  delete before['pool-5'];
  expect(after).toEqual(before);
});

// Every stack within CloudFormation's 500 resources, 200 outputs and 1 MB: CI synthesizes (and cfn-lints) the
// scale definition, 100 pools, 100 services and 20 teams (.ci/scale-definition.js), and the stack quota check
// fails that synth if a stack passes a limit; 4 shards each keep it under about 270 resources and 400 KB.

test("a written template over CloudFormation's 1 MB quota is also named after synthesis (a second line behind the estimate at validation)", () => {
  const stacks = (sizes: number[]) =>
    ({
      stacksRecursively: sizes.map((n, i) => ({ stackName: `s${i}`, template: { Description: 'x'.repeat(n) } })),
    }) as never;
  expect(AiPlatform.templateSizeProblems(stacks([10, 999_000]))).toEqual([]);
  const problems = AiPlatform.templateSizeProblems(stacks([10, 1_000_100]));
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^stack s1 is 1000 KB; CloudFormation takes templates of at most 1000 KB/);
});
