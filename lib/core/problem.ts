/**
 * One thing wrong with the input of a construct or a definition: which field, what was there, and what
 * would be valid. Domains return these from their static checks with field names relative to their own
 * props; the definition prefixes its path (`nodePools[1].`), a construct throws them together.
 */
export interface Problem {
  /** The field, relative to the props or spec checked, e.g. `maxNodes` or `instanceTypes[1]`. */
  readonly field: string;
  /** The value found (undefined when the field is missing). */
  readonly value?: any;
  /** What is wrong and what is valid, e.g. `must be >= minNodes (4)`. */
  readonly message: string;
}
