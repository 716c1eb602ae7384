import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { AiPlatformMetrics } from '../metrics';
import type { MonitoredLoadBalancer } from '../load-balancer-metrics';
import { cwLines, type Row } from './panels';
import { InferencePromQL as Q, RunPromQL as R } from './promql';
import { RUN_RULE_GROUP, type RunObjective } from '../run-rules';

/** What the dashboard shows (AiMonitoring's props, defaults applied). */
export interface DashboardContent {
  readonly pools: { readonly name: string; readonly instanceTypes: string[]; readonly nodegroupName?: string }[];
  readonly services: {
    readonly name: string;
    readonly namespace: string;
    readonly loadBalancer?: MonitoredLoadBalancer;
  }[];
  readonly buckets: { readonly zone: string; readonly bucketName: string }[];
  readonly pipelines: { readonly name: string; readonly stateMachineArn: string }[];
  /** Jobs a CronJob starts. */
  readonly runs: RunObjective[];
  /** Whether their alert rules exist (AiMonitoringAlarms.runs). */
  readonly runAlerts: boolean;
  /** The cost notes (markdown). */
  readonly costNotes: string;
  /** Whether there are alarms to show the state of. */
  readonly alarms: boolean;
}

const header = (markdown: string): Row => [{ kind: 'header', markdown }];

/**
 * Exposed services as their load balancer sees them (AWS/ApplicationELB, found by SEARCH on the names the platform
 * and the controller give): requests, 5xx (the targets' and the ALB's own) and p99 latency, one row a service.
 */
function loadBalancerRows(m: AiPlatformMetrics, services: DashboardContent['services']): Row[] {
  const exposed = services.filter((s) => s.loadBalancer !== undefined);
  if (exposed.length === 0) return [];
  const rows: Row[] = [
    header('## Endpoints (load balancer)'),
    [
      {
        kind: 'text',
        width: 24,
        height: 2,
        markdown:
          "From the ALB's own metrics, found by SEARCH: CloudWatch alarms cannot use SEARCH, and Metrics Insights alarms have no percentiles, so the p99 alarm stays the Prometheus rule group `inference-latency`. Services held at zero share the interceptor's target group prefix: their lines show together.",
      },
    ],
  ];
  for (const { name, loadBalancer: lb } of exposed) {
    rows.push([
      {
        kind: 'graph',
        title: `${name}: ALB requests / min`,
        width: 8,
        left: cwLines([m.loadBalancer.requestsPerMinute(name, lb!)]),
      },
      {
        kind: 'graph',
        title: `${name}: 5xx / min (targets, ALB)`,
        width: 8,
        left: cwLines([
          m.loadBalancer.target5xxPerMinute(name, lb!),
          m.loadBalancer.loadBalancer5xxPerMinute(lb!.loadBalancerName),
        ]),
      },
      {
        kind: 'graph',
        title: `${name}: ALB p99 latency (s)`,
        width: 8,
        left: cwLines([m.loadBalancer.latencyP99(name, lb!)]),
      },
    ]);
  }
  return rows;
}

/**
 * Runs of CronJob-launched jobs, one row a job, from kube-state-metrics in Managed Prometheus: Grafana draws them.
 * No CloudWatch metric holds Job or CronJob state, so the CloudWatch dashboard says where to look instead.
 */
function runRows(c: DashboardContent): Row[] {
  if (c.runs.length === 0) return [];
  const namespaces = [...new Set(c.runs.map((r) => r.namespace))];
  const alerts = c.runAlerts
    ? ` Failed runs, and scheduled runs that did not start, alert through the Managed Prometheus rule group \`${RUN_RULE_GROUP}\` to this topic.`
    : '';
  const rows: Row[] = [
    header('## Runs'),
    [
      {
        kind: 'text',
        only: 'cloudwatch',
        width: 24,
        height: 2,
        markdown: `Run state (Jobs and CronJobs) is not a CloudWatch metric: it is in the Grafana dashboard's Runs rows (kube-state-metrics in Managed Prometheus), or \`${namespaces.map((ns) => `kubectl get cronjob,jobs -n ${ns}`).join('`, `')}\`.${alerts}`,
      },
    ],
  ];
  for (const o of c.runs) {
    const width = o.scheduled ? 6 : 8;
    rows.push([
      {
        kind: 'prometheus',
        title: `${o.name}: runs succeeded / failed (Jobs kept)`,
        width,
        queries: [
          { expr: R.succeeded(o), legend: 'succeeded' },
          { expr: R.failed(o), legend: 'failed' },
        ],
      },
      { kind: 'prometheus', title: `${o.name}: active run`, width, queries: [{ expr: R.active(o), legend: 'active' }] },
      {
        kind: 'prometheus',
        title: `${o.name}: last success`,
        width,
        stat: true,
        unit: 'dateTimeFromNow',
        queries: [{ expr: R.lastSuccess(o), legend: 'last success' }],
      },
      ...(o.scheduled
        ? [
            {
              kind: 'prometheus' as const,
              title: `${o.name}: next run`,
              width,
              stat: true,
              unit: 'dateTimeFromNow',
              queries: [{ expr: R.nextRun(o), legend: 'next run' }],
            },
          ]
        : []),
    ]);
  }
  return rows;
}

/** The dashboard, by concern (GPUs, workloads, data, pipelines, cost, alarms), as rows of panels. */
export function dashboardRows(m: AiPlatformMetrics, c: DashboardContent): Row[] {
  const rows: Row[] = [header('## GPUs')];
  const poolGpus = c.pools
    .filter((p) => p.instanceTypes.length > 0)
    .map((p) => m.cluster.poolGpuUtilization(p.name, p.instanceTypes));
  rows.push([
    {
      kind: 'graph',
      title: 'GPU utilisation per pool (%)',
      width: 12,
      leftYAxis: { min: 0, max: 100 },
      left: cwLines([m.cluster.gpuUtilization(), ...poolGpus]),
    },
    {
      kind: 'graph',
      title: 'GPU memory (%) and GPUs running',
      width: 12,
      left: cwLines([m.cluster.gpuMemoryUtilization()]),
      right: cwLines([m.cluster.gpusAvailable()]),
    },
  ]);
  const poolNodes = c.pools.filter((p) => p.nodegroupName).map((p) => m.cluster.poolNodes(p.name, p.nodegroupName!));
  rows.push([
    {
      kind: 'graph',
      title: 'Nodes per pool',
      width: 12,
      left: cwLines(poolNodes.length > 0 ? poolNodes : [m.cluster.clusterNodes()]),
    },
    { kind: 'graph', title: 'Failed nodes', width: 12, left: cwLines([m.cluster.failedNodes()]) },
  ]);
  rows.push(header('## Workloads'));
  rows.push([
    {
      kind: 'graph',
      title: 'Pods pending / failed',
      width: 24,
      left: cwLines([m.cluster.pendingPods(), m.cluster.failedPods()]),
    },
  ]);
  if (c.services.length > 0) {
    rows.push([
      {
        kind: 'text',
        width: 24,
        height: 2,
        markdown:
          'p99 latency is a Prometheus histogram: it is alerted on by the Amazon Managed Prometheus rule group `inference-latency` (to this topic) and queried there, e.g. `histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{app="<service>"}[5m])))`.',
      },
    ]);
  }
  for (const { name, namespace: ns } of c.services) {
    const perMinute = (status: '2xx' | '5xx') => ({
      metric: m.inference.requestsPerMinute(ns, name, status),
      promql: Q.requestsPerMinute(ns, name, status),
    });
    rows.push([
      { kind: 'graph', title: `${name}: requests / min`, width: 6, left: [perMinute('2xx'), perMinute('5xx')] },
      {
        kind: 'graph',
        title: `${name}: errors (%)`,
        width: 6,
        left: [{ metric: m.inference.errorRate(ns, name), promql: Q.errorRate(ns, name) }],
      },
      {
        kind: 'graph',
        title: `${name}: queue depth`,
        width: 6,
        left: [{ metric: m.inference.queueDepth(ns, name), promql: Q.queueDepth(ns, name) }],
      },
      { kind: 'graph', title: `${name}: replicas`, width: 6, left: cwLines([m.inference.replicas(ns, name)]) },
    ]);
  }
  rows.push(...loadBalancerRows(m, c.services));
  rows.push(...runRows(c));
  if (c.buckets.length > 0) {
    rows.push(header('## Data'));
    rows.push([
      {
        kind: 'graph',
        title: 'Data lake size (bytes)',
        width: 12,
        left: cwLines(c.buckets.map((b) => m.dataLake.bucketSize(b.zone, b.bucketName))),
      },
      {
        kind: 'graph',
        title: 'Data lake server errors',
        width: 12,
        left: cwLines(c.buckets.map((b) => m.dataLake.bucketServerErrors(b.zone, b.bucketName))),
      },
    ]);
  }
  if (c.pipelines.length > 0) {
    const sfn = (metricName: string, statistic?: string): cw.IMetric[] =>
      c.pipelines.map((p) => m.pipelines.pipelineRuns(metricName, p.name, p.stateMachineArn, statistic));
    rows.push(header('## Pipelines'));
    rows.push([
      { kind: 'graph', title: 'Pipeline runs', width: 8, left: cwLines(sfn('ExecutionsStarted')) },
      {
        kind: 'graph',
        title: 'Pipeline failures and timeouts',
        width: 8,
        left: cwLines(
          c.pipelines.flatMap((p) =>
            ['ExecutionsFailed', 'ExecutionsTimedOut'].map((n) =>
              m.pipelines.pipelineRuns(n, p.name, p.stateMachineArn),
            ),
          ),
        ),
      },
      { kind: 'graph', title: 'Pipeline duration (ms, max)', width: 8, left: cwLines(sfn('ExecutionTime', 'Maximum')) },
    ]);
  }
  rows.push(header('## Cost'));
  rows.push([
    {
      kind: 'graph',
      title: 'Estimated charges (USD, month to date)',
      width: 12,
      left: cwLines([m.cost.estimatedCharges()]),
      stat: true,
    },
    { kind: 'text', markdown: c.costNotes, width: 12, height: 6 },
  ]);
  if (c.alarms) rows.push([{ kind: 'alarms', title: 'Alarms', width: 24 }]);
  return rows;
}
