import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { monitoringProblems } from './monitoring-checks';
import { throwIfProblems, type Problem } from '../core/problems';
import type { ContainerInsights } from './container-insights';
import { AiPlatformMetrics } from './metrics';
import type { AiMonitoringAlarms, AiMonitoringThresholds } from './alarms';
import { alarmDefinitions } from './private/alarm-table';
import { addCloudWatchRows } from './private/cloudwatch-dashboard';
import { dashboardRows } from './private/dashboard-rows';
import type { MonitoredLoadBalancer } from './load-balancer-metrics';
import type { RunObjective } from './run-rules';
import { grafanaDashboard } from './private/grafana-dashboard';
import { alarmTopic } from './private/alarm-topic';
import { budgetNotes, monthlyBudget } from './private/budget';
import { AssemblyFile } from '../core/assembly-file';

export { AiMonitoringAlarms, AiMonitoringThresholds } from './alarms';

/** A node pool as monitoring sees it. */
export interface MonitoredPool {
  readonly name: string;
  readonly instanceTypes: string[];
  /**
   * The pool's managed node group name (a plain string, e.g. `GpuNodePool.nodegroupName`), for node counts.
   * @default - no node-count line (Karpenter pools)
   */
  readonly nodegroupName?: string;
}

/**
 * An inference service as monitoring sees it. Its p99 latency is not alarmed here: vLLM reports latency as a
 * Prometheus histogram, which the CloudWatch agent drops ("Prometheus metrics with the unsupported histogram
 * metric type are dropped", CloudWatch user guide, Prometheus metrics type conversion); ManagedPrometheus
 * evaluates it as an alerting rule and sends it to this construct's topic (`acceptPrometheusAlerts`).
 */
export interface MonitoredService {
  readonly name: string;
  readonly namespace: string;
  /**
   * The ALB in front of an exposed service (`InferenceService.targetGroupPrefix` and its group's loadBalancerName):
   * a dashboard row of its requests, 5xx and p99 latency as the load balancer measures them. @default - not exposed: no ALB row
   */
  readonly loadBalancer?: MonitoredLoadBalancer;
}

/** A data-lake zone bucket as monitoring sees it. */
export interface MonitoredBucket {
  readonly zone: string;
  readonly bucketName: string;
}

/** A cost allocation tag. */
export interface CostTag {
  readonly key: string;
  readonly value: string;
}

/** Which costs the budget counts. */
export enum BudgetCostFilter {
  /**
   * Only costs carrying `costTag`. Billing sees a user tag only once it is activated as a cost allocation tag,
   * a one-time step per account that no CloudFormation resource performs (aws-cdk-lib aws-ce has only
   * AnomalyMonitor, AnomalySubscription and CostCategory; the API is ce:UpdateCostAllocationTagsStatus, and a key
   * shows up for activation only after tagged usage reaches billing data, up to 24 hours). Until then the budget
   * counts $0 and never alerts: synth warns with the command to run.
   */
  COST_TAG = 'cost-tag',
  /** Every cost of the account: right for an account dedicated to the platform, and needs no activation. */
  ACCOUNT = 'account',
}

/**
 * The cluster AiMonitoring watches: a `GpuCluster` fits as it is. Container Insights publishes the metrics
 * under the cluster's name; without something feeding them every widget and alarm stays empty.
 */
export interface MonitoredCluster {
  /** The cluster's name (a plain string keeps monitoring free of cross-stack references). */
  readonly clusterName: string;
  /** What feeds the cluster's metrics. @default - none known: synth warns */
  readonly containerInsights?: ContainerInsights;
}

/** A data pipeline's state machine, by ARN (a plain string: a name-built ARN keeps monitoring free of cross-stack references). */
export interface MonitoredPipeline {
  readonly name: string;
  readonly stateMachineArn: string;
}

/** Props of {@link AiMonitoring}. */
export interface AiMonitoringProps {
  /** Data pipelines: a dashboard row of runs, failures and duration. (Their alarms belong to `DataPipeline`.) @default - none */
  readonly pipelines?: MonitoredPipeline[];
  /**
   * Jobs a CronJob starts (training and optimization jobs): a Grafana row each (runs succeeded and failed, active
   * run, last success), read from kube-state-metrics in Managed Prometheus; the CloudWatch dashboard, which has no
   * metric of them, says where to look. Their alert rules are ManagedPrometheus's (`runObjectives`). @default - none
   */
  readonly runs?: RunObjective[];
  /** The cluster to watch. Give this or `clusterName`. @default - the cluster named by `clusterName` */
  readonly cluster?: MonitoredCluster;
  /**
   * The name of a cluster to watch, when the construct that feeds its metrics is not in this app. Synth warns
   * that nothing here shows Container Insights runs on it. @default - the name of `cluster`
   */
  readonly clusterName?: string;
  /** @default - none */
  readonly pools?: MonitoredPool[];
  /** @default - none */
  readonly services?: MonitoredService[];
  /** @default - no data section */
  readonly buckets?: MonitoredBucket[];
  /** Subscribed to the alarm topic. @default - none (the topic still exists) */
  readonly alarmEmails?: string[];
  /** An AWS Budget with forecast and actual notifications. @default - no budget */
  readonly monthlyBudgetUsd?: number;
  /**
   * Cost allocation tag the budget counts when `costFilter` is `COST_TAG`; it must be activated once in Billing
   * (see {@link BudgetCostFilter.COST_TAG}). @default - none
   */
  readonly costTag?: CostTag;
  /**
   * Which costs the budget counts. `COST_TAG` needs `costTag` and its one-time activation (synth warns);
   * `ACCOUNT` counts the whole account, for an account dedicated to the platform.
   * @default - BudgetCostFilter.COST_TAG when `costTag` is given, else BudgetCostFilter.ACCOUNT
   */
  readonly costFilter?: BudgetCostFilter;
  /** Most the platform can cost a month (every pool at maxNodes on-demand, scheduled pipelines at full capacity), shown on the dashboard. @default - not shown */
  readonly maxMonthlyComputeUsd?: number;
  /** Thresholds and durations of the alarms. @default - the defaults of AiMonitoringThresholds */
  readonly thresholds?: AiMonitoringThresholds;
  /** Which alarms to create (each can be turned off). @default - all of them */
  readonly alarms?: AiMonitoringAlarms;
  /**
   * The CloudWatch dashboard's name, and the Grafana dashboard's: synth writes the same panels as a Grafana
   * dashboard to `cdk.out/grafana/<dashboardName>.json`. @default - generated (the Grafana file is named after
   * this construct's path)
   */
  readonly dashboardName?: string;
  /** The alarm topic's name; a fixed name lets other stacks send to it without a cross-stack reference. @default - generated */
  readonly topicName?: string;
  /**
   * Let Amazon Managed Service for Prometheus alert managers of this account publish to the topic (and use
   * its key), for alerting rules such as the inference latency rules of ManagedPrometheus. @default false
   */
  readonly acceptPrometheusAlerts?: boolean;
}

/**
 * GPU-aware monitoring of an AI platform: one dashboard laid out by concern (GPUs, workloads, data, cost),
 * alarms with defaults that can be overridden (idle GPUs, GPU memory saturation, failed nodes, pods pending,
 * p99 latency and error rate per service), all sent to one KMS-encrypted SNS topic, and an AWS Budget.
 * Works from names and metrics only, so it can sit in its own stack.
 */
export class AiMonitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly dashboard: cw.Dashboard;
  public readonly alarms: Record<string, cw.Alarm> = {};
  public readonly budget?: budgets.CfnBudget;
  /** The dashboard's panels as a Grafana dashboard (JSON model), also written to `cdk.out/grafana/`. */
  public readonly grafanaDashboard: Record<string, unknown>;
  public readonly metrics: AiPlatformMetrics;
  /** The watched cluster's name. */
  public readonly clusterName: string;

  /**
   * Problems of the props (alarm emails, budget amount, threshold percentages, alarm durations), with field
   * names relative to the props; the definition reports the same rules under `monitoring`.
   */
  public static check(props: AiMonitoringProps): Problem[] {
    const t = props.thresholds ?? {};
    const minutes = (d?: Duration) =>
      d === undefined || d.isUnresolved() ? undefined : d.toMinutes({ integral: false });
    const defined = (o: Record<string, number | undefined>) =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number>;
    return monitoringProblems({
      alarmEmails: props.alarmEmails,
      monthlyBudgetUsd: props.monthlyBudgetUsd,
      percents: defined({
        'thresholds.gpuIdlePercent': t.gpuIdlePercent,
        'thresholds.gpuMemoryPercent': t.gpuMemoryPercent,
        'thresholds.errorRatePercent': t.errorRatePercent,
      }),
      minutes: defined({
        'thresholds.gpuIdleFor': minutes(t.gpuIdleFor),
        'thresholds.gpuMemoryFor': minutes(t.gpuMemoryFor),
        'thresholds.failedNodesFor': minutes(t.failedNodesFor),
        'thresholds.pendingFor': minutes(t.pendingFor),
        'thresholds.errorRateFor': minutes(t.errorRateFor),
      }),
      counts: defined({ 'thresholds.failedNodes': t.failedNodes, 'thresholds.pendingPods': t.pendingPods }),
    });
  }

  constructor(scope: Construct, id: string, props: AiMonitoringProps) {
    super(scope, id);
    throwIfProblems('AiMonitoring', AiMonitoring.check(props), this);
    if ((props.cluster === undefined) === (props.clusterName === undefined)) {
      throwIfProblems(
        'AiMonitoring',
        [
          {
            field: 'cluster',
            value: undefined,
            message:
              'or clusterName, exactly one: the cluster to watch as `cluster` (e.g. a GpuCluster) or, for a cluster outside this app, `clusterName`',
          },
        ],
        this,
      );
    }
    const clusterName = props.cluster?.clusterName ?? props.clusterName!;
    if (!props.cluster?.containerInsights) {
      Annotations.of(this).addWarningV2(
        'ai-platform:monitoring:no-metrics-source',
        `AiMonitoring watches cluster ${Token.isUnresolved(clusterName) ? '(a generated name)' : `'${clusterName}'`}, but nothing in this app feeds its Container Insights metrics: pass a GpuCluster with containerInsights (the default), or install the amazon-cloudwatch-observability add-on on it; until then the GPU and cluster widgets and alarms stay empty`,
      );
    }
    this.clusterName = clusterName;
    const m = new AiPlatformMetrics(clusterName);
    this.metrics = m;
    const pools = props.pools ?? [];
    const services = props.services ?? [];
    const buckets = props.buckets ?? [];

    // Topic: encrypted with a key CloudWatch and Budgets (and, when asked, Managed Prometheus) may use to publish.
    this.topic = alarmTopic(this, {
      clusterName,
      topicName: props.topicName,
      acceptPrometheusAlerts: props.acceptPrometheusAlerts ?? false,
      alarmEmails: props.alarmEmails ?? [],
    });

    // Alarms, from the table of named definitions (thresholds and durations are props; each can be switched off).
    for (const def of alarmDefinitions(m, services, props.thresholds, props.alarms)) {
      const alarm = new cw.Alarm(this, def.id, {
        metric: def.metric.with({ period: def.period }),
        threshold: def.threshold,
        comparisonOperator: def.comparison,
        evaluationPeriods: def.evaluationPeriods,
        alarmDescription: def.description,
        treatMissingData: def.treatMissingData,
      });
      alarm.addAlarmAction(new cwActions.SnsAction(this.topic));
      alarm.addOkAction(new cwActions.SnsAction(this.topic));
      this.alarms[def.id] = alarm;
    }

    // Budget.
    const costFilter = props.costFilter ?? (props.costTag ? BudgetCostFilter.COST_TAG : BudgetCostFilter.ACCOUNT);
    if (costFilter === BudgetCostFilter.COST_TAG && !props.costTag) {
      throwIfProblems(
        'AiMonitoring',
        [
          {
            field: 'costFilter',
            value: costFilter,
            message:
              'needs costTag (the tag key and value the budget counts); give costTag, or costFilter: BudgetCostFilter.ACCOUNT to count the whole account',
          },
        ],
        this,
      );
    }
    const budgetTag = costFilter === BudgetCostFilter.COST_TAG ? props.costTag : undefined;
    if (props.monthlyBudgetUsd !== undefined && budgetTag) {
      Annotations.of(this).addWarningV2(
        'ai-platform:monitoring:budget-cost-tag-activation',
        `The budget counts only costs tagged ${budgetTag.key}=${budgetTag.value}, and Billing ignores a tag until it is activated as a cost allocation tag: until then the budget sees $0 and never alerts. No CloudFormation resource activates it; once per account, after tagged resources have run (the key reaches billing data within 24 hours), run: aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=${budgetTag.key},Status=Active (or, in an account dedicated to the platform, set costFilter: BudgetCostFilter.ACCOUNT)`,
      );
    }
    if (props.monthlyBudgetUsd !== undefined) {
      this.budget = monthlyBudget(this, {
        clusterName,
        amountUsd: props.monthlyBudgetUsd,
        topic: this.topic,
        alarmEmails: props.alarmEmails ?? [],
        costTag: budgetTag,
      });
    }

    // One list of panels, drawn twice: the CloudWatch dashboard and a Grafana dashboard file.
    const costNotes = budgetNotes(props.monthlyBudgetUsd, budgetTag, props.maxMonthlyComputeUsd);
    const rows = dashboardRows(m, {
      pools,
      services,
      buckets,
      pipelines: props.pipelines ?? [],
      runs: props.runs ?? [],
      runAlerts: props.alarms?.runs ?? true,
      costNotes,
      alarms: Object.keys(this.alarms).length > 0,
    });
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
    });
    addCloudWatchRows(this.dashboard, rows, Object.values(this.alarms));
    const grafanaName = props.dashboardName ?? this.node.path.replace(/[^A-Za-z0-9-]+/g, '-');
    this.grafanaDashboard = grafanaDashboard(Stack.of(this), grafanaName, rows);
    new AssemblyFile(
      this,
      'GrafanaDashboard',
      () => `grafana/${grafanaName}.json`,
      () => `${JSON.stringify(this.grafanaDashboard, null, 2)}\n`,
    );
  }
}
