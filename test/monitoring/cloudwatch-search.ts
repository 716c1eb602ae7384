/**
 * A model of which metrics a CloudWatch SEARCH expression finds, as the CloudWatch user guide states it
 * ("CloudWatch search expression syntax": metric schema, tokenization, partial matches, exact matches,
 * property names, non-alphanumeric characters, Boolean operators):
 * - `{Namespace,Dim1,...}` finds metrics of that namespace with exactly those dimension names;
 * - a quoted term matches only a whole metric name, namespace, dimension name or value;
 * - an unquoted term is tokenized like the names are, and matches when its tokens appear consecutively
 *   in a name's tokens (one token: case-insensitive; a composite: case-sensitive);
 * - `Name=term` restricts the term to that property; `Name=(a OR b)` takes either; terms side by side AND.
 * Anything else throws, so a test never passes on a form the model does not know.
 */
export interface SearchableMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** Tokens CloudWatch generates: split at non-alphanumerics, camel case and digit runs ("Project2-trial333" → Project, 2, trial, 333). */
export function tokens(s: string): string[] {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .flatMap((run) => run.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []);
}

function termMatches(term: string, value: string): boolean {
  if (term.startsWith('"')) return JSON.parse(term) === value;
  const want = tokens(term);
  const have = tokens(value);
  if (want.length === 0) throw new Error(`search term '${term}' has no tokens`);
  const same =
    want.length === 1
      ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
      : (a: string, b: string) => a === b;
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((w, j) => same(w, have[i + j]))) return true;
  }
  return false;
}

/** Splits on spaces outside quotes and parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && /\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function alternatives(value: string): string[] {
  if (!value.startsWith('(')) return [value];
  return splitTerms(value.slice(1, -1)).filter((x) => x !== 'OR');
}

/** Whether the SEARCH in `expression` finds `metric`. */
export function searchFinds(expression: string, metric: SearchableMetric): boolean {
  const m = /SEARCH\('\s*(?:\{([^}]*)\})?\s*(.*?)\s*',/.exec(expression);
  if (!m) throw new Error(`no SEARCH in ${expression}`);
  const [, schema, query] = m;
  if (schema !== undefined) {
    const [ns, ...dims] = schema.split(',').map((x) => x.trim());
    if (ns !== metric.namespace) return false;
    if ([...dims].sort().join(',') !== Object.keys(metric.dimensions).sort().join(',')) return false;
  }
  return splitTerms(query).every((term) => {
    if (['AND', 'OR', 'NOT'].includes(term)) throw new Error(`the model knows implicit AND only, not '${term}'`);
    const eq = term.indexOf('=');
    if (eq < 0) {
      return [
        metric.namespace,
        metric.metricName,
        ...Object.keys(metric.dimensions),
        ...Object.values(metric.dimensions),
      ].some((v) => termMatches(term, v));
    }
    const [name, value] = [term.slice(0, eq), term.slice(eq + 1)];
    const target =
      name === 'MetricName' ? metric.metricName : name === 'Namespace' ? metric.namespace : metric.dimensions[name];
    return target !== undefined && alternatives(value).some((v) => termMatches(v, target));
  });
}
