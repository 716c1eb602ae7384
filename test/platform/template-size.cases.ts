import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { AiPlatform, type AiPlatformDefinition } from '../../lib';
import { estimateTemplateBytes } from '../../lib/platform/stack-limits';
import { shardOf, WORKLOAD_STACKS } from '../../lib/platform/stack-layout';
import { synthPlatform } from '../helpers';

// CloudFormation takes templates of at most 1 MB (1,000,000 bytes; TemplateBody/TemplateURL:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). The size is
// estimated at validation, from what each stack's elements hold, so a definition that would pass it is refused
// before any template is written.

const cdkJson = require('../../cdk.json');

function appIn(outdir: string): App {
  return new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: { ...cdkJson.context, 'aws:cdk:disable-asset-staging': true },
  });
}

test('the estimate is within 3% of each written template of the reference platform (and 100 bytes of an empty shard)', () => {
  // The reference this test file already built (synthPlatform caches it); synth() writes its templates once.
  const { app, platform } = synthPlatform();
  const assembly = app.synth();
  const stacks = [platform.platformStack, platform.dataStack, platform.monitoringStack, ...platform.shardStacks];
  for (const stack of stacks) {
    const written = Buffer.byteLength(readFileSync(join(assembly.directory, stack.templateFile)));
    const estimate = estimateTemplateBytes(stack).bytes;
    expect([stack.stackName, Math.abs(estimate - written) <= Math.max(100, 0.03 * written)]).toEqual([
      stack.stackName,
      true,
    ]);
  }
});

test('a definition whose few jobs carry long commands would pass 1 MB: synth is refused, naming the jobs, and writes no template', () => {
  // Three training jobs whose names hash to the same workloads shard (a handful of resources, far under 500),
  // each with about 400 KB of command-line arguments.
  const names = Array.from({ length: 50 }, (_, i) => `job-${i}`)
    .filter((n) => shardOf(n, WORKLOAD_STACKS) === 1)
    .slice(0, 3);
  const definition: AiPlatformDefinition = {
    name: 'long-ml',
    cluster: { endpointAccess: 'private' as never },
    nodePools: [{ name: 'train', instanceTypes: ['g6e.xlarge'], maxNodes: 2 }],
    training: names.map((name) => ({
      name,
      image: 'vllm/vllm-openai:v0.11.0',
      nodePool: 'train',
      command: ['train.py', ...Array.from({ length: 4000 }, (_, i) => `--arg-${i}=${'x'.repeat(90)}`)],
    })),
  };
  const outdir = mkdtempSync(join(tmpdir(), 'size-'));
  const app = appIn(outdir);
  new AiPlatform(app, 'AiPlatform', { definition });
  expect(() => app.synth()).toThrow(
    /stack long-ml-workloads-1 would be about \d+ KB; CloudFormation takes templates of at most 1000 KB \(largest: Training-job-\d+ \d+ KB, Training-job-\d+ \d+ KB, Training-job-\d+ \d+ KB; nodePools: 1, inference: 0, training: 3/,
  );
  expect(readdirSync(outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
});
