import { Stack } from 'aws-cdk-lib';
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
  const panels: Record<string, unknown>[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const p of row) {
      const rendered = panel(stack, p, panels.length + 1);
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
    title, schemaVersion: GRAFANA_SCHEMA_VERSION, editable: true, tags: ['ai-platform'],
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [
      { name: 'prometheus', label: 'Amazon Managed Service for Prometheus', type: 'datasource', query: 'prometheus' },
      { name: 'cloudwatch', label: 'CloudWatch', type: 'datasource', query: 'cloudwatch' },
    ] },
    panels,
  };
}

function panel(stack: Stack, p: Panel, id: number): Record<string, unknown> | undefined {
  switch (p.kind) {
    case 'header': return { id, type: 'row', title: p.markdown.replace(/^#+\s*/, ''), collapsed: false, panels: [] };
    case 'text': return { id, type: 'text', title: '', options: { mode: 'markdown', content: p.markdown } };
    case 'alarms': return undefined;
    case 'graph': {
      const lines = [...p.left.map((l) => ({ l, axis: 'left' })), ...(p.right ?? []).map((l) => ({ l, axis: 'right' }))];
      const targets = lines.flatMap(({ l }, i) => targetsOf(stack, l, i));
      const overrides = lines.filter(({ axis }) => axis === 'right').map(({ l }) => ({
        matcher: { id: 'byName', options: l.metric.toMetricConfig().renderingProperties?.label ?? '' },
        properties: [{ id: 'custom.axisPlacement', value: 'right' }],
      }));
      const min = p.leftYAxis?.min;
      const max = p.leftYAxis?.max;
      return {
        id, type: p.stat ? 'stat' : 'timeseries', title: p.title, datasource: { type: 'datasource', uid: '-- Mixed --' },
        fieldConfig: { defaults: { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }, overrides },
        targets,
      };
    }
  }
}

const refId = (line: number, sub: number) => `${String.fromCharCode(65 + line)}${sub > 0 ? sub : ''}`;

/** One line's queries: a PromQL query, or a CloudWatch query with the hidden metric queries its expression uses. */
function targetsOf(stack: Stack, line: Line, index: number): Record<string, unknown>[] {
  const label = line.metric.toMetricConfig().renderingProperties?.label as string | undefined;
  if (line.promql) return [{ refId: refId(index, 0), datasource: PROMETHEUS, expr: line.promql, legendFormat: label }];
  const out: Record<string, unknown>[] = [];
  const add = (m: cw.IMetric, id: string, hide: boolean) => {
    const base = { refId: refId(index, out.length), datasource: CLOUDWATCH, queryMode: 'Metrics', region: 'default', id, hide };
    if (m instanceof cw.MathExpression) {
      const expr = stack.resolve(m.expression) as string;
      out.push({ ...base, metricQueryType: 0, metricEditorMode: 1, expression: expr, period: String(m.period.toSeconds()), label: m.label });
      for (const [uid, used] of Object.entries(m.usingMetrics)) add(used, uid, true);
    } else if (m instanceof cw.Metric) {
      out.push({
        ...base, metricQueryType: 0, metricEditorMode: 0, namespace: m.namespace, metricName: m.metricName,
        dimensions: stack.resolve(m.dimensions ?? {}), statistic: m.statistic, period: String(m.period.toSeconds()),
        label: m.label, matchExact: true, ...(m.region ? { region: m.region } : {}),
      });
    }
  };
  add(line.metric, `q${index}`, false);
  return out;
}
