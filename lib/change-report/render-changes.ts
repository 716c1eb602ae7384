import type { ChangeReport } from './change-report';

const STATUS = { added: 'new stack', removed: 'leaves the app', changed: 'changes', unchanged: 'no change' } as const;

/** The change report as Markdown: refused changes first, then each stack's changes in the platform's words. */
export function renderChangeMarkdown(report: ChangeReport): string {
  const lines = [
    `# What this change does to ${report.name}`,
    '',
    `Compared with the assembly in \`${report.baseline}\`.`,
    '',
  ];
  const refused = report.refusals.filter((r) => r.allowed === undefined);
  const accepted = report.refusals.filter((r) => r.allowed !== undefined);
  if (refused.length > 0) {
    lines.push('## Refused: this change would fail at deploy or lose data', '');
    for (const r of refused)
      lines.push(`- **${r.stack}${r.item ? ` (${r.item})` : ''}**: ${r.reason}. Way out: ${r.wayOut}.`);
    lines.push('');
  }
  if (accepted.length > 0) {
    lines.push('## Accepted by the definition (allowReplace)', '');
    for (const r of accepted) lines.push(`- **${r.stack} (${r.item})**: ${r.reason}. Reason given: ${r.allowed}`);
    lines.push('');
  }
  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  if (changed.length === 0) lines.push('No stack changes.', '');
  for (const s of changed) {
    lines.push(`## ${s.stack}: ${STATUS[s.status]}`, '');
    for (const kind of ['replaced', 'destroyed', 'orphaned', 'updated', 'added'] as const) {
      const of = s.changes.filter((c) => c.kind === kind);
      if (of.length === 0) continue;
      lines.push(
        `### ${kind === 'updated' ? 'Updated in place' : kind[0].toUpperCase() + kind.slice(1)} (${of.length})`,
        '',
      );
      for (const c of of) lines.push(`- ${c.says}${c.says.includes(c.logicalId) ? '' : ` (\`${c.logicalId}\`)`}`);
      lines.push('');
    }
  }
  const unchanged = report.stacks.filter((s) => s.status === 'unchanged').map((s) => s.stack);
  if (unchanged.length > 0) lines.push(`Unchanged: ${unchanged.join(', ')}.`, '');
  return lines.join('\n');
}
