/**
 * What to tell a user about a field that the object it is written in does not have: where that name is a field
 * (another object of the definition), or that no object has it; and a near-miss spelling of a field valid there.
 * `owners` maps each field name to the paths of the objects that have it (`inference[]`; '' for the top level).
 */
export function unknownFieldMessage(
  key: string,
  validHere: readonly string[],
  owners: ReadonlyMap<string, readonly string[]>,
): string {
  const elsewhere = owners.get(key);
  const near = nearMiss(key, validHere);
  const where = elsewhere
    ? `is not a known field here: it is a field of ${elsewhere.map((o) => (o ? `\`${o}\`` : 'the top level of the definition')).join(' and ')}`
    : 'is not a known field (no object of the definition has it)';
  const valid = validHere.join(', ');
  return near
    ? `${where}; did you mean \`${near}\`? Valid fields here: ${valid}`
    : `${where}; valid fields here: ${valid}`;
}

/** The field valid here closest to `key` (ignoring case first), if it is at most 2 edits away and not a rewrite. */
function nearMiss(key: string, candidates: readonly string[]): string | undefined {
  const sameLetters = candidates.find((c) => c.toLowerCase() === key.toLowerCase());
  if (sameLetters) return sameLetters;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    // Fewer edits than the word has letters: `ab` is not a spelling of `name`.
    if (distance <= 2 && distance < Math.min(key.length, name.length) && (!best || distance < best.distance))
      best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}
