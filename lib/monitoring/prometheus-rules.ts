import type { Duration } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { RUN_ALERTS } from './run-rules';

// Alerting evaluated in Amazon Managed Service for Prometheus (the workspace of ManagedPrometheus): the rules and
// the alert manager live here, with the CloudWatch alarms, so every alarm and alert rule is in one domain.

/** A p99 latency objective of one inference service. */
export interface LatencyObjective {
  /** The service (its pods' `app` label). */
  readonly name: string;
  readonly namespace: string;
  /** p99 latency above which the rule fires (for 15 minutes). */
  readonly p99LatencyTarget: Duration;
}

/** vLLM's end-to-end request latency histogram (seconds), as Prometheus stores its buckets. */
export const LATENCY_HISTOGRAM = 'vllm:e2e_request_latency_seconds_bucket';

/**
 * The workspace's alert manager: every alert to one SNS topic. `sigv4.region` is required and the topic must
 * be a standard topic of the same account (Amazon Managed Service for Prometheus user guide, "Configure
 * alert manager to send messages to Amazon SNS"); the rest is Alertmanager's own configuration ("Create an alert
 * manager configuration": the same structure as standalone Prometheus). A run alert (run-rules.ts RUN_ALERTS) is sent once,
 * without the "resolved" message (`send_resolved`, true by default for SNS: Alertmanager configuration,
 * <sns_config>): it resolves by itself after its window, while the run is still failed or still not started.
 */
export function alertManagerDefinition(topicArn: string, region: string): string {
  const sns = (sendResolved: boolean) => [
    '      sns_configs:',
    `        - topic_arn: ${topicArn}`,
    ...(sendResolved ? [] : ['          send_resolved: false']),
    '          sigv4:',
    `            region: ${region}`,
  ];
  return [
    'alertmanager_config: |',
    '  route:',
    '    receiver: sns',
    '    group_by: [alertname, namespace, app]',
    '    routes:',
    '      - receiver: sns-once',
    `        matchers: ['alertname=~"${Object.values(RUN_ALERTS).join('|')}"']`,
    '  receivers:',
    '    - name: sns',
    ...sns(true),
    '    - name: sns-once',
    ...sns(false),
    '',
  ].join('\n');
}

/** One alerting rule per service: p99 of vLLM's end-to-end latency over its target for 15 minutes. */
export function latencyRules(objectives: LatencyObjective[]): string {
  return stringify({
    groups: [
      {
        name: 'inference-latency',
        rules: objectives.map((o) => ({
          alert: 'InferenceP99LatencyHigh',
          expr: `histogram_quantile(0.99, sum by (le) (rate(${LATENCY_HISTOGRAM}{namespace="${o.namespace}",app="${o.name}"}[5m]))) > ${o.p99LatencyTarget.toMilliseconds() / 1000}`,
          for: '15m',
          labels: { severity: 'warning', namespace: o.namespace, app: o.name },
          annotations: { summary: `p99 latency of ${o.name} is over ${o.p99LatencyTarget.toMilliseconds()} ms` },
        })),
      },
    ],
  });
}
