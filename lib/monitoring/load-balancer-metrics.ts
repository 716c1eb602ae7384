import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { FIVE_MINUTES } from './private/metric-helpers';

/**
 * Where an exposed service's load balancer metrics are: the ALB's name (the platform fixes it with the controller's
 * `load-balancer-name`) and the start of its target group's name (`k8s-<namespace>-<service>-`, the controller's).
 */
export interface MonitoredLoadBalancer {
  /** The ALB's name: its `LoadBalancer` dimension is `app/<name>/<id>`. */
  readonly loadBalancerName: string;
  /** The start of the target group's name: its `TargetGroup` dimension is `targetgroup/<name>/<id>`. */
  readonly targetGroupPrefix: string;
}

/**
 * Metric factory of the ALBs in front of inference services (`AWS/ApplicationELB`: RequestCount,
 * HTTPCode_Target_5XX_Count and TargetResponseTime per LoadBalancer and TargetGroup, ELB user guide "CloudWatch
 * metrics for your Application Load Balancer"). The controller creates the ALB and target groups at deploy time,
 * and their dimension values end in IDs ELB assigns then, so these are SEARCH expressions over the known start of
 * each name: for dashboards only (CloudWatch user guide, "Using search expressions in graphs": an alarm cannot be
 * based on a SEARCH expression). Pure.
 */
export class LoadBalancerMetricFactory {
  private search(metricName: string, target: MonitoredLoadBalancer, statistic: string, periodSeconds: number): string {
    // Unquoted terms match consecutive tokens of a value (CloudWatch user guide, "CloudWatch search expression
    // syntax": partial matches): app/<name>/ and targetgroup/<prefix> find the IDs that follow.
    return `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="${metricName}" LoadBalancer=app/${target.loadBalancerName}/ TargetGroup=targetgroup/${target.targetGroupPrefix}', '${statistic}', ${periodSeconds})`;
  }

  /** Requests the ALB sent a service per minute. */
  public requestsPerMinute(service: string, target: MonitoredLoadBalancer): cw.MathExpression {
    return new cw.MathExpression({
      expression: `SUM(${this.search('RequestCount', target, 'Sum', 60)})`,
      label: `${service} ALB requests / min`,
      period: FIVE_MINUTES,
    });
  }

  /** 5xx answers of a service's targets per minute (the ALB's own 5xx, e.g. 504 on timeout, are `loadBalancer5xxPerMinute`). */
  public target5xxPerMinute(service: string, target: MonitoredLoadBalancer): cw.MathExpression {
    return new cw.MathExpression({
      expression: `SUM(${this.search('HTTPCode_Target_5XX_Count', target, 'Sum', 60)})`,
      label: `${service} target 5xx / min`,
      period: FIVE_MINUTES,
    });
  }

  /**
   * p99 of the time from the ALB sending a request to the service's targets until the response headers start
   * (TargetResponseTime, seconds; percentile statistics apply to it). Percentiles of several target groups cannot
   * be combined: each matching target group is a line of its own.
   */
  public latencyP99(service: string, target: MonitoredLoadBalancer): cw.MathExpression {
    return new cw.MathExpression({
      expression: this.search('TargetResponseTime', target, 'p99', 300),
      label: `${service} p99 (s)`,
      period: FIVE_MINUTES,
    });
  }

  /** 5xx the ALB itself answered per minute (e.g. 502/503 with no healthy target, 504 when a target did not answer in time). */
  public loadBalancer5xxPerMinute(loadBalancerName: string): cw.MathExpression {
    return new cw.MathExpression({
      expression: `SUM(SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="HTTPCode_ELB_5XX_Count" LoadBalancer=app/${loadBalancerName}/', 'Sum', 60))`,
      label: `${loadBalancerName} ALB 5xx / min`,
      period: FIVE_MINUTES,
    });
  }
}
