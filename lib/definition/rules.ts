/** Small shared checks for definition rules. */

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
