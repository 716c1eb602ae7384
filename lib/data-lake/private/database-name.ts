/** The Glue database name of a zone: `<prefix>_<zone>` with hyphens as underscores (Glue and Athena names). */
export function zoneDatabaseName(prefix: string, zone: string): string {
  return `${prefix}_${zone}`.replace(/-/g, '_');
}
