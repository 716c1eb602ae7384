import { Token, Tokenization, type Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Line, Panel, Row } from './panels';

/** Grafana 11/12 dashboards' schema version (Grafana's dashboard JSON model, `schemaVersion`). */
export const GRAFANA_SCHEMA_VERSION = 39;
/** Data sources are dashboard variables, so the file imports into any workspace (Grafana, "Templates and variables"). */
const PROMETHEUS = { type: 'prometheus', uid: '${prometheus}' };
const CLOUDWATCH = { type: 'cloudwatch', uid: '${cloudwatch}' };

/**
 * The rows as a Grafana dashboard: graphs as `timeseries` (or `stat`) panels, text as `text` panels, headers as
 * `row` panels. Prometheus-born lines query Amazon Managed Service for Prometheus in PromQL; the others are
 * CloudWatch data source queries, math and SEARCH expressions in code mode referring to their metrics by `id`
 * (Amazon Managed Grafana user guide, "Using the metric query editor": Id, Period, math expressions). The
 * CloudWatch-only alarm status widget has no Grafana twin.
 */
export function grafanaDashboard(stack: Stack, title: string, rows: Row[]): Record<string, unknown> {
  const vars = new DeployTimeValues(stack);
  const panels: Record<string, unknown>[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const p of row) {
      const rendered = panel(vars, p, panels.length + 1);
      if (!rendered) continue;
      const w = p.kind === 'header' ? 24 : p.width;
      const h = p.kind === 'header' ? 1 : p.kind === 'text' ? p.height + 1 : 8;
      panels.push({ ...rendered, gridPos: { h, w, x, y } });
      x += w;
      height = Math.max(height, h);
    }
    y += height;
  }
  return {
    title,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    editable: true,
    tags: ['ai-platform'],
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'prometheus', label: 'Amazon Managed Service for Prometheus', type: 'datasource', query: 'prometheus' },
        { name: 'cloudwatch', label: 'CloudWatch', type: 'datasource', query: 'cloudwatch' },
        ...vars.variables,
      ],
    },
    panels,
  };
}

function panel(vars: DeployTimeValues, p: Panel, id: number): Record<string, unknown> | undefined {
  switch (p.kind) {
    case 'header':
      return { id, type: 'row', title: p.markdown.replace(/^#+\s*/, ''), collapsed: false, panels: [] };
    case 'text':
      if (p.only === 'cloudwatch') return undefined;
      return { id, type: 'text', title: '', options: { mode: 'markdown', content: p.markdown } };
    case 'prometheus':
      return {
        id,
        type: p.stat ? 'stat' : 'timeseries',
        title: p.title,
        datasource: PROMETHEUS,
        fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
        targets: p.queries.map((q, i) => ({
          refId: refId(i, 0),
          datasource: PROMETHEUS,
          expr: q.expr,
          legendFormat: q.legend,
        })),
      };
    case 'alarms':
      return undefined;
    case 'graph': {
      const lines = [
        ...p.left.map((l) => ({ l, axis: 'left' })),
        ...(p.right ?? []).map((l) => ({ l, axis: 'right' })),
      ];
      const targets = lines.flatMap(({ l }, i) => targetsOf(vars, l, i));
      const overrides = lines
        .filter(({ axis }) => axis === 'right')
        .map(({ l }) => ({
          matcher: { id: 'byName', options: l.metric.toMetricConfig().renderingProperties?.label ?? '' },
          properties: [{ id: 'custom.axisPlacement', value: 'right' }],
        }));
      const min = p.leftYAxis?.min;
      const max = p.leftYAxis?.max;
      return {
        id,
        type: p.stat ? 'stat' : 'timeseries',
        title: p.title,
        datasource: { type: 'datasource', uid: '-- Mixed --' },
        fieldConfig: {
          defaults: { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
          overrides,
        },
        targets,
      };
    }
  }
}

const refId = (line: number, sub: number) => `${String.fromCharCode(65 + line)}${sub > 0 ? sub : ''}`;

/** One line's queries: a PromQL query, or a CloudWatch query with the hidden metric queries its expression uses. */
function targetsOf(vars: DeployTimeValues, line: Line, index: number): Record<string, unknown>[] {
  const label = line.metric.toMetricConfig().renderingProperties?.label as string | undefined;
  if (line.promql) return [{ refId: refId(index, 0), datasource: PROMETHEUS, expr: line.promql, legendFormat: label }];
  const out: Record<string, unknown>[] = [];
  const add = (m: cw.IMetric, id: string, hide: boolean) => {
    const base = {
      refId: refId(index, out.length),
      datasource: CLOUDWATCH,
      queryMode: 'Metrics',
      region: 'default',
      id,
      hide,
    };
    if (m instanceof cw.MathExpression) {
      const expr = vars.plain(m.expression, `a value in the expression of ${m.label ?? id}`);
      out.push({
        ...base,
        metricQueryType: 0,
        metricEditorMode: 1,
        expression: expr,
        period: String(m.period.toSeconds()),
        label: m.label,
      });
      for (const [uid, used] of Object.entries(m.usingMetrics)) add(used, uid, true);
    } else if (m instanceof cw.Metric) {
      out.push({
        ...base,
        metricQueryType: 0,
        metricEditorMode: 0,
        namespace: m.namespace,
        metricName: m.metricName,
        dimensions: Object.fromEntries(
          Object.entries(m.dimensions ?? {}).map(([k, v]) => [
            k,
            vars.plain(String(v), `${k} of ${m.label ?? m.metricName}`),
          ]),
        ),
        statistic: m.statistic,
        period: String(m.period.toSeconds()),
        label: m.label,
        matchExact: true,
        ...(m.region ? { region: m.region } : {}),
      });
    }
  };
  add(line.metric, `q${index}`, false);
  return out;
}

/**
 * Values known only at deploy time (a bucket name from another stack's output, an ARN with the account in it)
 * cannot be written into a file at synth: each becomes a textbox variable of the dashboard (`$v1`, ...), to fill
 * in once after deploying; the CloudWatch data source substitutes variables in dimensions and expressions.
 */
class DeployTimeValues {
  public readonly variables: Record<string, unknown>[] = [];
  private readonly byToken = new Map<string, string>();

  constructor(private readonly stack: Stack) {}

  /** The value with each token replaced by a dashboard variable. */
  public plain(value: string, what: string): string {
    if (!Token.isUnresolved(value)) return value;
    return Tokenization.reverseString(value)
      .mapTokens({ mapToken: (t) => this.variable(t, what) })
      .join({ join: (a, b) => `${a ?? ''}${b ?? ''}` }) as string;
  }

  private variable(token: unknown, what: string): string {
    const key = JSON.stringify(this.stack.resolve(token));
    let name = this.byToken.get(key);
    if (!name) {
      name = `v${this.byToken.size + 1}`;
      this.byToken.set(key, name);
      const pseudo = /^\{"Ref":"(AWS::\w+)"\}$/.exec(key)?.[1];
      this.variables.push({
        name,
        type: 'textbox',
        label: pseudo ?? what,
        query: '',
        description: `Known at deploy time (CloudFormation: ${key}): fill in after deploying`,
      });
    }
    return `$${name}`;
  }
}
