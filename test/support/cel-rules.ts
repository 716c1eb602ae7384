/**
 * The vendored CRDs' CEL validation rules (`x-kubernetes-validations`, crds/**.yaml) evaluated against a
 * custom-resource manifest the way the API server does it
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules):
 *
 * - the manifest is matched to its CRD version by apiVersion group/version and kind;
 * - as on a create request, unknown fields are pruned (unless x-kubernetes-preserve-unknown-fields) and
 *   schema defaults applied before validation;
 * - the schema is walked alongside the object; a rule at a schema node runs with `self` bound to the value
 *   at that node, and only where that value is present;
 * - `type: integer` (and integer x-kubernetes-int-or-string) values are CEL ints, `number` values doubles;
 * - transition rules (those referring to `oldSelf`) only run on updates: they are skipped and reported as
 *   skipped;
 * - a rule that evaluates to false, or fails to evaluate, is a violation rendered as the API server renders
 *   it: `<field path>: Invalid value: "<type>": <message>`.
 *
 * CEL: @bufbuild/cel with its `strings` extension (cel-go's ext.Strings, which Kubernetes also enables:
 * `split`, `lowerAscii`, `indexOf`, ...). `matches` is standard CEL, run by @bufbuild/cel on RE2 as in
 * Kubernetes.
 *
 * Shims — Kubernetes CEL library functions the rules in crds/ use and @bufbuild/cel lacks (each one is
 * exercised in test/contracts/admission.cases.ts through SHIMMED_FUNCTIONS):
 * - `<string>.find(<regex>) -> string`: the first (leftmost) match of the regex, or "" when none
 *   (k8s.io/apiserver/pkg/cel/library/regex.go). Used by the Karpenter NodePool label/requirement-key rules
 *   and the EC2NodeClass amiFamily/alias rules.
 */
import { CelScalar, celEnv, celMethod, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** Kubernetes CEL functions added on top of @bufbuild/cel, by name; see the file comment. */
export const SHIMMED_FUNCTIONS = {
  // Go's regexp FindString is leftmost-first, as JS RegExp is; the patterns in crds/ (`^([^/]+)`) mean the
  // same in RE2 and JS. (@bufbuild/re2, which @bufbuild/cel uses for `matches`, only answers match/no-match.)
  find: celMethod(
    'find',
    CelScalar.STRING,
    [CelScalar.STRING],
    CelScalar.STRING,
    function (this: string, regex: string) {
      return new RegExp(regex, 'u').exec(this)?.[0] ?? '';
    },
  ),
};

const ENV: CelEnv = celEnv({ funcs: [...strings, ...Object.values(SHIMMED_FUNCTIONS)] });
const planned = new Map<string, (bindings: Record<string, unknown>) => unknown>();

/** Evaluates one CEL expression with the environment the CRD rules get (for tests of the shims). */
export function celEvaluate(expression: string, bindings: Record<string, unknown>): unknown {
  let fn = planned.get(expression);
  if (!fn) {
    fn = plan(ENV, parse(expression)) as (bindings: Record<string, unknown>) => unknown;
    planned.set(expression, fn);
  }
  const result = fn(bindings);
  if (isCelError(result)) throw new Error(result.message);
  return result;
}

// ---- CRDs ----

interface CrdVersion {
  group: string;
  kind: string;
  version: string;
  schema: any;
  file: string;
}

let crdCache: CrdVersion[] | undefined;

function crds(): CrdVersion[] {
  if (crdCache) return crdCache;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { crdDocuments } = require('./crd-documents.cjs') as { crdDocuments(): { file: string; doc: any }[] };
  crdCache = crdDocuments()
    .filter(({ doc }) => doc?.kind === 'CustomResourceDefinition')
    .flatMap(({ file, doc: crd }) =>
      (crd.spec.versions as any[]).map((v) => ({
        group: crd.spec.group,
        kind: crd.spec.names.kind,
        version: v.name,
        schema: v.schema.openAPIV3Schema,
        file,
      })),
    );
  return crdCache;
}

/** The vendored CRD version a manifest is an instance of, if any. */
export function crdFor(manifest: any): CrdVersion | undefined {
  const [group, version] = String(manifest?.apiVersion ?? '').split('/');
  return crds().find((c) => c.group === group && c.version === version && c.kind === manifest?.kind);
}

/** Every CEL rule in the vendored CRDs (all served versions), with where it sits. */
export function allCelRules(): { file: string; version: string; path: string; rule: string; message?: string }[] {
  const out: { file: string; version: string; path: string; rule: string; message?: string }[] = [];
  const visit = (c: CrdVersion, n: any, path: string): void => {
    if (Array.isArray(n)) n.forEach((v, i) => visit(c, v, `${path}[${i}]`));
    else if (n && typeof n === 'object') {
      for (const v of n['x-kubernetes-validations'] ?? [])
        out.push({ file: c.file, version: c.version, path, rule: v.rule, message: v.message });
      for (const [k, v] of Object.entries(n))
        if (k !== 'x-kubernetes-validations') visit(c, v, path ? `${path}.${k}` : k);
    }
  };
  for (const c of crds()) visit(c, c.schema, '');
  return out;
}

// ---- the walk ----

export interface RuleOutcome {
  /** Field path of the schema node the rule sits on, e.g. `spec.template.metadata.labels`. */
  path: string;
  rule: string;
  message: string;
  outcome: 'passed' | 'failed' | 'error' | 'skipped (transition rule)';
  detail?: string;
}

const TRANSITION = /\boldSelf\b/;

/**
 * The object as the API server holds it when validating a create: unknown fields pruned, defaults
 * applied, integers as bigint.
 */
function toCel(schema: any, value: any): any {
  if (value === null || value === undefined || !schema) return value;
  if (schema['x-kubernetes-int-or-string'] && typeof value === 'number')
    return Number.isInteger(value) ? BigInt(value) : value;
  switch (schema.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
    case 'number':
      return value;
    case 'array':
      return Array.isArray(value) ? value.map((v) => toCel(schema.items, v)) : value;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      const props = schema.properties;
      for (const [k, v] of Object.entries(value)) {
        if (props?.[k]) out[k] = toCel(props[k], v);
        else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
          out[k] = toCel(schema.additionalProperties, v);
        else if (
          schema.additionalProperties === true ||
          schema['x-kubernetes-preserve-unknown-fields'] ||
          (!props && !schema.additionalProperties)
        )
          out[k] = untyped(v);
        // else: pruned
      }
      for (const [k, p] of Object.entries<any>(props ?? {})) {
        if (!(k in out) && p.default !== undefined) out[k] = toCel(p, JSON.parse(JSON.stringify(p.default)));
      }
      return out;
    }
    default:
      return untyped(value);
  }
}

function untyped(value: any): any {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(untyped);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untyped(v)]));
  return value;
}

function celTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'bigint') return 'integer';
  return typeof v;
}

function walk(schema: any, value: any, path: string, out: RuleOutcome[]): void {
  if (value === undefined || value === null || !schema) return;
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    const base = {
      path,
      rule: v.rule as string,
      message: (v.message as string | undefined) ?? `failed rule: ${v.rule}`,
    };
    if (TRANSITION.test(v.rule)) {
      out.push({ ...base, outcome: 'skipped (transition rule)' });
      continue;
    }
    try {
      const result = celEvaluate(v.rule, { self: value });
      out.push({
        ...base,
        outcome: result === true ? 'passed' : 'failed',
        detail: result === true ? undefined : `Invalid value: "${celTypeName(value)}": ${base.message}`,
      });
    } catch (e) {
      out.push({
        ...base,
        outcome: 'error',
        detail: `Invalid value: "${celTypeName(value)}": ${base.message} (evaluation error: ${(e as Error).message})`,
      });
    }
  }
  const join2 = (k: string) => (path ? `${path}.${k}` : k);
  if (schema.type === 'object' || schema.properties || schema.additionalProperties) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties?.[k]) walk(schema.properties[k], v, join2(k), out);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        walk(schema.additionalProperties, v, `${path}[${k}]`, out);
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((v, i) => walk(schema.items, v, `${path}[${i}]`, out));
  }
}

/** Every CEL rule that applies to the manifest, with its outcome; [] for manifests of no vendored CRD. */
export function celRuleOutcomes(manifest: any): RuleOutcome[] {
  const crd = crdFor(manifest);
  if (!crd) return [];
  const out: RuleOutcome[] = [];
  walk(crd.schema, toCel(crd.schema, manifest), '', out);
  return out;
}

/** The CEL rules the manifest breaks, as `<Kind>/<name> <path>: Invalid value: "<type>": <message>`. */
export function celViolations(manifest: any): string[] {
  const who = `${manifest?.kind}/${manifest?.metadata?.namespace ? `${manifest.metadata.namespace}/` : ''}${manifest?.metadata?.name}`;
  return celRuleOutcomes(manifest)
    .filter((o) => o.outcome === 'failed' || o.outcome === 'error')
    .map((o) => `${who} ${o.path || '<root>'}: ${o.detail}`);
}
