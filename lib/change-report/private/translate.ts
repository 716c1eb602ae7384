import { ResourceImpact, type ResourceDifference } from '@aws-cdk/cloudformation-diff';
import type { PlanPool, PlanWorkload, PlatformPlan } from '../../plan/plan';
import { STACK_POLICY_RESOURCE_TYPE } from '../../core/stack-policy';
import { manifestChanges, type ObjectChange } from './kubernetes';
import { deniedByPolicy } from './stack-policies';

/**
 * The plan's kinds of the jobs a CronJob starts (training, optimizations, Ray pipelines). Strings only, so
 * Object.freeze is deep (lib/catalog's deepFreeze is a layer this one may not import).
 */
const JOB_KINDS: readonly string[] = Object.freeze(['training', 'optimization', 'pipeline']);

/** What CloudFormation does to one resource. */
export enum ChangeKind {
  ADDED = 'added',
  UPDATED = 'updated',
  REPLACED = 'replaced',
  ORPHANED = 'orphaned',
  DESTROYED = 'destroyed',
}

/** What a resource is in the platform: a zone bucket, the lake key, a pool's node group, a workload... */
export interface Item {
  /** `zone:raw`, `key:lake`, `pool:train`, `inference:chat`, or the resource's type and logical ID. */
  readonly item: string;
  /** `zone bucket \`raw\``. */
  readonly words: string;
}

/** The kind of change cloudformation-diff rates a resource difference. */
export function kindOf(change: ResourceDifference): ChangeKind {
  if (change.isAddition) return ChangeKind.ADDED;
  if (change.isRemoval)
    return change.changeImpact === ResourceImpact.WILL_ORPHAN ? ChangeKind.ORPHANED : ChangeKind.DESTROYED;
  if (change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE)
    return ChangeKind.REPLACED;
  return ChangeKind.UPDATED;
}

const alnum = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');

/** The plan's pool whose name gives this logical ID prefix (`Pool<alnum name>`), or the node group's pool tag. */
function poolOf(
  id: string,
  resource: any,
  plans: (PlatformPlan | undefined)[],
): PlanPool | { name: string } | undefined {
  const tagged = resource?.Properties?.Tags?.['ai-platform/pool'];
  const pools = plans.flatMap((p) => p?.pools ?? []);
  if (typeof tagged === 'string') return pools.find((p) => p.name === tagged) ?? { name: tagged };
  const m = /^Pool([A-Za-z0-9]+?)(LaunchTemplate|Nodegroup|PlacementGroup)/.exec(id);
  if (!m) return undefined;
  return pools.find((p) => alnum(p.name) === m[1]) ?? { name: m[1] };
}

function workloadOf(id: string, plans: (PlatformPlan | undefined)[]): PlanWorkload | undefined {
  const m = /^(Inference|Training)([A-Za-z0-9]+?)[0-9A-F]{8}$/.exec(id);
  if (!m) return undefined;
  // Training, optimization and Ray pipeline jobs are all `Training-<name>` charts (a plan before optimizations and
  // Ray pipelines had their own kinds calls each of them `training`).
  const kinds = m[1] === 'Inference' ? ['inference'] : JOB_KINDS;
  return plans.flatMap((p) => p?.workloads ?? []).find((w) => kinds.includes(w.kind) && alnum(w.name) === m[2]);
}

/** Names a resource in the platform's words. */
export function itemOf(id: string, type: string, resource: any, plans: (PlatformPlan | undefined)[]): Item {
  const zone = /^DataLakeZone([A-Za-z0-9]+?)[0-9A-F]{8}$/.exec(id);
  if (type === 'AWS::S3::Bucket' && zone) return { item: `zone:${zone[1]}`, words: `zone bucket \`${zone[1]}\`` };
  if (type === 'AWS::KMS::Key' && /^DataLakeKey[0-9A-F]{8}$/.test(id))
    return { item: 'key:lake', words: "the lake's KMS key" };
  if (type === 'AWS::EKS::Nodegroup' && id.startsWith('ClusterNodegroupSystemNodes'))
    return { item: 'pool:system', words: 'the system node group' };
  const pool = poolOf(id, resource, plans);
  if (pool && (type === 'AWS::EKS::Nodegroup' || type === 'AWS::EC2::LaunchTemplate'))
    return { item: `pool:${pool.name}`, words: `GPU pool \`${pool.name}\`` };
  const workload = workloadOf(id, plans);
  if (workload) return { item: `${workload.kind}:${workload.name}`, words: `${workload.kind} \`${workload.name}\`` };
  if (type === 'Custom::AWSCDK-EKS-HelmChart')
    return { item: `chart:${resource?.Properties?.Release}`, words: `chart \`${resource?.Properties?.Release}\`` };
  return { item: `${type} ${id}`, words: `${type} \`${id}\`` };
}

/** Hours in a month, as the plan's monthly prices count them (730). */
const HOURS_A_MONTH = 730;

/** What rolling a pool's nodes costs, where the plan knows the pool. */
function rotationCost(pool: PlanPool | undefined): string {
  if (!pool || !('acceleratorsAtMaxNodes' in pool)) return '';
  const hourly = Math.round(pool.monthlyCeilingUsd / HOURS_A_MONTH);
  return ` Up to ${pool.maxNodes} node${pool.maxNodes === 1 ? '' : 's'} (${pool.acceleratorsAtMaxNodes} accelerators) are drained and replaced; each hour of work lost since the last checkpoint costs up to ${pool.acceleratorsAtMaxNodes} GPU-hours (about $${hourly.toLocaleString('en-US')} at on-demand prices).`;
}

/** What draining a pool's nodes does to the workloads the plan places on it. */
function onPool(item: Item, plans: (PlatformPlan | undefined)[]): string {
  const on = (plans.find((p) => p !== undefined)?.workloads ?? []).filter((w) => `pool:${w.pool}` === item.item);
  const names = (...kinds: string[]) => on.filter((w) => kinds.includes(w.kind)).map((w) => `\`${w.name}\``);
  const jobs = names(...JOB_KINDS);
  const parts = [
    jobs.length > 0 ? `a running job restarts (${jobs.join(', ')})` : '',
    names('inference').length > 0 ? `${names('inference').join(', ')} move to the new nodes` : '',
  ].filter((x) => x);
  return parts.length > 0 ? ` and ${parts.join('; ')}` : ' and replaced (no workload of the plan runs on it)';
}

/** One resource change in the platform's words. */
export function describe(
  id: string,
  change: ResourceDifference,
  kind: ChangeKind,
  plans: (PlatformPlan | undefined)[],
): { item: Item; says: string; objects: ObjectChange[] } {
  const type = change.resourceType ?? '';
  const resource = change.newValue ?? change.oldValue;
  const item = itemOf(id, type, resource, plans);
  const pool = plans.flatMap((p) => p?.pools ?? []).find((p) => `pool:${p.name}` === item.item);
  const objects =
    type === 'Custom::AWSCDK-EKS-KubernetesResource'
      ? manifestChanges(change.oldValue?.Properties?.Manifest, change.newValue?.Properties?.Manifest)
      : [];
  const w = item.words;
  const says = ((): string => {
    if (type === 'AWS::EKS::Nodegroup') {
      if (kind === ChangeKind.REPLACED)
        return `${w} is replaced: its nodes are drained${onPool(item, plans)}.${rotationCost(pool)}`;
      if (kind === ChangeKind.DESTROYED || kind === ChangeKind.ORPHANED)
        return `${w} is removed: its nodes are drained and terminated.`;
      if (kind === ChangeKind.ADDED) return `${w} is added (a new node group).`;
      const rolls = ['LaunchTemplate', 'ReleaseVersion', 'Version', 'AmiType'].some((p) => changed(change, p));
      return rolls
        ? `${w} rolls its nodes (new launch template version or AMI).${rotationCost(pool)}`
        : `${w} is updated in place (${changedProperties(change).join(', ')}); no node rolls.`;
    }
    if (type === STACK_POLICY_RESOURCE_TYPE && kind !== ChangeKind.DESTROYED) {
      const denied = deniedByPolicy({ s: { Resources: { [id]: change.newValue } } });
      const [[target, ids] = ['?', new Set<string>()]] = [...denied];
      return `the stack policy of \`${target}\` is set: it denies replacing or deleting ${[...ids].join(', ') || 'nothing'}.`;
    }
    if (type === 'AWS::EC2::LaunchTemplate' && kind === ChangeKind.UPDATED)
      return `${w} gets a new launch template version: its nodes roll.${rotationCost(pool)}`;
    if (item.item.startsWith('zone:') || item.item === 'key:lake') {
      if (kind === ChangeKind.ORPHANED) return `${w} is orphaned (retained): its data stays, outside the stack.`;
      if (kind === ChangeKind.DESTROYED) return `${w} is deleted, with its data.`;
      if (kind === ChangeKind.REPLACED) return `${w} is replaced: readers and writers move to a new, empty one.`;
    }
    if (objects.length > 0 && kind === ChangeKind.UPDATED)
      return objects.map((o) => `${w}: ${o.object} ${o.says}`).join('; ') + '.';
    if (type === 'Custom::AWSCDK-EKS-HelmChart' && kind === ChangeKind.UPDATED) {
      const [a, b] = [change.oldValue?.Properties?.Version, change.newValue?.Properties?.Version];
      return a !== b ? `${w} upgrades from ${a} to ${b}.` : `${w} is upgraded in place (values changed).`;
    }
    const verb = {
      added: 'is added',
      updated: 'is updated in place',
      replaced: 'is replaced',
      orphaned: 'is orphaned (retained)',
      destroyed: 'is deleted',
    }[kind];
    return kind === ChangeKind.UPDATED ? `${w} ${verb} (${changedProperties(change).join(', ')}).` : `${w} ${verb}.`;
  })();
  return { item, says, objects };
}

function changed(change: ResourceDifference, property: string): boolean {
  return (
    JSON.stringify(change.oldValue?.Properties?.[property]) !== JSON.stringify(change.newValue?.Properties?.[property])
  );
}

function changedProperties(change: ResourceDifference): string[] {
  const names = new Set([
    ...Object.keys(change.oldValue?.Properties ?? {}),
    ...Object.keys(change.newValue?.Properties ?? {}),
  ]);
  const out = [...names].filter((p) => changed(change, p));
  return out.length > 0 ? out : ['metadata'];
}
