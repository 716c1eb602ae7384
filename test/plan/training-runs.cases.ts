import { findInstance } from '../../lib/catalog/accelerators';
import { resolveDefinition } from '../../lib/definition/resolve';
import { planPlatform } from '../../lib/plan/plan';
import { renderPlanMarkdown } from '../../lib/plan/plan-report';
import { referenceWith } from '../helpers';

// Per training job: how runs start (no deploy starts one), where a run writes, and what one run may cost at most:
// nodes × the pool's dearest on-demand price × the hours a run may hold them (maxRunHours per attempt; a PyTorch run
// makes up to 1 + 3 attempts, JobSet failurePolicy.maxRestarts; a Ray run is bounded as a whole).
const p5 = findInstance('p5.48xlarge')!.onDemandHourlyUsd;

test('a scheduled job with an output and a run-time limit: its schedule, its versioned prefix, its ceiling', () => {
  const plan = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.training[0].schedule = { cron: '0 3 * * 0', timeZone: 'Europe/Berlin' };
        d.training[0].output = { zone: 'models', path: 'llama-3-8b' };
        d.training[0].maxRunHours = 6;
      }),
    ),
  );
  const hourly = Math.round(100 * 2 * p5) / 100;
  expect(plan.trainingRuns.filter((r) => r.job === 'pretrain')).toEqual([
    {
      job: 'pretrain',
      start: 'schedule 0 3 * * 0 (Europe/Berlin)',
      startCommand: 'kubectl -n pretrain create job --from=cronjob/pretrain pretrain-$(date -u +%Y%m%d%H%M)',
      output: 'models/llama-3-8b/<run id>/',
      hourlyUsd: hourly,
      maxHours: 24,
      maxRunUsd: Math.round(100 * hourly * 24) / 100,
    },
  ]);
  expect(plan.dataZones.find((z) => z.zone === 'models')!.writers).toContain('pretrain');
  const md = renderPlanMarkdown(plan);
  expect(md).toContain('## Training runs');
  expect(md).toContain('| pretrain | schedule 0 3 * * 0 (Europe/Berlin) | `kubectl -n pretrain create job');
});

test('a manual job without a limit: started by hand, its cost per hour, unbounded per run', () => {
  const [run] = planPlatform(resolveDefinition(referenceWith())).trainingRuns;
  expect(run).toMatchObject({ start: 'by hand', hourlyUsd: Math.round(100 * 2 * p5) / 100 });
  expect(run.maxRunUsd).toBeUndefined();
  expect(renderPlanMarkdown(planPlatform(resolveDefinition(referenceWith())))).toContain('unbounded (set maxRunHours)');
});

test('a Ray run is bounded as a whole: one attempt', () => {
  const [run] = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        Object.assign(d.training[0], { engine: 'ray', command: ['python', 'train.py'], maxRunHours: 6 });
      }),
    ),
  ).trainingRuns;
  expect(run.maxHours).toBe(6);
});

test('an optimization is a run of the table, marked with what it reads; its zones read and written', () => {
  const plan = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.optimizations = [
          {
            name: 'awq',
            image: 'example.com/llm-compressor:1',
            nodePool: 'training',
            gpusPerNode: 1,
            maxRunHours: 2,
            input: { zone: 'curated', path: 'llama-3-8b/2026-12-06' },
            output: { zone: 'models', path: 'llama-3-8b-awq' },
          },
        ];
      }),
    ),
  );
  const hourly = Math.round(100 * p5) / 100;
  expect(plan.trainingRuns.find((r) => r.job === 'awq')).toEqual({
    job: 'awq',
    optimization: true,
    input: 'curated/llama-3-8b/2026-12-06/',
    start: 'by hand',
    startCommand: 'kubectl -n awq create job --from=cronjob/awq awq-$(date -u +%Y%m%d%H%M)',
    output: 'models/llama-3-8b-awq/<run id>/',
    hourlyUsd: hourly,
    maxHours: 8,
    maxRunUsd: Math.round(100 * hourly * 8) / 100,
  });
  expect(plan.dataZones.find((z) => z.zone === 'curated')!.readers).toContain('awq');
  expect(plan.dataZones.find((z) => z.zone === 'models')!.writers).toContain('awq');
  expect(renderPlanMarkdown(plan)).toContain('| awq (optimization of curated/llama-3-8b/2026-12-06/) | by hand |');
});
