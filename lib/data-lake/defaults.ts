import { deepFreeze } from '../catalog/deep-freeze';
/** Defaults of DataLake and ZoneBucket (reused by the definition). */
export const DATA_LAKE_DEFAULTS = deepFreeze({
  zones: ['raw', 'curated', 'features', 'models'] as readonly string[],
  archiveAfterDays: 90,
  noncurrentVersionExpirationDays: 30,
  lakeFormation: false,
} as const);
