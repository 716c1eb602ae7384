import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AiMonitoring, AiPlatform, BudgetCostFilter, type AiMonitoringProps } from '../../lib';
import { leanReferenceWith, resourcesOf, synthPlatform, testApp } from '../helpers';
import { evaluate } from './metric-math';

function monitoring(props: Partial<AiMonitoringProps> = {}) {
  const stack = new Stack(testApp(), 'Mon');
  new AiMonitoring(stack, 'Monitoring', {
    clusterName: 'acme-ml',
    pools: [
      { name: 'inference', instanceTypes: ['g6e.xlarge'], nodegroupName: 'acme-ml-inference-0a1b2c3d' },
      { name: 'training', instanceTypes: ['p5.48xlarge'] },
    ],
    services: [{ name: 'llm', namespace: 'llm' }],
    buckets: [{ zone: 'raw', bucketName: 'raw-bucket' }],
    alarmEmails: ['oncall@example.com'],
    monthlyBudgetUsd: 20000,
    ...props,
  });
  const t = Template.fromStack(stack);
  const warnings = Annotations.fromStack(stack)
    .findWarning('*', Match.anyValue())
    .map((w) => String(w.entry.data));
  const alarms = Object.fromEntries(
    resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => [
      id.replace(/^Monitoring/, '').replace(/[0-9A-F]{8}$/, ''),
      a.Properties,
    ]),
  );
  // The body is a Fn::Join of JSON text and tokens (region, ARNs) that sit inside JSON strings.
  const body = resourcesOf(t, 'AWS::CloudWatch::Dashboard')[0][1]
    .Properties.DashboardBody['Fn::Join'][1].map((x: any) => (typeof x === 'string' ? x : 'TOKEN'))
    .join('');
  return { t, alarms, warnings, dashboard: JSON.parse(body) };
}

/**
 * The value of an alarm's expression `id` for one 5-minute period, given each metric's Sum (or value) in it by
 * metric name (or by name and `status`), evaluated as CloudWatch metric math would.
 */
function valueOf(alarm: any, id: string, values: Record<string, number | Record<string, number>>): number {
  const byId: Record<string, number> = {};
  for (const q of alarm.Metrics.filter((x: any) => x.MetricStat)) {
    const v = values[q.MetricStat.Metric.MetricName];
    const status = q.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'status')?.Value;
    byId[q.Id] = typeof v === 'number' ? v : (v?.[status] ?? 0);
  }
  const expr = alarm.Metrics.find((x: any) => x.Id === id);
  if (!expr.Expression) return byId[id];
  const used = alarm.Metrics.filter(
    (x: any) => x.Expression && x.Id !== id && new RegExp(`\\b${x.Id}\\b`).test(expr.Expression),
  );
  for (const q of used) byId[q.Id] = valueOf(alarm, q.Id, values);
  return evaluate(expr.Expression, byId, 300);
}

/** The one metric of a single-metric alarm, however CDK rendered it (labelled metrics render as `Metrics`). */
function metricOf(a: any) {
  if (a.MetricName)
    return {
      namespace: a.Namespace,
      name: a.MetricName,
      stat: a.Statistic ?? a.ExtendedStatistic,
      period: a.Period,
      dimensions: a.Dimensions,
    };
  const { MetricStat: m } = a.Metrics[0];
  return {
    namespace: m.Metric.Namespace,
    name: m.Metric.MetricName,
    stat: m.Stat,
    period: m.Period,
    dimensions: m.Metric.Dimensions,
  };
}

describe('alarms', () => {
  const { alarms, t } = monitoring();
  const topicRef = { Ref: resourcesOf(t, 'AWS::SNS::Topic')[0][0] };

  test('one per rule, each sending alarm and OK to the topic', () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'FailedNodes',
      'GpuIdle',
      'GpuMemorySaturation',
      'PodsPending',
      'llmErrorRate',
    ]);
    for (const a of Object.values(alarms)) {
      expect(a.AlarmActions).toEqual([topicRef]);
      expect(a.OKActions).toEqual([topicRef]);
      expect(a.TreatMissingData).toBe('notBreaching');
    }
  });

  test('GPU idle: GPUs running and utilisation under 10% for 30 minutes', () => {
    const a = alarms.GpuIdle;
    expect(a).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 6,
    });
    const expr = a.Metrics.find((x: any) => x.Expression);
    expect(expr.Expression).toBe('IF(gpus > 0 AND util < 10, 1, 0)');
    const util = a.Metrics.find((x: any) => x.Id === 'util').MetricStat;
    expect(util).toMatchObject({
      Metric: { Namespace: 'ContainerInsights', MetricName: 'node_gpu_utilization' },
      Period: 300,
      Stat: 'Average',
    });
    // GPUs running: one node of 4 GPUs publishes node_gpu_limit once a minute, 5 times in the period.
    expect(valueOf(a, 'gpus', { node_gpu_limit: 4 * 5 })).toBe(4);
  });

  test('GPU memory saturation over 95% for 15 minutes', () => {
    expect(alarms.GpuMemorySaturation).toMatchObject({
      Threshold: 95,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(metricOf(alarms.GpuMemorySaturation)).toMatchObject({
      name: 'node_gpu_memory_utilization',
      stat: 'Maximum',
      period: 300,
    });
  });

  test('failed nodes and pods pending for 15 minutes', () => {
    expect(alarms.FailedNodes).toMatchObject({ Threshold: 1, EvaluationPeriods: 2 });
    expect(metricOf(alarms.FailedNodes)).toMatchObject({ name: 'cluster_failed_node_count', stat: 'Maximum' });
    expect(alarms.PodsPending).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const pending = alarms.PodsPending.Metrics.find((x: any) => x.ReturnData !== false).Id;
    // pod_status_pending is 1 per pending pod and minute: one pod pending all 5 minutes breaches, one pending
    // for a single minute of them does not, and 3 pods pending breach as 3.
    expect(valueOf(alarms.PodsPending, pending, { pod_status_pending: 5 })).toBe(1);
    expect(valueOf(alarms.PodsPending, pending, { pod_status_pending: 1 })).toBeLessThan(1);
    expect(valueOf(alarms.PodsPending, pending, { pod_status_pending: 15 })).toBe(3);
  });

  // The CloudWatch agent drops Prometheus histograms (CloudWatch user guide, "Prometheus metrics type
  // conversion"), so no CloudWatch alarm may read vLLM's latency: it would never have data.
  test('no alarm reads a metric the CloudWatch agent never delivers (histograms)', () => {
    expect(JSON.stringify(alarms)).not.toMatch(/latency_seconds/);
  });

  test('error rate over 5%', () => {
    expect(alarms.llmErrorRate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
    // 2 server errors in 100 requests of the period: 2%.
    expect(valueOf(alarms.llmErrorRate, 'expr_1', { http_requests_total: { '2xx': 95, '4xx': 3, '5xx': 2 } })).toBe(2);
  });
});

test('thresholds can be overridden', () => {
  const { alarms } = monitoring({
    thresholds: {
      gpuIdlePercent: 25,
      gpuIdleFor: Duration.hours(1),
      gpuMemoryPercent: 90,
      errorRatePercent: 1,
      pendingFor: Duration.minutes(30),
    },
  });
  expect(alarms.GpuIdle.EvaluationPeriods).toBe(12);
  expect(alarms.GpuIdle.Metrics.find((x: any) => x.Expression).Expression).toBe('IF(gpus > 0 AND util < 25, 1, 0)');
  expect(alarms.GpuMemorySaturation.Threshold).toBe(90);
  expect(alarms.llmErrorRate.Threshold).toBe(1);
  expect(alarms.PodsPending.EvaluationPeriods).toBe(6);
});

test('the topic is KMS-encrypted, TLS-only, and the emails are subscribed', () => {
  const { t } = monitoring();
  t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  t.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
});

test('the budget matches: monthly cost limit, forecast and actual notifications to topic and emails', () => {
  const { t } = monitoring();
  const [, budget] = resourcesOf(t, 'AWS::Budgets::Budget')[0];
  expect(budget.Properties.Budget).toMatchObject({
    BudgetType: 'COST',
    TimeUnit: 'MONTHLY',
    BudgetLimit: { Amount: 20000, Unit: 'USD' },
  });
  const notes = budget.Properties.NotificationsWithSubscribers.map(
    (n: any) => `${n.Notification.NotificationType}>${n.Notification.Threshold}`,
  );
  expect(notes).toEqual(['FORECASTED>100', 'ACTUAL>80', 'ACTUAL>100']);
  for (const n of budget.Properties.NotificationsWithSubscribers) {
    expect(n.Subscribers.map((s: any) => s.SubscriptionType).sort()).toEqual(['EMAIL', 'SNS']);
  }
});

// NotificationsWithSubscribers is create-only (AWS::Budgets::Budget: "Update requires: Replacement"), and a
// replacement under the same custom name fails: the name must change exactly when the notifications do.
test("the budget's name changes with its notifications (create-only), and only with them", () => {
  const nameOf = (props: Partial<AiMonitoringProps>) =>
    resourcesOf(monitoring(props).t, 'AWS::Budgets::Budget')[0][1].Properties.Budget.BudgetName;
  const base = nameOf({});
  expect(base).toMatch(/^acme-ml-monthly-[0-9a-f]{8}$/);
  expect(nameOf({ alarmEmails: ['oncall@example.com', 'second@example.com'] })).not.toBe(base);
  expect(nameOf({ monthlyBudgetUsd: 30000 })).toBe(base);
});

// A budget filtered on a user tag counts nothing until the tag is an active cost allocation tag, which no
// CloudFormation resource can do (aws-cdk-lib aws-ce: AnomalyMonitor, AnomalySubscription, CostCategory only;
// the API is ce:UpdateCostAllocationTagsStatus, "aws ce update-cost-allocation-tags-status" in the CLI).
describe('budget cost filter', () => {
  const tag = { key: 'ai-platform', value: 'acme-ml' };
  const budgetOf = (t: Template) => resourcesOf(t, 'AWS::Budgets::Budget')[0][1].Properties.Budget;
  const activation = (w: string[]) => w.filter((x) => x.includes('ai-platform:monitoring:budget-cost-tag-activation'));

  test('by default a given tag filters the budget, and synth says how to activate it, once, by its stable id', () => {
    const { t, warnings, dashboard } = monitoring({ costTag: tag });
    expect(budgetOf(t).CostFilters).toEqual({ TagKeyValue: ['user:ai-platform$acme-ml'] });
    expect(activation(warnings)).toHaveLength(1);
    expect(activation(warnings)[0]).toContain(
      'aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=ai-platform,Status=Active',
    );
    expect(activation(warnings)[0]).toContain('$0');
    expect(JSON.stringify(dashboard)).toContain('TagKey=ai-platform,Status=Active');
  });

  test('a dedicated account counts every cost: no filter, nothing to activate', () => {
    const { t, warnings } = monitoring({ costTag: tag, costFilter: BudgetCostFilter.ACCOUNT });
    expect(budgetOf(t).CostFilters).toBeUndefined();
    expect(activation(warnings)).toEqual([]);
  });

  test('without a tag the budget counts the account, with no warning', () => {
    const { t, warnings } = monitoring();
    expect(budgetOf(t).CostFilters).toBeUndefined();
    expect(activation(warnings)).toEqual([]);
  });

  test('no warning without a budget', () => {
    expect(activation(monitoring({ costTag: tag, monthlyBudgetUsd: undefined }).warnings)).toEqual([]);
  });

  test('a tag filter without a tag is refused, naming the fields', () => {
    expect(() => monitoring({ costFilter: BudgetCostFilter.COST_TAG })).toThrow(
      /costFilter \('cost-tag'\) needs costTag.*BudgetCostFilter.ACCOUNT/,
    );
  });
});

describe('dashboard', () => {
  const { dashboard } = monitoring();
  const texts = dashboard.widgets.filter((w: any) => w.type === 'text').map((w: any) => w.properties.markdown);
  const titles = dashboard.widgets.filter((w: any) => w.type === 'metric').map((w: any) => w.properties.title);

  test('laid out by concern: GPUs, workloads, data, cost', () => {
    expect(texts.filter((x: string) => x.startsWith('## '))).toEqual(['## GPUs', '## Workloads', '## Data', '## Cost']);
  });

  test('GPU utilisation per pool', () => {
    const gpu = dashboard.widgets.find((w: any) => w.properties.title === 'GPU utilisation per pool (%)');
    const labels = JSON.stringify(gpu.properties.metrics);
    expect(labels).toContain('inference GPU %');
    expect(labels).toContain('training GPU %');
  });

  test('requests, errors, queue depth and replicas per service; latency pointed at Prometheus', () => {
    expect(titles).toEqual(
      expect.arrayContaining(['llm: requests / min', 'llm: errors (%)', 'llm: queue depth', 'llm: replicas']),
    );
    expect(texts.join('\n')).toContain('histogram_quantile(0.99');
  });

  test('node counts per pool by node group name (SEARCH), none for pools without one', () => {
    const nodes = dashboard.widgets.find((w: any) => w.properties.title === 'Nodes per pool');
    expect(JSON.stringify(nodes.properties.metrics)).toContain('AutoScalingGroupName=eks-acme-ml-inference-0a1b2c3d');
  });

  test("without a managed node group, the nodes widget counts the cluster's nodes, not its GPUs", () => {
    const { dashboard: d } = monitoring({ pools: [{ name: 'training', instanceTypes: ['p5.48xlarge'] }] });
    const nodes = d.widgets.find((w: any) => w.properties.title === 'Nodes per pool');
    expect(JSON.stringify(nodes.properties.metrics)).toContain('cluster_node_count');
    expect(JSON.stringify(nodes.properties.metrics)).not.toContain('node_gpu_limit');
  });

  test('data lake size and errors; cost with the budget', () => {
    expect(titles).toEqual(
      expect.arrayContaining([
        'Data lake size (bytes)',
        'Data lake server errors',
        'Estimated charges (USD, month to date)',
      ]),
    );
    expect(texts.join('\n')).toContain('Monthly budget: **$20,000**');
  });
});

describe('in the reference platform', () => {
  const { platform } = synthPlatform();
  const t = Template.fromStack(platform.monitoringStack);

  test("its own monitoring stack, with the definition's budget and emails", () => {
    expect(platform.monitoringStack.stackName).toBe('acme-ml-monitoring');
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({ BudgetLimit: { Amount: 20000, Unit: 'USD' } }),
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'oncall@example.com' });
  });

  test('metrics come in through the CloudWatch observability add-on with its own Pod Identity role', () => {
    const pt = Template.fromStack(platform.platformStack);
    pt.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'amazon-cloudwatch-observability',
      AddonVersion: Match.stringLikeRegexp('^v\\d+\\.\\d+\\.\\d+-eksbuild\\.\\d+$'),
      PodIdentityAssociations: [{ ServiceAccount: 'cloudwatch-agent', RoleArn: Match.anyValue() }],
      ConfigurationValues: Match.stringLikeRegexp('accelerated_compute_metrics'),
    });
  });
});

test('the definition overrides alarm thresholds', () => {
  const platform = new AiPlatform(testApp(), 'AiPlatform', {
    definition: leanReferenceWith((d) => {
      Object.assign(d.monitoring, {
        gpuIdleThresholdPercent: 20,
        gpuIdleMinutes: 60,
        gpuMemoryThresholdPercent: 90,
        errorRateThresholdPercent: 2,
        pendingPodsMinutes: 30,
        pendingPods: 3,
        gpuMemoryMinutes: 30,
        failedNodes: 2,
        failedNodesMinutes: 20,
        errorRateMinutes: 5,
        alarms: { gpuIdle: false },
      });
    }),
  });
  const alarms = platform.monitoring.alarms;
  // Switched off in the definition: no such alarm; the others stay.
  expect(Object.keys(alarms)).not.toContain('GpuIdle');
  expect(Object.keys(alarms)).toEqual(expect.arrayContaining(['GpuMemorySaturation', 'FailedNodes', 'PodsPending']));
  const t = Template.fromStack(platform.monitoringStack);
  const props = (a: keyof typeof alarms) =>
    resourcesOf(t, 'AWS::CloudWatch::Alarm').find(
      ([id]) => id === platform.monitoringStack.getLogicalId(alarms[a].node.defaultChild as never),
    )![1].Properties;
  expect(props('GpuMemorySaturation').Threshold).toBe(90);
  expect(props('GpuMemorySaturation').EvaluationPeriods).toBe(6);
  expect(props('llm-ErrorRate').Threshold).toBe(2);
  expect(props('llm-ErrorRate').EvaluationPeriods).toBe(1);
  expect(props('PodsPending').EvaluationPeriods).toBe(6);
  expect(props('PodsPending').Threshold).toBe(3);
  expect(props('FailedNodes').Threshold).toBe(2);
  expect(props('FailedNodes').EvaluationPeriods).toBe(4);

  // The GPU-idle thresholds (switched off above) on the smallest platform with a GPU pool.
  const idle = new AiPlatform(testApp(), 'AiPlatform', {
    definition: {
      name: 'idle',
      nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 1 }],
      monitoring: { gpuIdleThresholdPercent: 20, gpuIdleMinutes: 60 },
    },
  });
  const it = Template.fromStack(idle.monitoringStack);
  const gpuIdle = resourcesOf(it, 'AWS::CloudWatch::Alarm').find(
    ([id]) => id === idle.monitoringStack.getLogicalId(idle.monitoring.alarms.GpuIdle.node.defaultChild as never),
  )![1].Properties;
  expect(gpuIdle.EvaluationPeriods).toBe(12);
  expect(JSON.stringify(gpuIdle.Metrics)).toContain('util < 20');
});

test('without a monitoring block: dashboard and alarms to a topic with no subscribers, no budget', () => {
  const platform = new AiPlatform(testApp(), 'AiPlatform', {
    definition: leanReferenceWith((d) => {
      delete d.monitoring;
    }),
  });
  const t = Template.fromStack(platform.monitoringStack);
  t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  t.resourceCountIs('AWS::SNS::Topic', 1);
  t.resourceCountIs('AWS::SNS::Subscription', 0);
  t.resourceCountIs('AWS::Budgets::Budget', 0);
  expect(resourcesOf(t, 'AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(5);
});

// acceptPrometheusAlerts defaults to false: no AMP principal on the topic or its key unless asked for.
test('the topic admits Managed Prometheus only when asked', () => {
  const { t } = monitoring();
  expect(JSON.stringify(t.toJSON())).not.toContain('aps.amazonaws.com');
  expect(JSON.stringify(monitoring({ acceptPrometheusAlerts: true }).t.toJSON())).toContain('aps.amazonaws.com');
});

test('the standalone check names every problem of the props, as the definition does', () => {
  const problems = AiMonitoring.check({
    clusterName: 'acme',
    alarmEmails: ['oncall'],
    monthlyBudgetUsd: 0,
    thresholds: { gpuIdlePercent: 120, pendingFor: Duration.minutes(7) },
  });
  expect(problems.map((p) => p.field)).toEqual([
    'alarmEmails[0]',
    'monthlyBudgetUsd',
    'thresholds.gpuIdlePercent',
    'thresholds.pendingFor',
  ]);
});

// More of this domain's cases, run in this file's worker so the domain's modules load once (test time).
import './container-insights.cases';
import './metrics.cases';
import './dashboards.cases';
import './run-rules.cases';
