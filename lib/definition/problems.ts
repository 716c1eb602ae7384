import { PlatformValidationError, renderProblem, type Problem } from '../core/problems';

/** One thing wrong with a definition: where, what was there, and what would be valid. */
export interface DefinitionProblem {
  /** Field path, e.g. `nodePools[1].maxNodes`. */
  readonly path: string;
  /** The same path, under the name every problem of the library uses (`Problem.field`). */
  readonly field: string;
  /** The value found (undefined when the field is missing). */
  readonly value?: unknown;
  /** What is wrong and what is valid, e.g. `must be >= minNodes (4)`. */
  readonly message: string;
  /** For a warning: the reason the definition gives for accepting it (`acknowledgeWarnings`). */
  readonly acknowledged?: string;
}

/** Renders a problem as one line: `nodePools[1].maxNodes (2) must be >= minNodes (4)`. */
export function formatProblem(p: DefinitionProblem): string {
  return renderProblem(p.path, p.value, p.message);
}

/**
 * A warning of the definition in the definition's words: the field, what is wrong, and how the definition
 * accepts it (`acknowledgeWarnings`), e.g. `monitoring.monthlyBudgetUsd (500) is below ...; to accept it, add
 * to the definition: acknowledgeWarnings: [{ warning: 'monitoring.monthlyBudgetUsd', reason: '<why it is acceptable>' }]`.
 */
export function formatWarning(w: DefinitionProblem): string {
  return `${formatProblem(w)}; to accept it, add to the definition: acknowledgeWarnings: [{ warning: '${w.path}', reason: '<why it is acceptable>' }]`;
}

/** A definition problem at `path`. */
export function definitionProblem(path: string, value: unknown, message: string): DefinitionProblem {
  return { path, field: path, value, message };
}

/**
 * Thrown by `resolveDefinition` and `loadDefinitionFile` when a definition has problems; lists every one of
 * them. A PlatformValidationError (so `Errors.isValidationError` is true) whose problems are definition paths.
 * (TypeScript and JavaScript only: jsii cannot carry an Error subclass; other languages get the same
 * message in their runtime error, and `PlatformDefinition.validate` returns the problems.)
 * @jsii ignore
 */
export class DefinitionError extends PlatformValidationError {
  public readonly problems: DefinitionProblem[];

  constructor(problems: DefinitionProblem[], source?: string) {
    const where = source ? ` in ${source}` : '';
    super(
      'The platform definition',
      problems,
      undefined,
      `The platform definition${where} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`,
    );
    this.problems = problems;
  }
}

/**
 * Collects problems and warnings while a definition is checked.
 * @jsii ignore
 */
export class ProblemCollector {
  public readonly problems: DefinitionProblem[] = [];
  public readonly warnings: DefinitionProblem[] = [];

  public error(path: string, value: unknown, message: string): void {
    this.problems.push(definitionProblem(path, value, message));
  }

  public warn(path: string, value: unknown, message: string): void {
    this.warnings.push(definitionProblem(path, value, message));
  }

  /** Records a domain's problems under a definition path (`nodePools[1]`). */
  public addAll(at: string, problems: Problem[]): void {
    for (const p of problems) this.error(`${at}.${p.field}`, p.value, p.message);
  }

  /** Records a problem unless `ok`; returns `ok`. */
  public check(ok: boolean, path: string, value: unknown, message: string): boolean {
    if (!ok) this.error(path, value, message);
    return ok;
  }
}
