import type { ChangeReport } from './change-report';
import { ChangeKind } from './private/translate';

/** Items whose replacement or removal loses nodes, data or an endpoint (the change report's item names). */
const GUARDED_ITEM = /^(?:pool|zone|key|inference):/;
/** The same, for resources the report names by type: the cluster, the system node group, buckets and keys. */
const GUARDED_TYPES: ReadonlySet<string> = new Set([
  'AWS::EKS::Cluster',
  'AWS::EKS::Nodegroup',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
]);
const LOSSES: ReadonlySet<ChangeKind> = new Set([ChangeKind.REPLACED, ChangeKind.ORPHANED, ChangeKind.DESTROYED]);

/** What a delivery stage with `approval: on-replacement` asks a person about, written next to the change report. */
export interface ApprovalReview {
  /** True when the change replaces or removes nodes, data or an endpoint. */
  readonly approvalNeeded: boolean;
  /** Each such change, as the report says it. */
  readonly because: string[];
}

/** Whether a change report shows a replacement or removal of nodes, data or endpoints, and which. */
export function reviewChanges(report: ChangeReport): ApprovalReview {
  const because = report.stacks.flatMap((s) =>
    s.changes
      .filter((c) => LOSSES.has(c.kind) && (GUARDED_ITEM.test(c.item) || GUARDED_TYPES.has(c.resourceType)))
      .map((c) => `[${s.stack}] ${c.says}`),
  );
  return { approvalNeeded: because.length > 0, because };
}
