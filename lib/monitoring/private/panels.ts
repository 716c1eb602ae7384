import type * as cw from 'aws-cdk-lib/aws-cloudwatch';

/**
 * One line of a graph: a CloudWatch metric, and the same series as a PromQL query on Amazon Managed Service
 * for Prometheus when the metric comes from Prometheus (the inference services' scraped metrics).
 */
export interface Line {
  readonly metric: cw.IMetric;
  readonly promql?: string;
}

/** A dashboard panel, independent of the tool that draws it (CloudWatch and Grafana render the same list). */
export type Panel =
  | { readonly kind: 'header'; readonly markdown: string }
  | { readonly kind: 'text'; readonly markdown: string; readonly width: number; readonly height: number }
  | {
      readonly kind: 'graph';
      readonly title: string;
      readonly width: number;
      readonly left: Line[];
      readonly right?: Line[];
      readonly leftYAxis?: cw.YAxisProps;
      readonly stat?: boolean;
    }
  | { readonly kind: 'alarms'; readonly title: string; readonly width: number };

/** A row of panels (one `addWidgets` call of a CloudWatch dashboard). */
export type Row = Panel[];

/** Lines of CloudWatch metrics with no Prometheus twin. */
export const cwLines = (metrics: cw.IMetric[]): Line[] => metrics.map((metric) => ({ metric }));
