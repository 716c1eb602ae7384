// Loads the compiled package (dist/, from `npm run build`) in plain Node, as a consumer would, and
// synthesizes a small platform with it. Exits non-zero on any failure.
const { App } = require('aws-cdk-lib');
const lib = require('../../dist/index.js');

const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:disable-asset-staging': true } });
const platform = new lib.AiPlatform(app, 'Smoke', {
  definition: {
    name: 'smoke-ml',
    nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 4 }],
    inference: [{ name: 'svc', image: 'vllm/vllm-openai:v0.11.0', nodePool: 'gpu' }],
    training: [
      {
        name: 'ray-job',
        image: 'rayproject/ray:2.49.0-gpu',
        nodePool: 'gpu',
        engine: 'ray',
        command: ['python', 'train.py'],
      },
    ],
  },
});
const assembly = app.synth();
const stacks = assembly.stacks.map((s) => s.stackName).sort();
const expected = [
  'smoke-ml-data',
  'smoke-ml-monitoring',
  'smoke-ml-platform',
  ...[1, 2, 3, 4].flatMap((k) => [`smoke-ml-pools-${k}`, `smoke-ml-workloads-${k}`]),
].sort();
if (JSON.stringify(stacks) !== JSON.stringify(expected)) throw new Error(`unexpected stacks ${stacks}`);
if (!platform.charts['training-ray-job']) throw new Error('the RayJob chart is missing');
console.log(`dist smoke test: 1 passed, 0 failed (${stacks.join(', ')})`);
