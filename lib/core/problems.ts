import type { Problem } from './problem';

export type { Problem };

/** Renders one problem as `field (value) message`. */
export function renderProblem(field: string, value: unknown, message: string): string {
  const shown = value === undefined ? '' : ` (${renderValue(value)})`;
  return `${field}${shown} ${message}`;
}

/** Throws one error that lists every problem, or returns when there is none. */
export function throwIfProblems(who: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  if (problems.length === 1) throw new Error(`${who}: ${renderProblem(problems[0].field, problems[0].value, problems[0].message)}`);
  throw new Error([`${who} has ${problems.length} problems:`, ...problems.map((p) => `  - ${renderProblem(p.field, p.value, p.message)}`)].join('\n'));
}

/** Collects problems for a check: `check(ok, field, value, message)` records one unless `ok`. */
export class ProblemList {
  public readonly problems: Problem[] = [];

  public add(field: string, value: unknown, message: string): void {
    this.problems.push({ field, value, message });
  }

  public check(ok: boolean, field: string, value: unknown, message: string): boolean {
    if (!ok) this.add(field, value, message);
    return ok;
  }
}

function renderValue(v: unknown): string {
  // Numbers as written (JSON.stringify shows Infinity and NaN as null).
  const text = typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : safeJson(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return '(a value that refers to itself)';
  }
}
