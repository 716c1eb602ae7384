import type { PlatformPlan } from './plan';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const usd2 = (x: number) => `$${x.toFixed(2)}`;
const table = (header: string[], rows: (string | number)[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
/** Mermaid node IDs: letters, digits and underscores only. */
const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * The plan as a page people read (`cdk.out/plan/<name>.md`): what each pool, workload and team uses, the idle
 * floor and the ceiling next to the budget, and a diagram of stacks → cluster → pools → workloads → data zones.
 */
export function renderPlanMarkdown(plan: PlatformPlan): string {
  const c = plan.cost;
  const idleRows: [string, number][] = [
    ['EKS control plane', c.idle.controlPlane],
    ['NAT gateways', c.idle.natGateways],
    ['Interface endpoints', c.idle.interfaceEndpoints],
    ['System nodes', c.idle.systemNodes],
    ['Pools at minNodes', c.idle.poolMinimums],
    ['KMS keys', c.idle.kmsKeys],
    ['Managed Prometheus collector', c.idle.prometheusCollector],
    ['Load balancers (ALB per visibility)', c.idle.loadBalancers],
  ];
  const budget = c.monthlyBudgetUsd === undefined ? 'no budget set' : `${usd(c.monthlyBudgetUsd)} budget`;
  const lines = [
    `# Plan: ${plan.name}`,
    '',
    `Idle floor **${usd(c.monthlyIdleUsd)}** a month · ceiling **${usd(c.monthlyCeilingUsd)}** (every pool at maxNodes on-demand, scheduled pipelines at full capacity) · ${budget}. List prices, ${c.pricesRegion} (${c.pricesAsOf}).`,
    '',
    '## Pools',
    '',
    table(
      [
        'pool',
        'provisioner',
        'instance types',
        'accelerators at maxNodes',
        'nodes min–max',
        'idle / month',
        'full scale / month',
      ],
      plan.pools.map((p) => [
        p.name,
        p.provisioner,
        p.instanceTypes.join(', '),
        p.acceleratorsAtMaxNodes,
        `${p.minNodes}–${p.maxNodes}`,
        usd(p.monthlyIdleUsd),
        usd(p.monthlyCeilingUsd),
      ]),
    ),
    '',
    '## Workloads',
    '',
    plan.workloads.length === 0
      ? '(none)'
      : table(
          [
            'workload',
            'kind',
            'pool',
            'namespace',
            'accelerators per pod',
            'pods min–max',
            'share of pool at full scale',
            'model',
          ],
          plan.workloads.map((w) => [
            w.name,
            w.kind,
            w.pool,
            w.namespace,
            w.acceleratorsPerPod,
            `${w.minPods}–${w.maxPods}`,
            `${w.poolSharePercent}%`,
            w.model ?? '–',
          ]),
        ),
    '',
    '## Training runs (training, optimization jobs and ray pipelines)',
    '',
    "A deploy starts no run: a run starts on its schedule or by its command (a Job from the job's CronJob, named with the run id).",
    '',
    plan.trainingRuns.length === 0
      ? '(none)'
      : table(
          ['job', 'starts', 'start a run now', 'writes to', 'per hour', 'longest run', 'most one run costs'],
          plan.trainingRuns.map((r) => [
            r.optimization
              ? `${r.job} (optimization of ${r.input})`
              : r.pipeline
                ? `${r.job} (ray pipeline from ${r.input})`
                : r.job,
            r.start,
            `\`${r.startCommand}\``,
            r.output ?? '–',
            usd2(r.hourlyUsd),
            r.maxHours === undefined ? 'no limit' : `${r.maxHours} h`,
            r.maxRunUsd === undefined ? 'unbounded (set maxRunHours)' : usd2(r.maxRunUsd),
          ]),
        ),
    '',
    '## Endpoints',
    '',
    plan.endpoints.length === 0
      ? '(none)'
      : table(
          ['service', 'visibility', 'URL', 'allowed from', 'auth', 'first request after idle', 'modelled cold start'],
          plan.endpoints.map((e) => [
            e.service,
            e.visibility,
            e.url,
            e.allowedCidrs.length > 0
              ? e.allowedCidrs.join(', ')
              : e.visibility === 'internet'
                ? 'any address'
                : 'the VPC',
            e.auth,
            e.firstRequest,
            e.coldStart
              ? `${e.coldStart.complete ? '' : '≥ '}${e.coldStart.detail}${e.coldStart.modelledSeconds > e.coldStart.timeoutSeconds ? ' (longer than the timeout)' : ''}`
              : '–',
          ]),
        ),
    '',
    '## Teams',
    '',
    plan.teams.length === 0
      ? '(none)'
      : table(
          ['team', 'GPU quota', 'Neuron quota', 'accelerators at full scale'],
          plan.teams.map((t) => [t.name, t.gpuQuota, t.neuronQuota, t.acceleratorsAtFullScale]),
        ),
    '',
    '## Pipelines',
    '',
    plan.pipelines.length === 0
      ? '(none)'
      : table(
          ['pipeline', 'reads', 'writes', 'trigger', 'max capacity', 'max per run', 'max per month'],
          plan.pipelines.map((p) => [
            p.name,
            p.from.join(', '),
            p.to,
            p.trigger.replace(/\|/g, '\\|'),
            `${p.maxVcpu} vCPU / ${p.maxMemoryGiB} GiB`,
            usd2(p.maxRunUsd),
            p.maxMonthlyUsd === undefined ? 'per arrival' : usd(p.maxMonthlyUsd),
          ]),
        ),
    '',
    '## Idle floor',
    '',
    table(
      ['item', 'per month'],
      [...idleRows.map(([k, v]) => [k, usd(v)]), ['**total**', `**${usd(c.monthlyIdleUsd)}**`]],
    ),
    '',
    '## Layout',
    '',
    '```mermaid',
    ...diagram(plan),
    '```',
  ];
  if (plan.warnings.length > 0) lines.push('', '## Warnings', '', ...plan.warnings.map((w) => `- ${w}`));
  return `${lines.join('\n')}\n`;
}

function diagram(plan: PlatformPlan): string[] {
  const out = ['flowchart LR'];
  out.push(`  subgraph ${id('stack', 'data')}["${plan.name}-data"]`);
  for (const z of plan.dataZones) out.push(`    ${id('zone', z.zone)}[("${z.zone}")]`);
  out.push('  end');
  out.push(`  subgraph ${id('stack', 'platform')}["${plan.name}-platform"]`);
  out.push(`    cluster(["EKS ${plan.name}"])`);
  const poolNode = (p: PlatformPlan['pools'][number]) =>
    `${id('pool', p.name)}["${p.name}: ${p.instanceTypes.join(', ')} × ${p.minNodes}–${p.maxNodes}"]`;
  const workloadNode = (w: PlatformPlan['workloads'][number]) => `${id(w.kind, w.name)}["${w.name} (${w.kind})"]`;
  for (const p of plan.pools.filter((x) => !x.stack)) out.push(`    ${poolNode(p)}`);
  for (const w of plan.workloads.filter((x) => !x.stack)) out.push(`    ${workloadNode(w)}`);
  for (const p of plan.pipelines) out.push(`    ${id('pipeline', p.name)}[["${p.name} (pipeline)"]]`);
  out.push('  end');
  // Shard stacks (pools and workloads placed by name), those that hold something.
  const shards = [
    ...new Set([...plan.pools, ...plan.workloads].map((x) => x.stack).filter((x): x is string => !!x)),
  ].sort();
  for (const stack of shards) {
    out.push(`  subgraph ${id('stack', stack)}["${stack}"]`);
    for (const p of plan.pools.filter((x) => x.stack === stack)) out.push(`    ${poolNode(p)}`);
    for (const w of plan.workloads.filter((x) => x.stack === stack)) out.push(`    ${workloadNode(w)}`);
    out.push('  end');
  }
  for (const p of plan.pools) out.push(`  cluster --> ${id('pool', p.name)}`);
  for (const w of plan.workloads) out.push(`  ${id('pool', w.pool)} --> ${id(w.kind, w.name)}`);
  out.push(
    `  subgraph ${id('stack', 'monitoring')}["${plan.name}-monitoring"]`,
    '    monitoring["dashboard, alarms, budget"]',
    '  end',
  );
  out.push('  cluster -.metrics.-> monitoring');
  for (const z of plan.dataZones) {
    const kindOf = (name: string) => plan.workloads.find((w) => w.name === name)?.kind ?? 'inference';
    for (const r of z.readers) out.push(`  ${id(kindOf(r), r)} -.reads.-> ${id('zone', z.zone)}`);
    for (const wr of z.writers) out.push(`  ${id(kindOf(wr), wr)} -.writes.-> ${id('zone', z.zone)}`);
  }
  for (const p of plan.pipelines) {
    for (const z of p.from) out.push(`  ${id('zone', z)} --> ${id('pipeline', p.name)}`);
    out.push(`  ${id('pipeline', p.name)} --> ${id('zone', p.to)}`);
  }
  return out;
}
