/**
 * Evaluates a CloudWatch metric math expression made of arithmetic and `PERIOD(id)` (the period of a metric in
 * seconds: CloudWatch user guide, "Metric math syntax and functions") for one data point, given each metric's
 * value in that period. Anything else throws, so a test never passes on a form this does not know.
 */
export function evaluate(expression: string, values: Record<string, number>, periodSeconds: number): number {
  const arithmetic = expression
    .replace(/PERIOD\(([a-z]\w*)\)/g, (_, id: string) => {
      if (!(id in values)) throw new Error(`PERIOD of unknown metric ${id}`);
      return String(periodSeconds);
    })
    .replace(/\b[a-z]\w*\b/g, (id) => {
      if (!(id in values)) throw new Error(`unknown metric ${id} in ${expression}`);
      return `(${values[id]})`;
    });
  if (!/^[\d.\s+\-*/()]*$/.test(arithmetic)) throw new Error(`not plain arithmetic: ${expression}`);
  return Function(`return (${arithmetic});`)() as number;
}
