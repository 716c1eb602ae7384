import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { AiMonitoring, type AiMonitoringProps, type RunObjective } from '../../lib';
import { failedRunExpression, missedRunExpression, RUN_RULE_GROUP, runRules } from '../../lib/monitoring/run-rules';
import { resolveDefinition } from '../../lib/definition/resolve';
import { alertManagerDefinition } from '../../lib/monitoring/prometheus-rules';
import { runObjectives } from '../../lib/platform/map-monitoring';
import { referencePlatform } from '../../examples/reference-platform';
import { resourcesOf, testApp } from '../helpers';

/**
 * Syntax errors of a PromQL expression, by Prometheus's own grammar (@prometheus-io/lezer-promql, the parser of
 * Prometheus's web UI): the offsets of its error nodes.
 */
export function promqlErrors(expr: string): number[] {
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
    },
  });
  return errors;
}

/**
 * Every metric the kube-state-metrics v2.20.0 Job and CronJob collectors emit, with their labels beyond the
 * defaults (`namespace` + `job_name`, `namespace` + `cronjob`): internal/store/job.go and internal/store/cronjob.go.
 */
const KSM_SERIES: Record<string, string[]> = {
  kube_job_failed: ['namespace', 'job_name', 'condition'],
  kube_job_complete: ['namespace', 'job_name', 'condition'],
  kube_job_status_active: ['namespace', 'job_name'],
  kube_job_status_failed: ['namespace', 'job_name', 'reason'],
  kube_job_status_succeeded: ['namespace', 'job_name'],
  kube_job_status_start_time: ['namespace', 'job_name'],
  kube_job_status_completion_time: ['namespace', 'job_name'],
  kube_job_owner: ['namespace', 'job_name', 'owner_kind', 'owner_name', 'owner_is_controller'],
  kube_job_created: ['namespace', 'job_name'],
  kube_cronjob_next_schedule_time: ['namespace', 'cronjob'],
  kube_cronjob_status_last_schedule_time: ['namespace', 'cronjob'],
  kube_cronjob_status_last_successful_time: ['namespace', 'cronjob'],
  kube_cronjob_status_active: ['namespace', 'cronjob'],
  kube_cronjob_spec_suspend: ['namespace', 'cronjob'],
  kube_cronjob_spec_starting_deadline_seconds: ['namespace', 'cronjob'],
};

/** Each selector `metric{label="...",...}` of an expression, as metric and label names. */
function selectors(expr: string): { metric: string; labels: string[] }[] {
  return [...expr.matchAll(/([a-z_:][\w:]*)\{([^}]*)\}/g)].map((m) => ({
    metric: m[1],
    labels: [...m[2].matchAll(/(\w+)=/g)].map((l) => l[1]),
  }));
}

/** Label names a vector matching (`on (...)`) joins on. */
const joinLabels = (expr: string) => [...expr.matchAll(/on \(([^)]*)\)/g)].flatMap((m) => m[1].split(/,\s*/));

const scheduled: RunObjective = { name: 'pretrain', namespace: 'research', scheduled: true };
const manual: RunObjective = { name: 'awq', namespace: 'research', scheduled: false };

describe('alert rules of runs (Managed Prometheus rule group job-runs)', () => {
  const groups = parse(runRules([scheduled, manual])).groups;
  const rules: any[] = groups[0].rules;

  test('a failed run for every job, a missed start only for scheduled ones', () => {
    expect(groups.map((g: any) => g.name)).toEqual([RUN_RULE_GROUP]);
    expect(rules.map((r) => `${r.labels.cronjob}:${r.alert}`)).toEqual([
      'pretrain:JobRunFailed',
      'pretrain:JobRunMissed',
      'awq:JobRunFailed',
    ]);
    for (const r of rules) expect(r.labels).toMatchObject({ severity: 'warning', namespace: 'research' });
  });

  test('every expression is valid PromQL (Prometheus grammar)', () => {
    for (const r of rules)
      expect({ alert: r.alert, errors: promqlErrors(r.expr) }).toEqual({ alert: r.alert, errors: [] });
  });

  test('the checker catches a broken expression (a dropped parenthesis, a dangling operator)', () => {
    const broken = failedRunExpression(scheduled).replace(') unless', ' unless');
    expect(promqlErrors(broken)).not.toEqual([]);
    expect(promqlErrors(`${missedRunExpression(scheduled)} and`)).not.toEqual([]);
  });

  test('they read only series and labels the pinned kube-state-metrics emits, and join on labels both sides carry', () => {
    for (const r of rules) {
      for (const s of selectors(r.expr)) {
        expect(Object.keys(KSM_SERIES)).toContain(s.metric);
        for (const l of s.labels) expect(KSM_SERIES[s.metric]).toContain(l);
        for (const l of joinLabels(r.expr)) expect(KSM_SERIES[s.metric]).toContain(l);
      }
    }
  });

  test('a failed run: the CronJob owns the Job (scheduled or by hand), and it alerts only in the window after it failed', () => {
    const e = failedRunExpression(scheduled);
    expect(e).toContain('kube_job_owner{namespace="research",owner_kind="CronJob",owner_name="pretrain"}');
    expect(e).not.toContain('owner_is_controller');
    expect(e).toMatch(
      /unless on \(namespace, job_name\) \(max_over_time\(kube_job_failed\{[^}]*\}\[1h\] offset 10m\) == 1\)$/,
    );
  });

  test("a missed start: next schedule time (in the CronJob's time zone) past its starting deadline by less than an hour, not suspended", () => {
    const late = '(time() - kube_cronjob_next_schedule_time{namespace="research",cronjob="pretrain"})';
    const deadline = 'kube_cronjob_spec_starting_deadline_seconds{namespace="research",cronjob="pretrain"}';
    expect(missedRunExpression(scheduled)).toBe(
      `(${late} > on (namespace, cronjob) ${deadline}) and on (namespace, cronjob) ` +
        `(${late} < on (namespace, cronjob) (${deadline} + 3600)) and on (namespace, cronjob) ` +
        '(kube_cronjob_spec_suspend{namespace="research",cronjob="pretrain"} == 0)',
    );
  });
});

describe('Runs rows', () => {
  function dashboards(props: Partial<AiMonitoringProps>) {
    const stack = new Stack(testApp(), 'Mon');
    const m = new AiMonitoring(stack, 'Monitoring', { clusterName: 'acme-ml', runs: [scheduled, manual], ...props });
    const body = resourcesOf(Template.fromStack(stack), 'AWS::CloudWatch::Dashboard')[0][1]
      .Properties.DashboardBody['Fn::Join'][1].map((x: any) => (typeof x === 'string' ? x : 'TOKEN'))
      .join('');
    return { cloudwatch: JSON.parse(body), grafana: m.grafanaDashboard as any };
  }
  const { cloudwatch, grafana } = dashboards({});

  test('Grafana: per job, runs succeeded / failed, the active run and the last success (and the next run when scheduled)', () => {
    const titles = grafana.panels.filter((p: any) => p.datasource?.type === 'prometheus').map((p: any) => p.title);
    expect(titles).toEqual([
      'pretrain: runs succeeded / failed (Jobs kept)',
      'pretrain: active run',
      'pretrain: last success',
      'pretrain: next run',
      'awq: runs succeeded / failed (Jobs kept)',
      'awq: active run',
      'awq: last success',
    ]);
    const queries = grafana.panels.flatMap((p: any) => (p.datasource?.type === 'prometheus' ? p.targets : []));
    for (const q of queries) {
      expect(promqlErrors(q.expr)).toEqual([]);
      for (const s of selectors(q.expr)) expect(Object.keys(KSM_SERIES)).toContain(s.metric);
    }
    expect(grafana.panels.find((p: any) => p.title === 'awq: last success').fieldConfig.defaults.unit).toBe(
      'dateTimeFromNow',
    );
  });

  test('CloudWatch: no run metric exists there, so one note says where run state is, and no Runs graph', () => {
    const texts = cloudwatch.widgets.filter((w: any) => w.type === 'text').map((w: any) => w.properties.markdown);
    expect(texts).toContain('## Runs');
    const note = texts.find((t: string) => t.startsWith('Run state'));
    expect(note).toContain('`kubectl get cronjob,jobs -n research`');
    expect(note).toContain('rule group `job-runs`');
    expect(JSON.stringify(cloudwatch)).not.toContain('kube_');
    expect(grafana.panels.some((p: any) => p.options?.content?.startsWith('Run state'))).toBe(false);
  });

  test('with run alarms off the note does not promise alerts', () => {
    const off = dashboards({ alarms: { runs: false } }).cloudwatch;
    const note = off.widgets.find((w: any) => w.properties.markdown?.startsWith('Run state'));
    expect(note.properties.markdown).not.toContain('job-runs');
  });

  test('no jobs, no Runs rows', () => {
    const none = dashboards({ runs: [] });
    expect(JSON.stringify(none.cloudwatch)).not.toContain('## Runs');
    expect(none.grafana.panels.some((p: any) => p.title === 'Runs')).toBe(false);
  });
});

describe("the platform's run list (platform/map-monitoring runObjectives)", () => {
  const def = resolveDefinition(referencePlatform);

  test('every training and optimization job, scheduled or by hand', () => {
    expect(runObjectives(def)).toEqual(
      expect.arrayContaining([
        { name: 'pretrain', namespace: 'pretrain', scheduled: false },
        { name: 'finetune', namespace: 'finetune', scheduled: true },
        { name: 'awq', namespace: 'awq', scheduled: false },
      ]),
    );
    expect(runObjectives(def)).toHaveLength(def.training.length);
  });

  test('monitoring.alarms.runs: false leaves them out', () => {
    expect(runObjectives({ ...def, monitoring: { ...def.monitoring, alarms: { runs: false } } })).toEqual([]);
  });
});

test('the alert manager sends each run alert once (no "resolved" while the run is still failed), every other alert with its resolution', () => {
  const config = parse(
    parse(alertManagerDefinition('arn:aws:sns:us-east-1:123456789012:alarms', 'us-east-1')).alertmanager_config,
  );
  const alerts = parse(runRules([{ name: 'pretrain', namespace: 'research', scheduled: true }])).groups[0].rules.map(
    (r: any) => r.alert,
  );
  // Alertmanager routes an alert to the first child route whose matchers all hold (Alertmanager configuration, <route>).
  const receiverOf = (alertname: string) =>
    (config.route.routes ?? []).find((r: any) =>
      r.matchers.every((m: string) => {
        const [, label, op, value] = /^(\w+)(=~|=)"(.*)"$/.exec(m)!;
        return (
          label === 'alertname' && (op === '=' ? alertname === value : new RegExp(`^(?:${value})$`).test(alertname))
        );
      }),
    )?.receiver ?? config.route.receiver;
  const sendsResolved = (receiver: string) =>
    config.receivers.find((r: any) => r.name === receiver).sns_configs.every((c: any) => c.send_resolved !== false);
  expect(alerts).toEqual(['JobRunFailed', 'JobRunMissed']);
  for (const alert of alerts) expect([alert, sendsResolved(receiverOf(alert))]).toEqual([alert, false]);
  expect(sendsResolved(receiverOf('InferenceP99LatencyHigh'))).toBe(true);
  for (const r of config.receivers) expect(r.sns_configs[0].sigv4.region).toBe('us-east-1');
});
