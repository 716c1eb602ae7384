import { Token } from 'aws-cdk-lib';
import type { Problem } from '../core/problem';
import { KUBERNETES } from '../catalog/service-limits';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';

/** Paths the library mounts scratch volumes at (placement.ts scratchVolumes): a zone may not be mounted over them. */
export const RESERVED_MOUNT_PATHS: readonly string[] = Object.freeze(['/tmp', '/home/app', '/dev']);

/**
 * Paths the container runtime owns: runc refuses mount destinations inside /proc (libcontainer checkProcMount),
 * and /sys is the kernel's sysfs.
 */
const RUNTIME_PATHS: readonly string[] = ['/proc', '/sys'];

/**
 * A mount path a zone may use: absolute and normalized (no `.`, `..` or empty segments, no trailing `/`: the
 * runtime resolves those, so `/data/` and `/data` would be one mount while the API server sees two), plain
 * characters, outside the scratch volumes and the runtime's paths. Empty when valid.
 */
export function mountPathProblems(field: string, mountPath: string): Problem[] {
  if (Token.isUnresolved(mountPath)) return [];
  const segments = mountPath.split('/').slice(1);
  if (!/^\/[A-Za-z0-9._/-]+$/.test(mountPath) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    return [
      {
        field,
        value: mountPath,
        message:
          'must be a normalized absolute path: letters, digits and . _ - between single "/", no "." or ".." segments and no trailing "/"',
      },
    ];
  }
  const reserved = [...RESERVED_MOUNT_PATHS, ...RUNTIME_PATHS];
  const ok = !reserved.some((r) => mountPath === r || mountPath.startsWith(`${r}/`));
  return ok ? [] : [{ field, value: mountPath, message: `must be an absolute path outside ${reserved.join(', ')}` }];
}

/** The rules of a workload's S3 mounts: each path valid, no two zones at one path. */
export function s3MountProblems(mounts: S3Mount[]): Problem[] {
  const problems = mounts.flatMap((m, i) => mountPathProblems(`s3Mounts[${i}].mountPath`, m.mountPath));
  mounts.forEach((m, i) => {
    // The name ends the pod volume s3-<name>, a DNS-1123 label (apimachinery IsDNS1123Label, <= 63), and names its construct.
    const label = s3MountNames('', '', m.name).volume;
    if (
      !Token.isUnresolved(m.name) &&
      !(label.length <= KUBERNETES.maxLabelLength && KUBERNETES.dns1123Label.test(label))
    ) {
      problems.push({
        field: `s3Mounts[${i}].name`,
        value: m.name,
        message: `must be 1..${KUBERNETES.maxLabelLength - 3} lowercase letters, digits and '-', ending alphanumeric (it ends the volume name ${label})`,
      });
    }
    if (mounts.findIndex((o) => o.name === m.name) !== i)
      problems.push({
        field: `s3Mounts[${i}].name`,
        value: m.name,
        message: 'is listed twice; each mount needs a name of its own',
      });
    if (mounts.findIndex((o) => o.mountPath === m.mountPath) !== i)
      problems.push({
        field: `s3Mounts[${i}].mountPath`,
        value: m.mountPath,
        message: 'mounts two zones at the same mountPath',
      });
  });
  return problems;
}

/** A data-lake zone mounted into a workload through the Mountpoint for Amazon S3 CSI driver. */
export interface S3Mount {
  /** Names the volume, e.g. the zone. */
  readonly name: string;
  readonly bucketName: string;
  readonly mountPath: string;
  /** Mount read-only (writes and deletes refused). */
  readonly readOnly: boolean;
  /**
   * Mount only the keys under this prefix (ending in `/`), e.g. a model's folder; the workload then needs access to
   * that prefix only. @default - the whole bucket
   */
  readonly prefix?: string;
}

/**
 * The Kubernetes names of one mount: the PersistentVolume (cluster-scoped, so unique across the cluster), its
 * claim (unique in the namespace) and the pod's volume. Checks of derived names use these same names.
 */
export function s3MountNames(
  namespace: string,
  workload: string,
  mount: string,
): { persistentVolume: string; claim: string; volume: string } {
  return {
    persistentVolume: `${namespace}-${workload}-${mount}`,
    claim: `${workload}-${mount}`,
    volume: `s3-${mount}`,
  };
}

/**
 * A static PersistentVolume and its claim per mount. The driver mounts with the pod's own credentials
 * (`authenticationSource: pod`, Mountpoint CSI v2), so the workload's Pod Identity role decides what it
 * may read or write; a read-only mount also refuses writes at the file system.
 */
export function s3MountVolumes(
  scope: Construct,
  namespace: string,
  workload: string,
  mounts: S3Mount[],
  uid: number,
): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const volumes: k8s.Volume[] = [];
  const volumeMounts: k8s.VolumeMount[] = [];
  for (const m of mounts) {
    const { persistentVolume: pvName, claim: claimName, volume } = s3MountNames(namespace, workload, m.name);
    const accessModes = [m.readOnly ? 'ReadOnlyMany' : 'ReadWriteMany'];
    const storage = k8s.Quantity.fromString('1Ti'); // required by the API, ignored by the driver
    new k8s.KubePersistentVolume(scope, `Volume-${m.name}`, {
      metadata: { name: pvName },
      spec: {
        capacity: { storage },
        accessModes,
        storageClassName: '',
        claimRef: { namespace, name: claimName },
        // `prefix <p>/`: Mountpoint's --prefix as a mount option (mountpoint-s3-csi-driver docs/CONFIGURATION.md, static provisioning).
        mountOptions: [
          `uid=${uid}`,
          `gid=${uid}`,
          'allow-other',
          ...(m.readOnly ? ['read-only'] : ['allow-delete', 'allow-overwrite']),
          ...(m.prefix ? [`prefix ${m.prefix}`] : []),
        ],
        csi: {
          driver: 's3.csi.aws.com',
          volumeHandle: pvName,
          volumeAttributes: { bucketName: m.bucketName, authenticationSource: 'pod' },
        },
      },
    });
    new k8s.KubePersistentVolumeClaim(scope, `Claim-${m.name}`, {
      metadata: { name: claimName, namespace },
      spec: { accessModes, storageClassName: '', volumeName: pvName, resources: { requests: { storage } } },
    });
    volumes.push({ name: volume, persistentVolumeClaim: { claimName, readOnly: m.readOnly } });
    volumeMounts.push({ name: volume, mountPath: m.mountPath, readOnly: m.readOnly });
  }
  return { volumes, mounts: volumeMounts };
}
