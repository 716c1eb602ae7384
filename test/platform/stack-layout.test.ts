import { Stack, type CfnElement } from 'aws-cdk-lib';
import { AiPlatform, resolveDefinition, type AiPlatformDefinition } from '../../lib';
import { layoutStacks } from '../../lib/platform/stack-layout';
import { referencePlatform } from '../../examples/reference-platform';
import { multiTeamPlatform } from '../../examples/multi-team';
import { testApp } from '../helpers';

// Large definitions overflow into further stacks along a stable seam (lib/platform/stack-layout.ts): CloudFormation
// takes at most 500 resources and 1 MB per template, and an existing resource must never move between stacks
// (or change its logical ID) because the definition grew.

function large(pools: number, services: number, teams = 20): AiPlatformDefinition {
  const types = [['g6e.xlarge'], ['g5.2xlarge'], ['g6.xlarge', 'g6.2xlarge'], ['inf2.xlarge'], ['g6.12xlarge']];
  return {
    name: 'scale-ml',
    cluster: { endpointAccess: 'private' as never },
    nodePools: Array.from({ length: pools }, (_, i) => ({ name: `pool-${i}`, instanceTypes: types[i % types.length], maxNodes: 20 })),
    teams: Array.from({ length: teams }, (_, i) => ({ name: `team-${i}`, gpuQuota: 400, neuronQuota: 400 })),
    inference: Array.from({ length: services }, (_, i) => ({
      name: `svc-${i}`, image: 'vllm/vllm-openai:v0.11.0', nodePool: `pool-${i % pools}`, team: `team-${i % teams}`, maxReplicas: 2,
      dataAccess: i % 3 === 0 ? [{ zone: 'models', access: 'read' as never }] : [],
    })),
  };
}

/** Where each node group is: its stack and logical ID. */
function nodegroupPlaces(definition: AiPlatformDefinition): Record<string, string> {
  const platform = new AiPlatform(testApp(), 'AiPlatform', { definition });
  return Object.fromEntries(Object.entries(platform.nodePools).map(([name, pool]) => {
    const cfn = pool.nodegroup.node.defaultChild as CfnElement;
    return [name, `${Stack.of(cfn).stackName}/${Stack.of(cfn).getLogicalId(cfn)}`];
  }));
}

test.each([['reference', referencePlatform], ['multi-team', multiTeamPlatform]])('the %s example stays in the platform stack', (_n, definition) => {
  const layout = layoutStacks(resolveDefinition(definition));
  expect([...layout.pools.values(), ...layout.workloads.values()].filter((shard) => shard !== 0)).toEqual([]);
});

// CI synthesizes (and cfn-lints) the full 100 pools, 100 services and 20 teams (.ci/scale-definition.js); the
// stack quota check fails that synth if any stack passes a limit. Here a smaller split keeps npm test fast.
test('a split platform: every stack within 500 resources, 200 outputs and 1 MB', () => {
  const app = testApp();
  new AiPlatform(app, 'AiPlatform', { definition: large(24, 50) });
  const assembly = app.synth();
  expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
    'scale-ml-data', 'scale-ml-monitoring', 'scale-ml-platform', 'scale-ml-pools-2', 'scale-ml-workloads-2',
  ]);
  for (const s of assembly.stacks) {
    const bytes = Buffer.byteLength(JSON.stringify(s.template));
    expect([s.stackName, Object.keys(s.template.Resources ?? {}).length <= 500, Object.keys(s.template.Outputs ?? {}).length <= 200, bytes <= 1_000_000])
      .toEqual([s.stackName, true, true, true]);
  }
}, 60_000);

test('appending pools and services to a split definition moves nothing that was there', () => {
  const before = nodegroupPlaces(large(20, 10));
  const after = nodegroupPlaces(large(26, 20));
  for (const [name, place] of Object.entries(before)) expect([name, after[name]]).toEqual([name, place]);
  expect(new Set(Object.values(before).map((p) => p.split('/')[0])).size).toBeGreaterThan(1); // it did split
});

test('adding pools never moves a workload, and adding workloads never moves a pool', () => {
  const base = layoutStacks(resolveDefinition(large(60, 60)));
  const morePools = layoutStacks(resolveDefinition(large(90, 60)));
  const moreWorkloads = layoutStacks(resolveDefinition(large(60, 100)));
  expect(morePools.workloads).toEqual(base.workloads);
  expect(moreWorkloads.pools).toEqual(base.pools);
});

test('a template over CloudFormation\'s 1 MB quota is named after synthesis (the only time its size is known)', () => {
  const stacks = (sizes: number[]) => ({ stacksRecursively: sizes.map((n, i) => ({ stackName: `s${i}`, template: { Description: 'x'.repeat(n) } })) }) as never;
  expect(AiPlatform.templateSizeProblems(stacks([10, 999_000]))).toEqual([]);
  const problems = AiPlatform.templateSizeProblems(stacks([10, 1_000_100]));
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^stack s1 is 1000 KB; CloudFormation takes templates of at most 1000 KB/);
});
