/**
 * What a change of a Kubernetes manifest (the `Manifest` of a Custom::AWSCDK-EKS-KubernetesResource, applied with
 * `kubectl apply`) does to the objects in it, and which of its edits the API server refuses.
 */

/** Fields the API server refuses to change on an existing object, by kind, with the source that says so. */
const IMMUTABLE: Record<string, { readonly fields: string[]; readonly source: string }> = {
  // "In API version apps/v1, a Deployment's label selector is immutable after it gets created."
  // (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates)
  Deployment: { fields: ['spec.selector'], source: 'apps/v1: a label selector is immutable after creation' },
  DaemonSet: { fields: ['spec.selector'], source: 'apps/v1: a label selector is immutable after creation' },
  StatefulSet: {
    fields: ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates', 'spec.podManagementPolicy'],
    source:
      "apps/v1: a StatefulSet's spec may change only in replicas, ordinals, template, updateStrategy, minReadySeconds and persistentVolumeClaimRetentionPolicy",
  },
  // A Job's pod template is immutable; only a suspended Job that never ran may change its scheduling directives
  // (https://kubernetes.io/docs/concepts/workloads/controllers/job/#mutable-scheduling-directives).
  Job: {
    fields: ['spec.selector', 'spec.template'],
    source: "batch/v1: a Job's selector and pod template are immutable",
  },
  // The JobSet CRD marks these `self == oldSelf` (x-kubernetes-validations in crds/jobset/jobset.x-k8s.io_jobsets.yaml),
  // and JobSet's webhook refuses any change of replicatedJobs (only pod labels, annotations, nodeSelector, tolerations
  // and scheduling gates while suspended): jobset v0.12.0 pkg/webhooks/jobset_webhook.go ValidateUpdate,
  // `apivalidation.ValidateImmutableField(mungedSpec.ReplicatedJobs, ...)`.
  JobSet: {
    fields: [
      'spec.failurePolicy',
      'spec.network',
      'spec.replicatedJobs',
      'spec.startupPolicy',
      'spec.successPolicy',
      'spec.volumeClaimPolicies',
    ],
    source:
      'the JobSet CRD validates them `self == oldSelf` ("Value is immutable"); its webhook refuses any replicatedJobs change (jobset v0.12.0 ValidateUpdate)',
  },
};

/** One Kubernetes object's change, in the platform's words. */
export interface ObjectChange {
  /** `Deployment llm/llm`. */
  readonly object: string;
  readonly says: string;
  /** Set when the API server refuses the change: the field and why. */
  readonly refused?: string;
}

/** The objects of a manifest property, with deploy-time values (Fn::Join parts) replaced by a placeholder. */
export function manifestObjects(manifest: unknown): any[] {
  const text = literal(manifest);
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function literal(v: any): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v?.['Fn::Join']?.[1]))
    return (v['Fn::Join'][1] as unknown[])
      .map((x) => (typeof x === 'string' ? x : '<deploy-time value>'))
      .join(v['Fn::Join'][0]);
  return '[]';
}

const keyOf = (o: any) => `${o?.kind} ${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`.replace(' /', ' ');
const at = (o: any, path: string) => path.split('.').reduce((x, k) => x?.[k], o);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The pod template of a workload object (Deployment, Job, JobSet's first job, RayJob's head). */
function podTemplate(o: any): any {
  return (
    o?.spec?.template ??
    o?.spec?.replicatedJobs?.[0]?.template?.spec?.template ??
    o?.spec?.rayClusterSpec?.headGroupSpec?.template
  );
}

/** Each container's image, by container name. */
const images = (o: any): Record<string, string> =>
  Object.fromEntries(
    [...(podTemplate(o)?.spec?.containers ?? []), ...(podTemplate(o)?.spec?.initContainers ?? [])].map((c: any) => [
      String(c.name),
      String(c.image),
    ]),
  );

/** Each object added, removed or changed between two manifests. */
export function manifestChanges(before: unknown, after: unknown): ObjectChange[] {
  const old = new Map(manifestObjects(before).map((o) => [keyOf(o), o]));
  const now = new Map(manifestObjects(after).map((o) => [keyOf(o), o]));
  const out: ObjectChange[] = [];
  for (const [key, o] of now) {
    const was = old.get(key);
    if (!was) out.push({ object: key, says: 'created' });
    else if (!same(strip(was), strip(o))) out.push(objectChange(key, was, o));
  }
  for (const [key, o] of old)
    if (!now.has(key))
      out.push({
        object: key,
        says: PRUNED_KINDS.includes(`${String(o?.apiVersion)}/${o?.kind}`)
          ? 'deleted'
          : `left in the cluster: kubectl apply --prune deletes only its default kinds (kubectl -n ${o?.metadata?.namespace ?? 'default'} delete ${String(o?.kind).toLowerCase()} ${o?.metadata?.name} removes it)`,
      });
  return out;
}

/**
 * The kinds an updated manifest prunes: the handler runs `kubectl apply --prune -l <label>` (aws-eks-v2
 * kubectl-handler apply/__init__.py), and without `--prune-allowlist` kubectl prunes only its default list
 * (kubectl pkg/util/prune/prune.go defaultNamespacedPruneResources, defaultNonNamespacedPruneResources). Custom
 * resources (a JobSet, a RayJob), ServiceAccounts and RBAC objects removed from a manifest stay in the cluster.
 */
// Strings only, so Object.freeze is deep (lib/catalog's deepFreeze is a layer this one may not import).
const PRUNED_KINDS: readonly string[] = Object.freeze([
  'v1/ConfigMap',
  'v1/Endpoints',
  'v1/PersistentVolumeClaim',
  'v1/Pod',
  'v1/ReplicationController',
  'v1/Secret',
  'v1/Service',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/Ingress',
  'apps/v1/DaemonSet',
  'apps/v1/Deployment',
  'apps/v1/ReplicaSet',
  'apps/v1/StatefulSet',
  'v1/Namespace',
  'v1/PersistentVolume',
]);

/** The object without the labels that only track the manifest's owner (aws.cdk.eks/prune-<hash>). */
function strip(o: any): any {
  const labels = Object.fromEntries(
    Object.entries<string>(o?.metadata?.labels ?? {}).filter(([k]) => !k.startsWith('aws.cdk.eks/prune-')),
  );
  return { ...o, metadata: { ...o?.metadata, labels } };
}

function objectChange(key: string, was: any, o: any): ObjectChange {
  const rule = IMMUTABLE[o.kind];
  const frozen = (rule?.fields ?? []).filter((f) => !same(at(was, f), at(o, f)));
  if (frozen.length > 0)
    return {
      object: key,
      says: `cannot change ${frozen.join(', ')} in place`,
      refused: `${frozen.join(', ')} changes (${rule.source}): kubectl apply fails and the stack rolls back`,
    };
  const [imagesBefore, imagesAfter] = [images(was), images(o)];
  const moved = Object.keys(imagesAfter).filter(
    (c) => imagesBefore[c] !== undefined && imagesBefore[c] !== imagesAfter[c],
  );
  if (moved.length > 0)
    return {
      object: key,
      says: `rolls to a new image (${moved.map((c) => `${imagesBefore[c]} → ${imagesAfter[c]}`).join(', ')})`,
    };
  if (!same(podTemplate(was), podTemplate(o))) return { object: key, says: 'rolls its pods (pod template changed)' };
  return { object: key, says: 'updated in place (no pod restarts)' };
}
