import { operatorPodTemplatesOf } from './operator-pods';
/**
 * Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/) as the
 * PodSecurity admission plugin enforces them at version "latest".
 *
 * A port of kubernetes/pod-security-admission `policy/check_*.go` (read at kubernetes/pod-security-admission
 * 8f84a87, the staging copy of kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/). Each
 * check below names its Go file and returns the same ForbiddenReason / ForbiddenDetail text; a violation is
 * rendered as the admission error renders it: `reason (detail)`. Order follows policy/registry.go: baseline
 * check IDs sorted, then restricted check IDs sorted; at `restricted` the checks listed in a restricted
 * check's OverrideCheckIDs are left out (capabilities_baseline, hostPathVolumes, seccompProfile_baseline,
 * procMount).
 */

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

interface CheckResult {
  reason: string;
  detail?: string;
}
type CheckPod = (meta: any, spec: any) => CheckResult | undefined;

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  overrides?: string[];
  check: CheckPod;
}

// policy/helpers.go
const joinQuote = (items: string[]) => (items.length === 0 ? '' : `"${items.join('", "')}"`);
const pluralize = (singular: string, plural: string, n: number) => (n === 1 ? singular : plural);
/** relaxPolicyForUserNamespacePod: hostUsers=false relaxes runAsNonRoot, runAsUser and (baseline) procMount. */
const userNamespacePod = (spec: any) => spec?.hostUsers === false;
/** The 1.25+ versions of allowPrivilegeEscalation, capabilities_restricted and seccompProfile_restricted pass Windows pods. */
const windowsPod = (spec: any) => spec?.os?.name === 'windows';
/** sets.NewString(...).List(): unique and sorted. */
const sortedSet = (values: Iterable<string>) => [...new Set(values)].sort();

/** policy/visitor.go visitContainers: initContainers, containers, then ephemeralContainers. */
function containersOf(spec: any): any[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])];
}

function badContainersDetail(names: string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/**
 * Where a profile type (appArmorProfile, seccompProfile) is set to a value not allowed: 'pod' and the
 * containers, as check_appArmorProfile.go and check_seccompProfile_baseline.go both collect them.
 */
function badProfileTypes(
  spec: any,
  field: 'appArmorProfile' | 'seccompProfile',
  allowed: (t: unknown) => boolean,
): { badSetters: string[]; badValues: Set<string> } {
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  const podProfile = spec?.securityContext?.[field];
  if (podProfile && !allowed(podProfile.type)) {
    badSetters.push('pod');
    badValues.add(String(podProfile.type ?? ''));
  }
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.securityContext?.[field];
    if (profile && !allowed(profile.type)) {
      badContainers.push(c.name);
      badValues.add(String(profile.type ?? ''));
    }
  }
  if (badContainers.length > 0) badSetters.push(badContainersDetail(badContainers));
  return { badSetters, badValues };
}

// policy/check_appArmorProfile.go
const appArmorProfile: CheckPod = (meta, spec) => {
  const allowedType = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const allowedAnnotation = (v: string) => v.length === 0 || v === 'runtime/default' || v.startsWith('localhost/');
  const { badSetters, badValues } = badProfileTypes(spec, 'appArmorProfile', allowedType);
  const forbiddenAnnotations = Object.entries<string>(meta?.annotations ?? {})
    .filter(
      ([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !allowedAnnotation(String(v)),
    )
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const badValueList = sortedSet(badValues);
  if (forbiddenAnnotations.length > 0) {
    badValueList.push(...forbiddenAnnotations.sort());
    badSetters.push(pluralize('annotation', 'annotations', forbiddenAnnotations.length));
  }
  if (badSetters.length === 0) return undefined;
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValueList.length),
    detail: `${badSetters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValueList)}`,
  };
};

// policy/check_capabilities_baseline.go
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const capabilitiesBaseline: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const nonDefault = new Set<string>();
  for (const c of containersOf(spec)) {
    const added: string[] = c.securityContext?.capabilities?.add ?? [];
    const forbidden = added.filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    forbidden.forEach((cap) => nonDefault.add(cap));
    if (forbidden.length > 0) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${badContainersDetail(bad)} must not include ${joinQuote(sortedSet(nonDefault))} in securityContext.capabilities.add`,
  };
};

// policy/check_capabilities_restricted.go (1.25: Windows pods pass)
const capabilitiesRestricted: CheckPod = (_meta, spec) => {
  if (windowsPod(spec)) return undefined;
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps = new Set<string>();
  for (const c of containersOf(spec)) {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!(caps.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    const forbidden = (caps.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    forbidden.forEach((cap: string) => forbiddenCaps.add(cap));
    if (forbidden.length > 0) addingForbidden.push(c.name);
  }
  const details: string[] = [];
  if (missingDropAll.length > 0)
    details.push(`${badContainersDetail(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length > 0) {
    details.push(
      `${badContainersDetail(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`,
    );
  }
  return details.length === 0 ? undefined : { reason: 'unrestricted capabilities', detail: details.join('; ') };
};

// policy/check_hostNamespaces.go
const hostNamespaces: CheckPod = (_meta, spec) => {
  const set = (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((f) => spec?.[f] === true)
    .map((f) => `${f}=true`);
  return set.length === 0 ? undefined : { reason: 'host namespaces', detail: set.join(', ') };
};

// policy/check_hostPathVolumes.go
const hostPathVolumes: CheckPod = (_meta, spec) => {
  const names = (spec?.volumes ?? []).filter((v: any) => v.hostPath != null).map((v: any) => v.name);
  return names.length === 0
    ? undefined
    : { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}` };
};

// policy/check_hostPorts.go
const hostPorts: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const ports = new Set<string>();
  for (const c of containersOf(spec)) {
    const used = (c.ports ?? [])
      .filter((p: any) => p.hostPort != null && p.hostPort !== 0)
      .map((p: any) => String(p.hostPort));
    used.forEach((p: string) => ports.add(p));
    if (used.length > 0) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'hostPort',
    detail: `${badContainersDetail(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.size)} ${sortedSet(ports).join(', ')}`,
  };
};

// policy/check_hostProbesAndhostLifecycle.go (1.34)
const hostProbesAndHostLifecycle: CheckPod = (_meta, spec) => {
  const bad = new Set<string>();
  const hosts = new Set<string>();
  const hostsOf = (handler: any): string[] =>
    handler ? [handler.httpGet?.host, handler.tcpSocket?.host].filter((h) => typeof h === 'string' && h !== '') : [];
  for (const c of containersOf(spec)) {
    const found = [
      ...hostsOf(c.livenessProbe),
      ...hostsOf(c.readinessProbe),
      ...hostsOf(c.startupProbe),
      ...hostsOf(c.lifecycle?.postStart),
      ...hostsOf(c.lifecycle?.preStop),
    ];
    if (found.length > 0) {
      bad.add(c.name);
      found.forEach((h) => hosts.add(h));
    }
  }
  if (bad.size === 0) return undefined;
  return {
    reason: 'probe or lifecycle host',
    detail: `${badContainersDetail(sortedSet(bad))} ${pluralize('uses', 'use', bad.size)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sortedSet(hosts))}`,
  };
};

// policy/check_privileged.go
const privileged: CheckPod = (_meta, spec) => {
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name);
  return bad.length === 0
    ? undefined
    : { reason: 'privileged', detail: `${badContainersDetail(bad)} must not set securityContext.privileged=true` };
};

// policy/check_procMount_baseline.go procMount_1_0 (also check_procMount_restricted.go)
const procMountStrict: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const c of containersOf(spec)) {
    const pm = c.securityContext?.procMount;
    if (pm != null && pm !== 'Default') {
      bad.push(c.name);
      types.add(pm);
    }
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'procMount',
    detail: `${badContainersDetail(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
  };
};
// check_procMount_baseline.go procMount1_35baseline: any value when hostUsers=false
const procMountBaseline: CheckPod = (meta, spec) => (userNamespacePod(spec) ? undefined : procMountStrict(meta, spec));

// policy/check_seLinuxOptions.go (1.31 allowed types)
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const seLinuxOptions: CheckPod = (_meta, spec) => {
  const badSetters: string[] = [];
  const badTypes = new Set<string>();
  let setUser = false;
  let setRole = false;
  const valid = (o: any) => {
    let ok = true;
    if (!SELINUX_TYPES.has(o.type ?? '')) {
      ok = false;
      badTypes.add(o.type ?? '');
    }
    if ((o.user ?? '').length > 0) {
      ok = false;
      setUser = true;
    }
    if ((o.role ?? '').length > 0) {
      ok = false;
      setRole = true;
    }
    return ok;
  };
  if (spec?.securityContext?.seLinuxOptions && !valid(spec.securityContext.seLinuxOptions)) badSetters.push('pod');
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions))
    .map((c) => c.name);
  if (bad.length > 0) badSetters.push(badContainersDetail(bad));
  if (badSetters.length === 0) return undefined;
  const badData: string[] = [];
  if (badTypes.size > 0) badData.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
  if (setUser) badData.push('user may not be set');
  if (setRole) badData.push('role may not be set');
  return {
    reason: 'seLinuxOptions',
    detail: `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${badData.join('; ')}`,
  };
};

const validSeccomp = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';

// policy/check_seccompProfile_baseline.go seccompProfileBaseline_1_19
const seccompBaseline: CheckPod = (_meta, spec) => {
  const { badSetters, badValues } = badProfileTypes(spec, 'seccompProfile', validSeccomp);
  if (badSetters.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
  };
};

// policy/check_seccompProfile_restricted.go seccompProfileRestricted_1_25
const seccompRestricted: CheckPod = (_meta, spec) => {
  if (windowsPod(spec)) return undefined;
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  let podSet = false;
  const podProfile = spec?.securityContext?.seccompProfile;
  if (podProfile) {
    if (!validSeccomp(podProfile.type)) {
      badSetters.push('pod');
      badValues.add(String(podProfile.type ?? ''));
    } else {
      podSet = true;
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name);
        badValues.add(String(p.type ?? ''));
      }
    } else if (!podSet) {
      implicit.push(c.name);
    }
  }
  if (explicit.length > 0) badSetters.push(badContainersDetail(explicit));
  if (badSetters.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
    };
  }
  if (implicit.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: `pod or ${badContainersDetail(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  }
  return undefined;
};

// policy/check_sysctls.go sysctlsV1Dot37
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
]);
const sysctls: CheckPod = (_meta, spec) => {
  const forbidden = (spec?.securityContext?.sysctls ?? [])
    .map((s: any) => s.name)
    .filter((n: string) => !SAFE_SYSCTLS.has(n));
  return forbidden.length === 0 ? undefined : { reason: 'forbidden sysctls', detail: forbidden.join(', ') };
};

// policy/check_windowsHostProcess.go
const windowsHostProcess: CheckPod = (_meta, spec) => {
  const setters: string[] = [];
  if (spec?.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.windowsOptions?.hostProcess === true)
    .map((c) => c.name);
  if (bad.length > 0) setters.push(badContainersDetail(bad));
  return setters.length === 0
    ? undefined
    : {
        reason: 'hostProcess',
        detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
      };
};

// policy/check_allowPrivilegeEscalation.go allowPrivilegeEscalation_1_25
const allowPrivilegeEscalation: CheckPod = (_meta, spec) => {
  if (windowsPod(spec)) return undefined;
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  return bad.length === 0
    ? undefined
    : {
        reason: 'allowPrivilegeEscalation != false',
        detail: `${badContainersDetail(bad)} must set securityContext.allowPrivilegeEscalation=false`,
      };
};

// policy/check_restrictedVolumes.go
const ALLOWED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const RESTRICTED_VOLUME_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];
const restrictedVolumes: CheckPod = (_meta, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of spec?.volumes ?? []) {
    if (ALLOWED_VOLUME_SOURCES.some((s) => v[s] != null)) continue;
    bad.push(v.name);
    types.add(RESTRICTED_VOLUME_SOURCES.find((s) => v[s] != null) ?? 'unknown');
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sortedSet(types))}`,
  };
};

// policy/check_runAsNonRoot.go runAsNonRoot1_35
const runAsNonRoot: CheckPod = (_meta, spec) => {
  if (userNamespacePod(spec)) return undefined;
  const badSetters: string[] = [];
  let podNonRoot = false;
  const podValue = spec?.securityContext?.runAsNonRoot;
  if (podValue != null) {
    if (podValue === false) badSetters.push('pod');
    else podNonRoot = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v != null) {
      if (v === false) explicit.push(c.name);
    } else if (!podNonRoot) {
      implicit.push(c.name);
    }
  }
  if (explicit.length > 0) badSetters.push(badContainersDetail(explicit));
  if (badSetters.length > 0)
    return {
      reason: 'runAsNonRoot != true',
      detail: `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length > 0)
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${badContainersDetail(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  return undefined;
};

// policy/check_runAsUser.go runAsUser1_35
const runAsUser: CheckPod = (_meta, spec) => {
  if (userNamespacePod(spec)) return undefined;
  const setters: string[] = [];
  if (spec?.securityContext?.runAsUser === 0) setters.push('pod');
  const bad = containersOf(spec)
    .filter((c) => c.securityContext?.runAsUser === 0)
    .map((c) => c.name);
  if (bad.length > 0) setters.push(badContainersDetail(bad));
  return setters.length === 0
    ? undefined
    : { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` };
};

const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', check: appArmorProfile },
  { id: 'capabilities_baseline', level: 'baseline', check: capabilitiesBaseline },
  { id: 'hostNamespaces', level: 'baseline', check: hostNamespaces },
  { id: 'hostPathVolumes', level: 'baseline', check: hostPathVolumes },
  { id: 'hostPorts', level: 'baseline', check: hostPorts },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', check: hostProbesAndHostLifecycle },
  { id: 'privileged', level: 'baseline', check: privileged },
  { id: 'procMount', level: 'baseline', check: procMountBaseline },
  { id: 'seLinuxOptions', level: 'baseline', check: seLinuxOptions },
  { id: 'seccompProfile_baseline', level: 'baseline', check: seccompBaseline },
  { id: 'sysctls', level: 'baseline', check: sysctls },
  { id: 'windowsHostProcess', level: 'baseline', check: windowsHostProcess },
  { id: 'allowPrivilegeEscalation', level: 'restricted', check: allowPrivilegeEscalation },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: ['capabilities_baseline'],
    check: capabilitiesRestricted,
  },
  { id: 'procMount_restricted', level: 'restricted', overrides: ['procMount'], check: procMountStrict },
  { id: 'restrictedVolumes', level: 'restricted', overrides: ['hostPathVolumes'], check: restrictedVolumes },
  { id: 'runAsNonRoot', level: 'restricted', check: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', check: runAsUser },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: ['seccompProfile_baseline'],
    check: seccompRestricted,
  },
];

/** The check IDs evaluated at a level, in the order admission reports them. */
export function podSecurityChecks(level: PodSecurityLevel): string[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((c) => level === 'restricted' || c.level === 'baseline');
  const overridden = new Set(active.flatMap((c) => c.overrides ?? []));
  return active.filter((c) => !overridden.has(c.id)).map((c) => c.id);
}

/**
 * What PodSecurity admission at `level` (version latest) would reject in a pod spec, one `reason (detail)`
 * string per failing check. `metadata` (the pod template's) matters only for the AppArmor annotations.
 */
export function podSecurityViolations(podSpec: any, level: PodSecurityLevel, metadata: any = {}): string[] {
  const ids = new Set(podSecurityChecks(level));
  return CHECKS.filter((c) => ids.has(c.id))
    .map((c) => c.check(metadata, podSpec))
    .filter((r): r is CheckResult => r !== undefined)
    .map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason));
}

export interface PodTemplate {
  path: string;
  spec: any;
  metadata: any;
}

/** Every pod template written in a manifest (not ones an operator derives from it: see operator-pods.ts). */
export function podTemplatesOf(manifest: any): PodTemplate[] {
  const out: PodTemplate[] = [];
  const add = (path: string, template: any) => {
    if (template?.spec) out.push({ path, spec: template.spec, metadata: template.metadata ?? {} });
  };
  const spec = manifest?.spec;
  switch (`${String(manifest?.apiVersion).split('/')[0]}/${manifest?.kind}`) {
    case 'v1/Pod':
      out.push({ path: 'spec', spec, metadata: manifest.metadata ?? {} });
      break;
    case 'v1/PodTemplate':
      add('template', manifest.template);
      break;
    case 'v1/ReplicationController':
    case 'apps/Deployment':
    case 'apps/StatefulSet':
    case 'apps/DaemonSet':
    case 'apps/ReplicaSet':
    case 'batch/Job':
      add('spec.template', spec?.template);
      break;
    case 'batch/CronJob':
      add('spec.jobTemplate.spec.template', spec?.jobTemplate?.spec?.template);
      break;
    case 'jobset.x-k8s.io/JobSet':
      (spec?.replicatedJobs ?? []).forEach((rj: any, i: number) =>
        add(`spec.replicatedJobs[${i}].template.spec.template`, rj?.template?.spec?.template),
      );
      break;
    case 'ray.io/RayJob':
      add('spec.rayClusterSpec.headGroupSpec.template', spec?.rayClusterSpec?.headGroupSpec?.template);
      (spec?.rayClusterSpec?.workerGroupSpecs ?? []).forEach((w: any, i: number) =>
        add(`spec.rayClusterSpec.workerGroupSpecs[${i}].template`, w?.template),
      );
      add('spec.submitterPodTemplate', spec?.submitterPodTemplate);
      break;
    case 'ray.io/RayCluster':
      add('spec.headGroupSpec.template', spec?.headGroupSpec?.template);
      (spec?.workerGroupSpecs ?? []).forEach((w: any, i: number) =>
        add(`spec.workerGroupSpecs[${i}].template`, w?.template),
      );
      break;
    default:
      break;
  }
  return out;
}

/**
 * The enforced level per namespace: the `pod-security.kubernetes.io/enforce` label of each Namespace among
 * the manifests. A namespace not among them counts as privileged (EKS runs PodSecurity with privileged defaults).
 */
export function namespaceLevels(manifests: any[]): (namespace: string | undefined) => PodSecurityLevel {
  const levels = new Map<string, PodSecurityLevel>();
  for (const m of manifests) {
    if (m?.apiVersion === 'v1' && m?.kind === 'Namespace') {
      const label = m.metadata?.labels?.['pod-security.kubernetes.io/enforce'];
      // api/helpers.go PolicyToEvaluate: no label → the default (privileged); an unparsable one → restricted.
      const level: PodSecurityLevel =
        label === undefined || label === 'privileged' ? 'privileged' : label === 'baseline' ? 'baseline' : 'restricted';
      levels.set(m.metadata?.name, level);
    }
  }
  return (ns) => levels.get(ns ?? 'default') ?? 'privileged';
}

// Every violation of a set of manifests, one line each (the example suite's admission checks).

export const who = (m: any) =>
  `${m.kind}/${m.metadata?.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata?.name}`;

/** Pod Security violations of the pod templates written in the manifests, one line each. */
export function ownPodProblems(manifests: any[]): string[] {
  const levelOf = namespaceLevels(manifests);
  return manifests.flatMap((m) => {
    const level = levelOf(m.metadata?.namespace);
    return podTemplatesOf(m).flatMap((t) =>
      podSecurityViolations(t.spec, level, t.metadata).map((v) => `${who(m)} ${t.path} [${level}]: ${v}`),
    );
  });
}

/** Pod Security violations of the pods an operator creates from the manifests (operator-pods.ts). */
export function operatorPodProblems(manifests: any[]): string[] {
  const levelOf = namespaceLevels(manifests);
  return manifests.flatMap((m) => {
    const level = levelOf(m.metadata?.namespace);
    return operatorPodTemplatesOf(m).flatMap((t) =>
      podSecurityViolations(t.spec, level, t.metadata).map(
        (v) => `${who(m)} → ${t.path} (${t.source}) [${level}]: ${v}`,
      ),
    );
  });
}
