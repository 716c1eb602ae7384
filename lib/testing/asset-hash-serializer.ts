/**
 * A jest snapshot serializer that masks asset hashes in strings:
 * `snapshotSerializers: ['<your-project>/node_modules/<this library>/lib/testing/asset-hash-serializer']`.
 */
import { hasAssetHash, maskAssetHashes } from './mask';

export function test(value: unknown): boolean {
  return typeof value === 'string' && hasAssetHash(value);
}

export function serialize(value: string): string {
  return JSON.stringify(maskAssetHashes(value));
}
