import { loadDefinitionFile } from './load';
import { formatProblem, type DefinitionProblem } from './problems';
import { resolveDefinition, validateDefinition } from './resolve';
import type { ResolvedDefinition } from './resolved';

/**
 * The definition's entry points as static methods, so every jsii language has them (free functions do not
 * cross jsii). TypeScript users may also call `loadDefinitionFile`, `validateDefinition`,
 * `resolveDefinition` and `formatProblem` directly.
 */
export class PlatformDefinition {
  /**
   * Reads a definition file (`.yaml`, `.yml` or `.json`) as plain data with the strict loader (duplicate
   * keys, alias bombs, depth and size limits). Check it with `validate` or `resolve`.
   */
  public static load(path: string): any {
    return loadDefinitionFile(path);
  }

  /** Every problem of a definition (TypeScript data or loaded from a file); empty when it is valid. */
  public static validate(definition: any): DefinitionProblem[] {
    return validateDefinition(definition);
  }

  /** The definition with every default applied and every catalog fact looked up; throws listing every problem. */
  public static resolve(definition: any, source?: string): ResolvedDefinition {
    return resolveDefinition(definition, source);
  }

  /** One problem as a line: `nodePools[1].maxNodes (2) must be >= minNodes (4)`. */
  public static formatProblem(problem: DefinitionProblem): string {
    return formatProblem(problem);
  }

  private constructor() {}
}
