import { k8s } from 'cdk8s-plus-27';
import { RESTRICTED_CONTAINER } from '../placement';

/** Where the secrets are written: a memory-backed emptyDir (tmpfs, never on the node's disk; Kubernetes docs, Volumes, emptyDir). */
export const SECRETS_DIR = '/run/ai-platform/secrets';
const VOLUME = 'server-secrets';

/**
 * Secrets Manager values into a server's environment without putting them in a template or manifest: an init
 * container reads each secret with the pod's own Pod Identity role (`aws secretsmanager get-secret-value`, AWS CLI
 * >= 2.15.0 supports Pod Identity: EKS user guide, "Use pod identity with the AWS SDK") into a memory-backed
 * volume, and the server starts through `sh -c` that exports each file as a variable, then execs the server's
 * own entrypoint (so the values live only in the process's environment and tmpfs). The manifests carry the ARNs only.
 */
export function secretDelivery(
  secrets: Record<string, string>,
  entrypoint: string[],
  image: string,
): {
  initContainers: k8s.Container[];
  volumes: k8s.Volume[];
  mounts: k8s.VolumeMount[];
  command: string[];
} {
  const names = Object.keys(secrets).sort();
  // Each value is at most 64 KB (Secrets Manager quotas, SecretString); the volume holds them all.
  const sizeLimit = k8s.Quantity.fromString(`${Math.max(1, Math.ceil((names.length * 64) / 1024))}Mi`);
  // The region is the ARN's fourth field, so tokens (resolved at deploy) work too.
  const reads = names.map((n) => `fetch ${n} '${secrets[n]}'`);
  const script = [
    'set -eu',
    `fetch() { aws secretsmanager get-secret-value --region "$(echo "$2" | cut -d: -f4)" --secret-id "$2" --query SecretString --output text > "${SECRETS_DIR}/$1"; }`,
    ...reads,
  ].join('\n');
  const mount: k8s.VolumeMount = { name: VOLUME, mountPath: SECRETS_DIR };
  return {
    initContainers: [
      {
        name: 'fetch-secrets',
        image,
        command: ['/bin/sh', '-c', script],
        env: [{ name: 'HOME', value: '/tmp' }],
        securityContext: RESTRICTED_CONTAINER,
        resources: {
          requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('128Mi') },
          limits: { memory: k8s.Quantity.fromString('256Mi') },
        },
        volumeMounts: [mount, { name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volumes: [{ name: VOLUME, emptyDir: { medium: 'Memory', sizeLimit } }],
    mounts: [{ ...mount, readOnly: true }],
    // "$@" is the entrypoint followed by the container's args (Kubernetes: command replaces ENTRYPOINT, args CMD).
    command: [
      '/bin/sh',
      '-c',
      `for f in ${SECRETS_DIR}/*; do export "\${f##*/}=$(cat "$f")"; done; exec "$@"`,
      'server',
      ...entrypoint,
    ],
  };
}
