import { findInstance, HOURS_PER_MONTH, planPlatform, resolveDefinition } from '../../lib';
import { referenceWith } from '../helpers';

const plan = planPlatform(resolveDefinition(referenceWith()));

test('pool capacity at maxNodes and the monthly on-demand ceiling', () => {
  expect(plan.pools.map((p) => [p.name, p.acceleratorsAtMaxNodes])).toEqual([['inference', 8], ['training', 32]]);
  const p5 = findInstance('p5.48xlarge')!.onDemandHourlyUsd;
  expect(plan.pools[1].monthlyCeilingUsd).toBe(Math.round(4 * p5 * HOURS_PER_MONTH));
});

test('each workload\'s share of its pool at full scale', () => {
  expect(plan.workloads).toEqual([
    expect.objectContaining({ kind: 'inference', name: 'llm', acceleratorsPerPod: 1, minPods: 1, maxPods: 6, poolSharePercent: 75 }),
    expect.objectContaining({ kind: 'training', name: 'pretrain', acceleratorsPerPod: 8, minPods: 2, maxPods: 2, poolSharePercent: 50 }),
  ]);
});

test('the total ceiling adds the system nodes and names the price date', () => {
  const poolSum = plan.pools.reduce((n, p) => n + p.monthlyCeilingUsd, 0);
  expect(Math.abs(plan.cost.monthlyCeilingUsd - poolSum - plan.cost.systemNodesUsd)).toBeLessThanOrEqual(2);
  expect(plan.cost.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

test('a budget below the ceiling is a warning, not an error', () => {
  expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^monitoring\.monthlyBudgetUsd \(20000\) is below what the node pools can cost/)]));
  const generous = planPlatform(resolveDefinition(referenceWith((d) => { d.monitoring.monthlyBudgetUsd = 10_000_000; })));
  expect(generous.warnings.some((w) => w.startsWith('monitoring.monthlyBudgetUsd'))).toBe(false);
});
