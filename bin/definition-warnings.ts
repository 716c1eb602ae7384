import { formatWarning, type DefinitionProblem } from '../lib/definition/problems';

/**
 * The definition's warnings not yet accepted, in the definition's words, for the reference app to print after
 * synth. The CDK CLI also lists them, as annotations, with its own way to accept them (`Acknowledge with
 * 'Annotation::…'`, an id for code that builds the app); a definition accepts them in `acknowledgeWarnings`.
 * Empty when there is none.
 */
export function definitionWarningsSummary(warnings: readonly DefinitionProblem[], source?: string): string {
  const open = warnings.filter((w) => w.acknowledged === undefined);
  if (open.length === 0) return '';
  const where = source ? `The definition ${source}` : 'The definition';
  return (
    [
      `${where} raises ${open.length} warning${open.length === 1 ? '' : 's'} (accept ${open.length === 1 ? 'it' : 'each'} in the definition's acknowledgeWarnings, not with the 'Annotation::' id the CDK CLI shows):`,
      ...open.map((w) => `  - ${formatWarning(w)}`),
    ].join('\n') + '\n'
  );
}
