import type { ResourceDifference } from '@aws-cdk/cloudformation-diff';
import { importsOf, NAME_PROPERTIES } from '../template-facts';
import { deniedByPolicy } from './stack-policies';
import { ChangeKind, type Item } from './translate';

/** A change that would fail at deploy or lose data. */
export interface Refusal {
  readonly stack: string;
  /** The resource (or Kubernetes object) concerned. */
  readonly logicalId?: string;
  /** The platform item, e.g. `zone:raw`. */
  readonly item?: string;
  /** What happens and why. */
  readonly reason: string;
  /** What to do instead. */
  readonly wayOut: string;
  /** The definition's `allowReplace` reason, when it accepts this change (then it does not fail synth). */
  readonly allowed?: string;
}

/** One resource change with what it is in the platform. */
export interface RatedChange {
  readonly stack: string;
  readonly id: string;
  readonly change: ResourceDifference;
  readonly kind: ChangeKind;
  readonly item: Item;
}

const at = (obj: any, path: string) => path.split('.').reduce((o, k) => o?.[k], obj);

/**
 * The day-two rules a change must pass to deploy in one `cdk deploy` and lose nothing (test/lifecycle holds the
 * library to the same rules).
 */
export function refusals(
  changes: readonly RatedChange[],
  before: Record<string, any>,
  after: Record<string, any>,
  allowReplace: ReadonlyMap<string, string>,
): Refusal[] {
  const out: Refusal[] = [];
  const denied = deniedByPolicy(before);
  for (const { stack, id, change, kind, item } of changes) {
    // 1. CloudFormation creates a replacement before it deletes the old resource, so a custom name blocks it: "If
    // you specify a name, you cannot perform updates that require replacement of this resource"
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html).
    if (kind === ChangeKind.REPLACED) {
      const names = (NAME_PROPERTIES[change.resourceType ?? ''] ?? []).filter((p) => {
        const v = at(change.newValue?.Properties, p);
        return typeof v === 'string' && v === at(change.oldValue?.Properties, p);
      });
      if (names.length > 0)
        out.push({
          stack,
          logicalId: id,
          item: item.item,
          reason: `${item.words} is replaced but keeps its name (${names.join(', ')}): CloudFormation cannot create the replacement under a name in use`,
          wayOut:
            'rename it in the definition (a new name creates the new one first, then deletes the old one), or undo the change that replaces it',
        });
    }
    // 2. A stack policy denies the update: "Action denied by stack policy", and the stack rolls back. The policy in
    // force is the one deployed before, whatever this change sets
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html).
    const protectedIds = denied.get(stack);
    if (protectedIds?.has(id) && kind !== ChangeKind.ADDED && kind !== ChangeKind.UPDATED) {
      const allowed = allowReplace.get(item.item);
      out.push({
        stack,
        logicalId: id,
        item: item.item,
        reason: `${item.words} is ${kind}, and the stack policy deployed on ${stack} denies it (Update:Replace, Update:Delete)`,
        wayOut: allowed
          ? `deploy the definition with its allowReplace entry '${item.item}' but without this change first (that deploy lifts the policy), then this change`
          : `add allowReplace: [{ item: '${item.item}', reason: '<why it is safe>' }] to the definition and deploy that alone first (it lifts the policy), then this change`,
      });
    }
    // 3. Data: a zone bucket or the lake key deleted or replaced loses (or strands) what is in it.
    const stateful = item.item.startsWith('zone:') || item.item === 'key:lake';
    if (stateful && (kind === ChangeKind.DESTROYED || kind === ChangeKind.REPLACED)) {
      const allowed = allowReplace.get(item.item);
      out.push({
        stack,
        logicalId: id,
        item: item.item,
        reason:
          kind === ChangeKind.DESTROYED
            ? `${item.words} is deleted with its data (its removal policy is destroy)`
            : `${item.words} is replaced: workloads and pipelines move to a new, empty one`,
        wayOut: `keep it (undo the change), or accept it with allowReplace: [{ item: '${item.item}', reason: '<why it is safe>' }]`,
        ...(allowed ? { allowed } : {}),
      });
    }
  }

  // 4. Exports: "You can't modify or remove an output value that is referenced by another stack"
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html).
  const exportsOf = (a: Record<string, any>) =>
    new Map(
      Object.entries(a).flatMap(([stack, t]) =>
        Object.values<any>(t?.Outputs ?? {})
          .filter((o) => o.Export?.Name)
          .map((o) => [JSON.stringify(o.Export.Name), { stack, value: JSON.stringify(o.Value) }] as const),
      ),
    );
  const [exportsBefore, exportsAfter] = [exportsOf(before), exportsOf(after)];
  for (const [stack, template] of Object.entries(before)) {
    for (const name of importsOf(template)) {
      const was = exportsBefore.get(name);
      if (was && exportsAfter.get(name)?.value !== was.value)
        out.push({
          stack: was.stack,
          reason: `export ${name} is ${exportsAfter.has(name) ? 'changed' : 'removed'} while ${stack} imports it`,
          wayOut: `deploy in two steps: first stop importing it in ${stack}, then change the export`,
        });
    }
  }

  // 5. A stack that leaves the app keeps running what it holds; the CLI no longer sees it.
  for (const stack of Object.keys(before))
    if (!(stack in after))
      out.push({
        stack,
        reason: `stack ${stack} leaves the app: it would keep running, and keep holding its names and resources`,
        wayOut: `keep the platform's name, or delete the stack yourself (aws cloudformation delete-stack --stack-name ${stack}) once nothing needs it`,
      });
  return out;
}
