import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Panel, Row } from './panels';

/** The rows as CloudWatch dashboard widgets, one `addWidgets` call per row (Grafana-only panels left out). */
export function addCloudWatchRows(dashboard: cw.Dashboard, rows: Row[], alarms: cw.IAlarm[]): void {
  for (const row of rows) {
    const widgets = row.flatMap((p) => widget(p, alarms) ?? []);
    if (widgets.length > 0) dashboard.addWidgets(...widgets);
  }
}

function widget(p: Panel, alarms: cw.IAlarm[]): cw.IWidget | undefined {
  switch (p.kind) {
    case 'header':
      return new cw.TextWidget({ markdown: p.markdown, width: 24, height: 1 });
    case 'text':
      if (p.only === 'grafana') return undefined;
      return new cw.TextWidget({ markdown: p.markdown, width: p.width, height: p.height });
    case 'prometheus':
      return undefined;
    case 'alarms':
      return new cw.AlarmStatusWidget({ title: p.title, width: p.width, alarms });
    case 'graph':
      return new cw.GraphWidget({
        title: p.title,
        width: p.width,
        leftYAxis: p.leftYAxis,
        left: p.left.map((l) => l.metric),
        right: p.right?.map((l) => l.metric),
      });
  }
}
