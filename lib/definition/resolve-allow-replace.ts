import type { ProblemCollector } from './problems';
import type { ReplaceAllowance } from './types';

/** The items a stack policy protects and `allowReplace` may name: `zone:<zone>`, `key:lake`, `pool:<pool>`. */
const ITEM = /^(?:zone:[a-z0-9][a-z0-9-]*|pool:[a-z][a-z0-9-]*|key:lake)$/;

/**
 * Checks `allowReplace`. An item may name a zone or pool the definition no longer has: removing one is the change
 * the entry allows.
 */
export function resolveAllowReplace(entries: ReplaceAllowance[], out: ProblemCollector): ReplaceAllowance[] {
  entries.forEach((e, i) => {
    out.check(
      ITEM.test(e.item),
      `allowReplace[${i}].item`,
      e.item,
      "must be 'zone:<zone>' (a zone bucket), 'key:lake' (the lake's KMS key) or 'pool:<pool>' (a protected pool's node group)",
    );
    out.check(
      e.reason.trim().length > 0,
      `allowReplace[${i}].reason`,
      e.reason,
      'must say why replacing or deleting the item is safe',
    );
  });
  return entries.map((e) => ({ item: e.item, reason: e.reason }));
}
