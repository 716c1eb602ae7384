import { fullDiff, ResourceImpact, type ResourceDifference } from '@aws-cdk/cloudformation-diff';
import type { App } from 'aws-cdk-lib';
import { importsOf, NAME_PROPERTIES } from '../../lib/change-report/template-facts';
import { manifestChanges } from '../../lib/change-report/private/kubernetes';

/**
 * The day-two rules: what must hold between the assembly a user deployed and the one their edit synthesizes,
 * for the edit to deploy in one `cdk deploy --all` and lose nothing. Each stack pair is diffed with
 * @aws-cdk/cloudformation-diff, the engine of `cdk diff` (its replacement knowledge comes from the
 * CloudFormation registry schemas in @aws-cdk/service-spec-types).
 */

/** A synthesized app: each stack's template and the stacks it depends on (the CLI deploys those first). */
export interface Assembly {
  readonly stacks: Record<string, { readonly template: any; readonly dependsOn: string[] }>;
}

/** What an edit is allowed to change. */
export interface EditScope {
  /** The edit changes the data lake (zones, lifecycle...): the data stack may change. */
  readonly lake?: boolean;
  /** Pools whose own node properties the edit changes: only their node groups may be replaced. */
  readonly rollsPools?: string[];
  /** Pools the edit removes (their node groups are destroyed, announced). */
  readonly removesPools?: string[];
}

export function assemblyOf(app: App): Assembly {
  const asm = app.synth();
  return {
    stacks: Object.fromEntries(
      asm.stacks.map((s) => [
        s.stackName,
        {
          template: s.template,
          dependsOn: s.dependencies.filter((d) => 'stackName' in d).map((d: any) => d.stackName as string),
        },
      ]),
    ),
  };
}

const resources = (t: any): Record<string, any> => t?.Resources ?? {};

/** Each stack's resource changes, by stack name (stacks added or removed diff against an empty template). */
function changes(before: Assembly, after: Assembly): { stack: string; id: string; change: ResourceDifference }[] {
  const out: { stack: string; id: string; change: ResourceDifference }[] = [];
  for (const name of new Set([...Object.keys(before.stacks), ...Object.keys(after.stacks)])) {
    const diff = fullDiff(before.stacks[name]?.template ?? {}, after.stacks[name]?.template ?? {});
    diff.resources.forEachDifference((id, change) => out.push({ stack: name, id, change }));
  }
  return out;
}

const REPLACES = new Set([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE]);
const isLiteral = (v: unknown) => typeof v === 'string';

const at = (obj: any, path: string) => path.split('.').reduce((o, k) => o?.[k], obj);

/** Every rule's violations for one edit; empty when the edit deploys in one `cdk deploy` and loses nothing. */
export function lifecycleViolations(before: Assembly, after: Assembly, scope: EditScope = {}): string[] {
  const out: string[] = [];
  const all = changes(before, after);

  // 1. No replacement of a resource that keeps a custom physical name (CloudFormation refuses it). Only
  // WILL_REPLACE (create-only properties in the registry schema): among the named types here, only EMR
  // Serverless has "maybe" properties (MaximumCapacity, ReleaseLabel, ...), which UpdateApplication changes in
  // place once the application is stopped (rule 8).
  // cloudformation-diff rates a change by top-level property only, so a create-only property nested in a
  // structure (Budget.BudgetName, Budget.PlannedBudgetLimits) counts here too, read from the same registry data.
  for (const { stack, id, change } of all) {
    if (change.changeImpact !== ResourceImpact.WILL_REPLACE && !nestedCreateOnlyChanged(change)) continue;
    // A new name is fine (the new resource is created under it, then the old one deleted); the same one fails.
    const names = (NAME_PROPERTIES[change.resourceType ?? ''] ?? []).filter(
      (p) =>
        isLiteral(at(change.newValue?.Properties, p)) &&
        at(change.newValue?.Properties, p) === at(change.oldValue?.Properties, p),
    );
    if (names.length > 0)
      out.push(`${stack}/${id} (${change.resourceType}) is replaced but keeps its custom name (${names.join(', ')})`);
  }

  // 2. No export removed or changed while another stack imports it: the producer deploys first, while the
  // importer still holds its old template (Fn::ImportValue: "You can't modify or remove an output value that
  // is referenced by another stack").
  const exportsOf = (a: Assembly) =>
    new Map(
      Object.entries(a.stacks).flatMap(([, s]) =>
        Object.values<any>(s.template.Outputs ?? {})
          .filter((o) => o.Export?.Name)
          .map((o) => [JSON.stringify(o.Export.Name), JSON.stringify(o.Value)] as [string, string]),
      ),
    );
  const [exportsBefore, exportsAfter] = [exportsOf(before), exportsOf(after)];
  for (const [stack, s] of Object.entries(before.stacks)) {
    for (const key of importsOf(s.template)) {
      if (exportsBefore.has(key) && exportsAfter.get(key) !== exportsBefore.get(key)) {
        out.push(`export ${key} is ${exportsAfter.has(key) ? 'changed' : 'removed'} while ${stack} imports it`);
      }
    }
  }

  // 3. Nothing that identifies a pool or workload is created in one stack while another still holds it
  // (node group names are unique per cluster; EKS allows one Pod Identity association per service account —
  // CreatePodIdentityAssociation: ResourceInUseException; a Kubernetes object deleted by one stack after
  // another applied it is gone). A move is safe only towards a stack that depends on the old holder: the CLI
  // deploys the holder first, and a stack update deletes removed resources (its cleanup phase) before it
  // completes.
  const holders = (a: Assembly) => {
    const m = new Map<string, string>();
    for (const [stack, s] of Object.entries(a.stacks)) for (const key of identities(s.template)) m.set(key, stack);
    return m;
  };
  const [held, wanted] = [holders(before), holders(after)];
  for (const [key, stack] of wanted) {
    const was = held.get(key);
    if (was !== undefined && was !== stack && !dependsOn(after, stack, was))
      out.push(`${key} moves from ${was} to ${stack}, which does not deploy after it`);
  }

  // 4. The data stack is byte-identical unless the edit changes the lake.
  if (!scope.lake) {
    for (const name of Object.keys(before.stacks).filter((n) => n.endsWith('-data'))) {
      if (JSON.stringify(before.stacks[name].template) !== JSON.stringify(after.stacks[name]?.template))
        out.push(`data stack ${name} changes`);
    }
  }

  // 5. No role's inline policies over IAM's 10,240 characters (IAM quotas: "Role policy size cannot exceed
  // 10,240 characters", the aggregate of its inline policies, whitespace not counted).
  for (const [stack, s] of Object.entries(after.stacks)) {
    for (const [role, size] of inlinePolicySizes(s.template)) {
      if (size > 10_240)
        out.push(`${stack}/${role} has ${size} characters of inline policy; IAM allows 10,240 per role`);
    }
  }

  // 6. No stack leaves the app silently: a stack the CLI no longer sees keeps running what it holds.
  for (const name of Object.keys(before.stacks))
    if (!after.stacks[name]) out.push(`stack ${name} leaves the app (it would keep running)`);

  // 7. Nodes: a node group is replaced only when its own pool's node properties change or the pool is
  // removed; launch templates and placement groups change only with their pool (a new launch template
  // version is rolled out by replacing every node of the group).
  const mayRoll = (id: string, change: ResourceDifference) => {
    const name = String(at(change.newValue?.Properties ?? change.oldValue?.Properties, 'NodegroupName') ?? '') + id;
    return [...(scope.rollsPools ?? []), ...(scope.removesPools ?? [])].some(
      (p) => name.includes(`-${p}-`) || id.startsWith(`Pool${p.replace(/[^A-Za-z0-9]/g, '')}`),
    );
  };
  for (const { stack, id, change } of all) {
    const type = change.resourceType;
    if (
      type === 'AWS::EKS::Nodegroup' &&
      (REPLACES.has(change.changeImpact) || change.isRemoval) &&
      !mayRoll(id, change)
    ) {
      out.push(
        `${stack}/${id}: node group ${change.isRemoval ? 'removed' : 'replaced'} by an edit that does not concern its pool`,
      );
    }
    if (
      (type === 'AWS::EC2::LaunchTemplate' || type === 'AWS::EC2::PlacementGroup') &&
      !change.isAddition &&
      !mayRoll(id, change)
    ) {
      out.push(
        `${stack}/${id}: ${type} ${change.isRemoval ? 'removed' : 'changed'} by an edit that does not concern its pool`,
      );
    }
  }

  // 8. No EMR Serverless application is updated or deleted while it may be STARTED: UpdateApplication and
  // DeleteApplication need it "in a stopped or created state" (EMR Serverless API reference). An updated
  // application must wait on a stopper (DependsOn) that changes in the same deploy, so it runs first; a removed
  // one must have had a stopper that depends on it, which CloudFormation deletes (and so runs) first.
  const STOPPER = 'Custom::EmrServerlessApplicationStopper';
  const changed = new Set(all.map(({ stack, id }) => `${stack}/${id}`));
  for (const { stack, id, change } of all.filter(
    (c) => c.change.resourceType === 'AWS::EMRServerless::Application' && !c.change.isAddition,
  )) {
    if (change.isRemoval) {
      const old = resources(before.stacks[stack]?.template);
      const guarded = Object.values<any>(old).some(
        (r) => r.Type === STOPPER && [r.DependsOn ?? []].flat().includes(id),
      );
      if (!guarded) out.push(`${stack}/${id}: EMR Serverless application deleted without a stopper that runs before`);
    } else {
      const t = resources(after.stacks[stack]?.template);
      const stoppers = [t[id]?.DependsOn ?? []].flat().filter((d: string) => t[d]?.Type === STOPPER);
      if (!stoppers.some((d: string) => changed.has(`${stack}/${d}`)))
        out.push(`${stack}/${id}: EMR Serverless application updated without a stopper that runs first`);
    }
  }

  // 9. No Kubernetes object is changed in a way the API server refuses: an updated manifest is applied with
  // `kubectl apply` (aws-eks-v2 kubectl-handler apply/__init__.py, Update), which fails on an immutable field and
  // rolls the stack back (the fields and their sources: lib/change-report/private/kubernetes.ts).
  for (const { stack, id, change } of all) {
    if (change.resourceType !== 'Custom::AWSCDK-EKS-KubernetesResource' || change.isAddition || change.isRemoval)
      continue;
    for (const c of manifestChanges(change.oldValue?.Properties?.Manifest, change.newValue?.Properties?.Manifest))
      if (c.refused) out.push(`${stack}/${id}: ${c.object}: ${c.refused}`);
  }
  return out;
}

/** Whether a create-only property one level inside a top-level structure property changed (registry schema data). */
function nestedCreateOnlyChanged(change: ResourceDifference): boolean {
  if (change.isAddition || change.isRemoval || !change.resourceType) return false;
  const db = specDb();
  const resource = db.lookup('resource', 'cloudFormationType', 'equals', change.resourceType)[0];
  if (!resource) return false;
  return Object.entries<any>(resource.properties).some(([name, prop]) => {
    const ref = prop.type?.reference?.$ref;
    if (!ref) return false;
    const def = db.get('typeDefinition', ref);
    return Object.entries<any>(def.properties ?? {}).some(
      ([sub, subProp]) =>
        subProp.causesReplacement === 'yes' &&
        JSON.stringify(change.oldValue?.Properties?.[name]?.[sub]) !==
          JSON.stringify(change.newValue?.Properties?.[name]?.[sub]),
    );
  });
}

let db: any;
const specDb = () => (db ??= require('@aws-cdk/aws-service-spec').loadAwsServiceSpecSync());

/** Whether `stack` depends on `on`, directly or through other stacks (the CLI then deploys `on` first). */
function dependsOn(a: Assembly, stack: string, on: string, seen = new Set<string>()): boolean {
  if (seen.has(stack)) return false;
  seen.add(stack);
  return (a.stacks[stack]?.dependsOn ?? []).some((d) => d === on || dependsOn(a, d, on, seen));
}

/** Keys of what identifies a pool or workload in a cluster: node group names, Pod Identity service accounts, Kubernetes objects. */
function identities(template: any): string[] {
  const keys: string[] = [];
  for (const r of Object.values<any>(resources(template))) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EKS::Nodegroup' && isLiteral(p.NodegroupName)) keys.push(`node group ${p.NodegroupName}`);
    if (r.Type === 'AWS::EKS::PodIdentityAssociation')
      keys.push(`Pod Identity association ${p.Namespace}/${p.ServiceAccount}`);
    if (r.Type === 'Custom::AWSCDK-EKS-KubernetesResource') {
      for (const o of JSON.parse(literal(p.Manifest)) as any[])
        keys.push(`${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
    }
  }
  return keys;
}

/** Characters of inline policy per role: its own Policies and every AWS::IAM::Policy attached to it (Ref). */
function inlinePolicySizes(template: any): Map<string, number> {
  const sizes = new Map<string, number>();
  const chars = (doc: unknown) => JSON.stringify(doc).replace(/\s/g, '').length;
  for (const [id, r] of Object.entries<any>(resources(template))) {
    if (r.Type === 'AWS::IAM::Role')
      sizes.set(
        id,
        (r.Properties?.Policies ?? []).reduce((n: number, p: any) => n + chars(p.PolicyDocument), 0),
      );
  }
  for (const r of Object.values<any>(resources(template))) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const role of r.Properties?.Roles ?? []) {
      const id = role?.Ref;
      if (typeof id === 'string' && sizes.has(id)) sizes.set(id, sizes.get(id)! + chars(r.Properties.PolicyDocument));
    }
  }
  return sizes;
}

/** A string property with deploy-time values (Fn::Join parts) replaced by a placeholder. */
function literal(v: any): string {
  if (typeof v === 'string') return v;
  if (v?.['Fn::Join'])
    return (v['Fn::Join'][1] as any[]).map((x) => (typeof x === 'string' ? x : 'TOKEN')).join(v['Fn::Join'][0]);
  return '[]';
}
