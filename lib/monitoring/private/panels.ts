import type * as cw from 'aws-cdk-lib/aws-cloudwatch';

/**
 * One line of a graph: a CloudWatch metric, and the same series as a PromQL query on Amazon Managed Service
 * for Prometheus when the metric comes from Prometheus (the inference services' scraped metrics).
 */
export interface Line {
  readonly metric: cw.IMetric;
  readonly promql?: string;
}

/** A PromQL query of a Grafana-only panel, with its legend. */
export interface PromQuery {
  readonly expr: string;
  readonly legend: string;
}

/**
 * A dashboard panel, independent of the tool that draws it (CloudWatch and Grafana render the same list). A text
 * panel may be for one tool only (`only`); a `prometheus` panel has no CloudWatch metric behind it (kube-state-metrics
 * series exist only in Managed Prometheus), so only Grafana draws it.
 */
export type Panel =
  | { readonly kind: 'header'; readonly markdown: string }
  | {
      readonly kind: 'text';
      readonly markdown: string;
      readonly width: number;
      readonly height: number;
      readonly only?: 'cloudwatch' | 'grafana';
    }
  | {
      readonly kind: 'prometheus';
      readonly title: string;
      readonly width: number;
      readonly queries: PromQuery[];
      readonly stat?: boolean;
      /** Grafana's unit id, e.g. `dateTimeFromNow`. @default - none */
      readonly unit?: string;
    }
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
