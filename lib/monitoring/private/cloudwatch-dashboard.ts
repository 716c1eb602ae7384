import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Panel, Row } from './panels';

/** The rows as CloudWatch dashboard widgets, one `addWidgets` call per row. */
export function addCloudWatchRows(dashboard: cw.Dashboard, rows: Row[], alarms: cw.IAlarm[]): void {
  for (const row of rows) dashboard.addWidgets(...row.map((p) => widget(p, alarms)));
}

function widget(p: Panel, alarms: cw.IAlarm[]): cw.IWidget {
  switch (p.kind) {
    case 'header':
      return new cw.TextWidget({ markdown: p.markdown, width: 24, height: 1 });
    case 'text':
      return new cw.TextWidget({ markdown: p.markdown, width: p.width, height: p.height });
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
