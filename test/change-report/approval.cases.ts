import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AiPlatformDefinition } from '../../lib';
import { reviewChanges } from '../../lib/change-report/approval';
import { compareAssemblies, type AssemblyTemplates } from '../../lib/change-report/change-report';
import { synthAssembly } from './synth-assembly';

// What `approval: on-replacement` asks a person about, on real assemblies of a small platform: three synths
// (a baseline, a pool replaced, an image rolled), each compared with the baseline.
const small = (change: (d: any) => void = () => undefined): AiPlatformDefinition => {
  const d: any = {
    name: 'ap-ml',
    nodePools: [{ name: 'serve', instanceTypes: ['g6e.xlarge'], maxNodes: 2 }],
    inference: [{ name: 'chat', image: 'vllm/vllm-openai:v0.11.0', nodePool: 'serve', maxReplicas: 2 }],
  };
  change(d);
  return d;
};

let dir: string;
const synth = (name: string, definition: AiPlatformDefinition) => synthAssembly(dir, name, definition);
let base: AssemblyTemplates;
let replaced: AssemblyTemplates;
let rolled: AssemblyTemplates;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'approval-'));
  base = synth('base', small());
  replaced = synth(
    'replaced',
    small((d) => (d.nodePools[0].instanceTypes = ['g6e.2xlarge'])),
  );
  rolled = synth(
    'rolled',
    small((d) => (d.inference[0].image = 'vllm/vllm-openai:v0.11.1')),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a pool's replacement needs the approval, and says why", () => {
  const review = reviewChanges(compareAssemblies('ap-ml', 'base', base, replaced));
  expect(review.approvalNeeded).toBe(true);
  expect(review.because).toEqual([expect.stringMatching(/^\[ap-ml-pools(?:-\d+)?\] GPU pool `serve` is replaced: /)]);
});

test('an in-place image roll needs none', () => {
  const report = compareAssemblies('ap-ml', 'base', base, rolled);
  // The roll is in the report (an update), but it neither replaces nor removes nodes, data or an endpoint.
  expect(report.stacks.flatMap((s) => s.changes).map((c) => [c.item, c.kind])).toContainEqual([
    'inference:chat',
    'updated',
  ]);
  expect(reviewChanges(report)).toEqual({ approvalNeeded: false, because: [] });
});
