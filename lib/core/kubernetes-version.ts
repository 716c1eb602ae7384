import type { IConstruct } from 'constructs';
import { findKubernetesVersion, supportedKubernetesVersions, type KubernetesVersionEntry } from '../catalog/versions';
import { PlatformValidationError } from './problems';

/**
 * The catalog entry of the Kubernetes version a construct was given. An unsupported version is refused as
 * input (a PlatformValidationError naming the field, the value and the supported versions), not as a fault.
 */
export function kubernetesVersionEntry(
  version: string,
  who: string,
  scope?: IConstruct,
  field = 'kubernetesVersion',
): KubernetesVersionEntry {
  const entry = findKubernetesVersion(version);
  if (!entry) {
    throw new PlatformValidationError(
      who,
      [{ field, value: version, message: `must be one of: ${supportedKubernetesVersions().join(', ')}` }],
      scope,
    );
  }
  return entry;
}
