import { validateDefinition } from '../../lib/definition/resolve';
import type { AiPlatformDefinition } from '../../lib/definition/types';

// Optimization jobs: training's rules under `optimizations[i]`, names shared with the other workloads, and the
// input and output zones of the lake.
const base = (change: (d: any) => void = () => undefined): AiPlatformDefinition => {
  const d: any = {
    name: 'opt-ml',
    nodePools: [{ name: 'gpu', instanceTypes: ['g6.12xlarge'], maxNodes: 2 }],
    optimizations: [
      {
        name: 'awq',
        image: 'example.com/llm-compressor:1',
        command: ['python', 'quantize.py'],
        nodePool: 'gpu',
        input: { zone: 'models', path: 'llama-3-8b/2026-12-06' },
        output: { zone: 'models', path: 'llama-3-8b-awq' },
      },
    ],
  };
  change(d);
  return d;
};
const problemsAt = (d: AiPlatformDefinition, under: string) =>
  validateDefinition(d)
    .filter((p) => p.path.startsWith(under))
    .map((p) => [p.path, p.value, p.message]);

test('an optimization as in the issue is valid', () => {
  expect(validateDefinition(base())).toEqual([]);
});

test('its zones must be the lake’s, its paths normalized', () => {
  const d = base((x) => {
    x.optimizations[0].input.zone = 'weights';
    x.optimizations[0].output.path = '/abs/';
  });
  expect(problemsAt(d, 'optimizations[0]')).toEqual([
    ['optimizations[0].output.path', '/abs/', expect.stringContaining('normalized path')],
    ['optimizations[0].input.zone', 'weights', 'must be a data-lake zone: raw, curated, features, models'],
  ]);
});

test('an input is required', () => {
  const problems = validateDefinition(base((x) => delete x.optimizations[0].input));
  expect(problems.map((p) => p.path)).toEqual(['optimizations[0].input']);
});

test('an optimization and a training job cannot share a name (one namespace and service account each)', () => {
  const d = base((x) => (x.training = [{ name: 'awq', image: 'trainer:1', nodePool: 'gpu' }]));
  expect(problemsAt(d, 'optimizations')).toEqual([
    [
      'optimizations[0].name',
      'awq',
      'must be unique among inference services, training and optimization jobs and ray pipelines',
    ],
  ]);
});

test("its pool and team are checked as training's, under its own path", () => {
  const d = base((x) => Object.assign(x.optimizations[0], { nodePool: 'cpu', team: 'ml' }));
  expect(problemsAt(d, 'optimizations[0]').map(([p]) => p)).toEqual([
    'optimizations[0].team',
    'optimizations[0].nodePool',
    // No pool, no accelerators to default to (as a training job's).
    'optimizations[0].gpusPerNode',
  ]);
});
