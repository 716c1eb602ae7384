import { ValidationError } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Problem } from './problem';

export type { Problem };

/** Renders one problem as `field (value) message`. */
export function renderProblem(field: string, value: unknown, message: string): string {
  const shown = value === undefined ? '' : ` (${renderValue(value)})`;
  return `${field}${shown} ${message}`;
}

/**
 * Input refused: a construct's props or a definition have problems, each with its field path, the value found
 * and what is valid. When a construct refuses its props, `constructPath` names it (e.g.
 * `AiPlatform/Platform/Pool-gpu`).
 *
 * It is aws-cdk-lib's `ValidationError`, so `Errors.isValidationError(e)` (aws-cdk-lib's public guard) is true
 * and CDK renders it as it renders its own: `constructPath`, `constructInfo`, and a stack that ends with the
 * construct's place in the tree (aws-cdk-lib core/lib/errors.js, ConstructError). That class is marked
 * internal in aws-cdk-lib; test/definition/validation.test.ts pins what this relies on.
 * (TypeScript and JavaScript only: jsii cannot carry an Error subclass; other languages get the message.)
 * @jsii ignore
 */
export class PlatformValidationError extends ValidationError {
  /** Every problem found, with field paths relative to the props (or the definition) checked. */
  public readonly problems: readonly Problem[];

  /**
   * @param who what was checked, e.g. `GpuNodePool 'gpu'` (starts the message)
   * @param scope the construct refusing its props, when there is one
   * @param heading the first line, when every problem is listed under it (a definition: `The platform definition in … has N problems:`)
   */
  constructor(who: string, problems: readonly Problem[], scope?: IConstruct, heading?: string) {
    // aws-cdk-lib's ConstructError reads the scope as optional (`scope?.node.path`); its type asks for one.
    // The name (`PlatformValidationError`, `DefinitionError`) heads the stack CDK renders: `«DefinitionError» ...`.
    super(new.target.name as never, renderProblems(who, problems, heading), scope as IConstruct);
    // ConstructError sets the prototype to its own classes; restore this one (and a subclass's).
    Object.setPrototypeOf(this, new.target.prototype);
    this.problems = problems;
  }
}

/** Throws one PlatformValidationError that lists every problem, or returns when there is none. */
export function throwIfProblems(who: string, problems: readonly Problem[], scope?: IConstruct): void {
  if (problems.length > 0) throw new PlatformValidationError(who, problems, scope);
}

function renderProblems(who: string, problems: readonly Problem[], heading?: string): string {
  const lines = problems.map((p) => renderProblem(p.field, p.value, p.message));
  if (heading === undefined && lines.length === 1) return `${who}: ${lines[0]}`;
  return [heading ?? `${who} has ${problems.length} problems:`, ...lines.map((l) => `  - ${l}`)].join('\n');
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
