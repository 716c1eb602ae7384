import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AiMonitoring, type AiMonitoringProps } from '../../lib';
import { resourcesOf, synthPlatform, testApp } from '../helpers';

/** A monitoring stack synthesized into its own assembly: its template and the Grafana file synth wrote. */
function synthesized(props: Partial<AiMonitoringProps> = {}) {
  const app = testApp();
  const stack = new Stack(app, 'Mon');
  const monitoring = new AiMonitoring(stack, 'Monitoring', {
    clusterName: 'acme-ml',
    dashboardName: 'acme-ml-ai-platform',
    pools: [{ name: 'inference', instanceTypes: ['g6e.xlarge'], nodegroupName: 'acme-ml-inference-0a1b2c3d' }],
    services: [
      {
        name: 'llm',
        namespace: 'serving',
        loadBalancer: { loadBalancerName: 'acme-ml-int', targetGroupPrefix: 'k8s-serving-llm-' },
      },
    ],
    buckets: [{ zone: 'raw', bucketName: 'raw-bucket' }],
    pipelines: [{ name: 'etl', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:etl' }],
    monthlyBudgetUsd: 1000,
    ...props,
  });
  const dir = app.synth().directory;
  const t = Template.fromStack(stack);
  const body = resourcesOf(t, 'AWS::CloudWatch::Dashboard')[0][1]
    .Properties.DashboardBody['Fn::Join'][1].map((x: any) => (typeof x === 'string' ? x : 'TOKEN'))
    .join('');
  return {
    monitoring,
    t,
    dir,
    cloudwatch: JSON.parse(body),
    grafanaFile: path.join(dir, 'grafana', 'acme-ml-ai-platform.json'),
  };
}

/** Metric names in a CloudWatch SEARCH expression, a PromQL query, or a metric's name. */
function namesIn(text: string): string[] {
  return [...text.matchAll(/MetricName="([^"]+)"/g), ...text.matchAll(/([A-Za-z_:][\w:]*)\{/g)].map((m) => m[1]);
}

/** Each CloudWatch metric widget: its title and the metrics it draws (names, sorted, once each). */
function cloudWatchGraphs(dashboard: any) {
  return dashboard.widgets
    .filter((w: any) => w.type === 'metric')
    .map((w: any) => ({
      title: w.properties.title,
      metrics: [
        ...new Set(
          w.properties.metrics.flatMap((row: any[]) =>
            typeof row[0] === 'string' ? [row[1]] : namesIn(row[0].expression ?? ''),
          ),
        ),
      ].sort(),
    }));
}

/** Each Grafana graph panel (timeseries or stat): its title and the metrics its queries read. */
function grafanaGraphs(dashboard: any) {
  return dashboard.panels
    .filter((p: any) => p.type === 'timeseries' || p.type === 'stat')
    .map((p: any) => ({
      title: p.title,
      metrics: [
        ...new Set(
          p.targets.flatMap((q: any) => (q.metricName ? [q.metricName] : namesIn(q.expression ?? q.expr ?? ''))),
        ),
      ].sort(),
    }));
}

describe("the Grafana dashboard draws the CloudWatch dashboard's panels", () => {
  const { cloudwatch, grafanaFile } = synthesized();
  const grafana = JSON.parse(fs.readFileSync(grafanaFile, 'utf8'));

  test('synth writes it to cdk.out/grafana/<dashboardName>.json, for a current Grafana', () => {
    expect(grafana.title).toBe('acme-ml-ai-platform');
    expect(grafana.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(grafana.templating.list.map((v: any) => [v.type, v.query])).toEqual([
      ['datasource', 'prometheus'],
      ['datasource', 'cloudwatch'],
    ]);
  });

  test('one panel per CloudWatch graph, in the same order, with the same title and the same metrics', () => {
    const cw = cloudWatchGraphs(cloudwatch);
    expect(cw.length).toBeGreaterThanOrEqual(14);
    expect(grafanaGraphs(grafana)).toEqual(cw);
  });

  test('the same headers and notes', () => {
    const cwTexts = cloudwatch.widgets.filter((w: any) => w.type === 'text').map((w: any) => w.properties.markdown);
    const headers = grafana.panels.filter((p: any) => p.type === 'row').map((p: any) => `## ${p.title}`);
    const notes = grafana.panels.filter((p: any) => p.type === 'text').map((p: any) => p.options.content);
    expect(headers).toEqual(cwTexts.filter((x: string) => x.startsWith('## ')));
    expect(notes).toEqual(cwTexts.filter((x: string) => !x.startsWith('## ')));
  });

  test('Prometheus-born metrics query Managed Prometheus in PromQL; the others CloudWatch', () => {
    const queries = grafana.panels.flatMap((p: any) => p.targets ?? []);
    const promql = queries.filter((q: any) => q.datasource.type === 'prometheus');
    expect(promql.map((q: any) => q.expr)).toContain('sum(vllm:num_requests_waiting{namespace="serving",app="llm"})');
    expect(promql.every((q: any) => /http_requests_total|vllm:/.test(q.expr))).toBe(true);
    const cwQueries = queries.filter((q: any) => q.datasource.type === 'cloudwatch');
    expect(cwQueries.length).toBeGreaterThan(0);
    expect(cwQueries.every((q: any) => !/http_requests_total|vllm:/.test(JSON.stringify(q)))).toBe(true);
    // An expression's metrics are queries of the same panel under the ids the expression names.
    for (const p of grafana.panels.filter((x: any) => x.targets)) {
      const ids = new Set(p.targets.map((q: any) => q.id));
      for (const q of p.targets.filter((x: any) => x.metricEditorMode === 1)) {
        for (const ref of (q.expression as string).replace(/SEARCH\('[^']*', '[^']*'/g, '').match(/\b[a-z]\w*\b/g) ??
          []) {
          if (!['IF', 'AND', 'PERIOD', 'SUM', 'AVG', 'Average', 'Maximum'].includes(ref)) expect(ids).toContain(ref);
        }
      }
    }
  });
});

describe("exposed services' load balancer metrics", () => {
  const { cloudwatch, t } = synthesized();

  test('a row per exposed service: ALB requests, 5xx of targets and ALB, p99 latency, found by SEARCH', () => {
    const graphs = cloudWatchGraphs(cloudwatch).filter(
      (g: any) => g.title.includes('ALB') || g.title.includes('5xx / min'),
    );
    expect(graphs).toEqual([
      { title: 'llm: ALB requests / min', metrics: ['RequestCount'] },
      { title: 'llm: 5xx / min (targets, ALB)', metrics: ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count'] },
      { title: 'llm: ALB p99 latency (s)', metrics: ['TargetResponseTime'] },
    ]);
  });

  test('no alarm is based on a SEARCH expression (CloudWatch refuses it)', () => {
    const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, a] of alarms) expect(JSON.stringify(a.Properties)).not.toContain('SEARCH(');
  });

  test('a service that is not exposed has no ALB row', () => {
    const { cloudwatch: plain } = synthesized({ services: [{ name: 'llm', namespace: 'serving' }] });
    expect(cloudWatchGraphs(plain).filter((g: any) => g.title.includes('ALB'))).toEqual([]);
  });
});

describe('alarms are named definitions, each with its thresholds and an off switch', () => {
  const stem = (id: string) => id.replace(/^Monitoring/, '').replace(/[0-9A-F]{8}$/, '');
  const alarmsOf = (t: Template) =>
    Object.fromEntries(resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => [stem(id), { id, ...a.Properties }]));
  const all = alarmsOf(synthesized().t);

  test("turning alarms off removes just those, and leaves the others' logical IDs as they were", () => {
    const some = alarmsOf(synthesized({ alarms: { gpuIdle: false, errorRate: false } }).t);
    expect(Object.keys(some).sort()).toEqual(['FailedNodes', 'GpuMemorySaturation', 'PodsPending']);
    for (const [k, a] of Object.entries(some)) expect(a.id).toBe(all[k].id);
  });

  test('with every alarm off, no alarm widget (and no Grafana twin to miss)', () => {
    const { t, cloudwatch } = synthesized({
      alarms: { gpuIdle: false, gpuMemorySaturation: false, failedNodes: false, podsPending: false, errorRate: false },
    });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(cloudwatch.widgets.filter((w: any) => w.type === 'alarm')).toEqual([]);
  });

  test('every threshold and duration is a prop', () => {
    const a = alarmsOf(
      synthesized({
        thresholds: {
          gpuMemoryFor: Duration.minutes(30),
          failedNodes: 2,
          failedNodesFor: Duration.minutes(20),
          pendingPods: 4,
          errorRateFor: Duration.minutes(5),
        },
      }).t,
    );
    expect(a.GpuMemorySaturation.EvaluationPeriods).toBe(6);
    expect(a.GpuMemorySaturation.AlarmDescription).toContain('30 minutes');
    expect(a.FailedNodes).toMatchObject({ Threshold: 2, EvaluationPeriods: 4 });
    expect(a.PodsPending.Threshold).toBe(4);
    expect(a.llmErrorRate.EvaluationPeriods).toBe(1);
  });

  test('the defaults are the alarms as they were', () => {
    expect(all.GpuMemorySaturation.EvaluationPeriods).toBe(3);
    expect(all.FailedNodes).toMatchObject({ Threshold: 1, EvaluationPeriods: 2 });
    expect(all.llmErrorRate.EvaluationPeriods).toBe(3);
  });

  test('bad thresholds are named', () => {
    const problems = AiMonitoring.check({
      clusterName: 'acme',
      thresholds: {
        failedNodes: 0,
        pendingPods: 1.5,
        gpuMemoryFor: Duration.minutes(12),
        errorRateFor: Duration.minutes(5),
      },
    });
    expect(problems.map((p) => `${p.field}=${p.value}`)).toEqual([
      'thresholds.gpuMemoryFor=12',
      'thresholds.failedNodes=0',
      'thresholds.pendingPods=1.5',
    ]);
  });
});

test('the platform writes its Grafana dashboard next to the plan, named after the CloudWatch one', () => {
  const { app, platform } = synthPlatform();
  const file = path.join(app.synth().directory, 'grafana', 'acme-ml-ai-platform.json');
  expect(JSON.parse(fs.readFileSync(file, 'utf8')).title).toBe('acme-ml-ai-platform');
  expect(platform.monitoring.grafanaDashboard.title).toBe('acme-ml-ai-platform');
});

// A file written at synth cannot hold CloudFormation intrinsics (a bucket name from the data stack's outputs, an
// ARN with the account in it): Grafana would query the literal JSON text.
test('values known only at deploy time become dashboard variables, never CloudFormation intrinsics', () => {
  const g: any = synthPlatform().platform.monitoring.grafanaDashboard;
  const targets = JSON.stringify(g.panels.flatMap((p: any) => p.targets ?? []));
  expect(targets).not.toMatch(/Fn::|"Ref"|\$\{Token\[/);
  const bucket = g.panels.find((p: any) => p.title === 'Data lake size (bytes)').targets[0].dimensions.BucketName;
  const variable = g.templating.list.find((v: any) => `$${v.name}` === bucket);
  expect(variable).toMatchObject({ type: 'textbox', label: 'BucketName of raw' });
  expect(g.templating.list.map((v: any) => v.label)).toEqual(expect.arrayContaining(['AWS::Region', 'AWS::AccountId']));
});
