/** Small shared checks for definition rules. */

/** A DNS-1123 label usable as a Kubernetes name and in AWS resource names. */
export const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

export const NAME_HINT = 'lowercase letters, digits and "-", starting with a letter and not ending with "-"';

/** Names that appear more than once, with the index of each repeat. */
export function duplicates(names: string[]): { name: string; index: number }[] {
  const seen = new Set<string>();
  const out: { name: string; index: number }[] = [];
  names.forEach((name, index) => {
    if (seen.has(name)) out.push({ name, index });
    seen.add(name);
  });
  return out;
}
