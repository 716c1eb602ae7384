import { s3MountNames } from '../workloads/s3-mounts';
import { egressProblems } from '../workloads/egress';
import { quotaProblems } from '../workloads/workload-checks';
import { AcceleratorVendor } from '../catalog/accelerators';
import type { ProblemCollector } from './problems';
import type { ResolvedInference, ResolvedNodePool, ResolvedTeam, ResolvedTraining } from './resolved';
import { duplicates } from './rules';
import { checkName, checkNamespace, trainingPaths } from './private/workload-rules';

/** A team's quota of one accelerator vendor: the ResourceQuota counts each extended resource on its own. */
const QUOTAS: { vendor: AcceleratorVendor; field: 'gpuQuota' | 'neuronQuota'; what: string }[] = [
  { vendor: AcceleratorVendor.NVIDIA, field: 'gpuQuota', what: 'NVIDIA GPUs' },
  { vendor: AcceleratorVendor.AWS_NEURON, field: 'neuronQuota', what: 'Neuron devices' },
];

/**
 * Team rules: unique names, quotas >= 0, and workloads that fit their team's quota of their pool's vendor
 * (Kubernetes ResourceQuota `requests.<resource>` counts `nvidia.com/gpu` and `aws.amazon.com/neuron`
 * separately, so each vendor is checked against its own quota).
 */
export function checkTeams(
  teams: readonly ResolvedTeam[],
  inference: ResolvedInference[],
  training: ResolvedTraining[],
  pools: ReadonlyMap<string, ResolvedNodePool>,
  out: ProblemCollector,
): void {
  teams.forEach((t, i) => {
    checkName(t.name, `teams[${i}]`, out);
    checkNamespace(t.name, `teams[${i}].name`, out);
    // The quota rule TeamNamespace applies to its ResourceQuota.
    out.addAll(`teams[${i}]`, [
      ...quotaProblems('gpuQuota', t.gpuQuota),
      ...quotaProblems('neuronQuota', t.neuronQuota),
    ]);
  });
  for (const d of duplicates(teams.map((t) => t.name)))
    out.error(`teams[${d.index}].name`, d.name, 'must be unique among teams');
  // Declared egress: the NetworkPolicy rules of TeamNamespace, checked there; namespaces must be the platform's own.
  const namespaces = [
    ...new Set([
      ...teams.map((t) => t.name),
      ...inference.map((s) => s.namespace),
      ...training.map((j) => j.namespace),
    ]),
  ];
  teams.forEach((t, i) => {
    out.addAll(`teams[${i}]`, egressProblems(t.egress));
    t.egress.forEach((e, k) =>
      (e.namespaces ?? []).forEach((ns, j) => {
        out.check(
          namespaces.includes(ns),
          `teams[${i}].egress[${k}].namespaces[${j}]`,
          ns,
          `must be a namespace of this platform: ${namespaces.join(', ')}`,
        );
      }),
    );
  });

  const vendorOf = (pool: string) => pools.get(pool)?.vendor;
  const paths = trainingPaths(training);
  teams.forEach((team, i) => {
    for (const { vendor, field, what } of QUOTAS) {
      const quota = team[field];
      if (quota < 0) continue; // refused above; no workload fits a negative quota
      const svcs = inference
        .map((s, k) => ({ s, k }))
        .filter(({ s }) => s.team === team.name && vendorOf(s.nodePool) === vendor);
      const jobs = training
        .map((j, k) => ({ j, k }))
        .filter(({ j }) => j.team === team.name && vendorOf(j.nodePool) === vendor);
      let floor = 0; // inference at minReplicas plus the largest single training job
      let ceiling = 0; // everything at full scale
      let largestJob = 0;
      for (const { s, k } of svcs) {
        if (s.gpus > quota)
          out.error(
            `inference[${k}].gpus`,
            s.gpus,
            `must fit team '${team.name}' ${field} (${quota} ${what}) for one replica`,
          );
        floor += s.minReplicas * s.gpus;
        ceiling += s.maxReplicas * s.gpus;
      }
      for (const { j, k } of jobs) {
        const need = j.nodes * j.gpusPerNode;
        const fit = `must fit team '${team.name}' ${field} (${quota} ${what})`;
        if (need > quota && j.optimization) out.error(`${paths[k]}.gpusPerNode`, need, fit);
        else if (need > quota)
          out.error(`${paths[k]}.nodes`, j.nodes, `× gpusPerNode (${j.gpusPerNode}) = ${need} ${fit}`);
        largestJob = Math.max(largestJob, need);
        ceiling += need;
      }
      floor += largestJob;
      if (floor > quota) {
        out.error(
          `teams[${i}].${field}`,
          quota,
          `is less than the ${floor} ${what} the team's workloads need at minimum`,
        );
      } else if (ceiling > quota) {
        out.warn(
          `teams[${i}].${field}`,
          quota,
          `is less than the ${ceiling} ${what} the team's workloads use at full scale; some replicas will wait`,
        );
      }
    }
  });
}

/**
 * Names built by joining user names must not collide: each mounted zone gets a PersistentVolume
 * <namespace>-<workload>-<zone>, and PersistentVolumes are cluster-scoped (Kubernetes "Persistent Volumes"),
 * so team `ml` + service `x-svc` and team `ml-x` + service `svc` would share one. Both paths are named.
 */
export function checkDerivedNames(
  inference: ResolvedInference[],
  training: ResolvedTraining[],
  out: ProblemCollector,
): void {
  const owners = new Map<string, string>();
  const workloads = [
    ...inference.map((w, i) => ({ w, at: `inference[${i}]` })),
    ...training.map((w, i) => ({ w, at: trainingPaths(training)[i] })),
  ];
  for (const { w, at } of workloads) {
    w.dataAccess.forEach((a, k) => {
      if (a.mountPath === undefined) return;
      const path = `${at}.dataAccess[${k}].zone`;
      const { persistentVolume, claim } = s3MountNames(w.namespace, w.name, a.zone);
      const first = owners.get(persistentVolume);
      if (first === undefined) owners.set(persistentVolume, path);
      else
        out.error(
          path,
          a.zone,
          `gives PersistentVolume '${persistentVolume}', as ${first} does (claim ${w.namespace}/${claim}); PersistentVolumes are cluster-scoped: rename a workload or team so <namespace>-<workload>-<zone> differs`,
        );
    });
  }
}
