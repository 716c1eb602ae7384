import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { FIVE_MINUTES } from './private/metric-helpers';

/** Metric factory of the data lake's zone buckets (S3 storage and request metrics). Pure. */
export class DataLakeMetricFactory {
  /** Bytes stored in a bucket (daily). */
  public bucketSize(label: string, bucketName: string): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/S3',
      metricName: 'BucketSizeBytes',
      statistic: 'Average',
      period: Duration.days(1),
      dimensionsMap: { BucketName: bucketName, StorageType: 'StandardStorage' },
      label,
    });
  }

  /** Server errors of a bucket (request metrics filter `EntireBucket`). */
  public bucketServerErrors(label: string, bucketName: string): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/S3',
      metricName: '5xxErrors',
      statistic: 'Sum',
      period: FIVE_MINUTES,
      dimensionsMap: { BucketName: bucketName, FilterId: 'EntireBucket' },
      label,
    });
  }
}

/** Metric factory of the data pipelines' state machines. Pure. */
export class PipelineMetricFactory {
  /**
   * A data pipeline's state machine metric (AWS/States, dimension StateMachineArn; Step Functions developer
   * guide, "Monitoring Step Functions metrics"): e.g. `ExecutionsStarted`, `ExecutionsFailed`, `ExecutionTime`.
   */
  public pipelineRuns(
    metricName: string,
    pipeline: string,
    stateMachineArn: string,
    statistic: string = 'Sum',
  ): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/States',
      metricName,
      dimensionsMap: { StateMachineArn: stateMachineArn },
      statistic,
      period: Duration.hours(1),
      label: pipeline,
    });
  }
}

/** Metric factory of the account's cost. Pure. */
export class CostMetricFactory {
  /** Month-to-date estimated charges of the account (published in us-east-1 only). */
  public estimatedCharges(): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/Billing',
      metricName: 'EstimatedCharges',
      statistic: 'Maximum',
      period: Duration.hours(6),
      dimensionsMap: { Currency: 'USD' },
      region: 'us-east-1',
      label: 'estimated charges (USD, month to date)',
    });
  }
}
