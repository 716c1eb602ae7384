/** Replaces what changes with every build of an asset, so snapshots stay stable across machines and versions. */
const ASSET_HASH = /[0-9a-f]{64}/g;
const ASSET_ZIP = /[0-9a-f]{64}\.zip/g;

/** Masks asset hashes (64 hex characters, with or without `.zip`) in any JSON-like value. */
export function maskAssetHashes<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v) =>
    typeof v === 'string' ? v.replace(ASSET_ZIP, '[ASSET].zip').replace(ASSET_HASH, '[ASSET]') : v,
  );
}

/** True when a string holds an asset hash. */
export function hasAssetHash(value: string): boolean {
  return new RegExp(ASSET_HASH.source).test(value);
}
