import { deepFreeze } from '../catalog/deep-freeze';
import type { ProblemCollector } from './problems';
import { DEFINITION_JSON_SCHEMA } from './private/definition-schema.generated';
import { fieldSchemaOf, type FieldSchema } from './private/field-schema';
import { unknownFieldMessage } from './private/unknown-field';

/**
 * The shape of a definition as data, so a JSON or YAML file is checked against exactly the fields of
 * `AiPlatformDefinition` (unknown fields are errors, like a typo in TypeScript). Generated from the types by
 * `npm run schema` (CI fails when the generated file is stale), so the fields are written once.
 */
export const DEFINITION_SCHEMA: FieldSchema = deepFreeze(fieldSchemaOf(DEFINITION_JSON_SCHEMA));

/**
 * Every field name of the definition and the paths of the objects that have it (`inference[]`,
 * `pipelines[].table`, '' for the top level), read from DEFINITION_SCHEMA, so a field written in the wrong
 * object can be sent where it lives.
 */
function fieldOwners(schema: FieldSchema): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  const visit = (s: FieldSchema, at: string): void => {
    if (s.kind === 'array') visit(s.items, `${at}[]`);
    if (s.kind !== 'object') return;
    for (const [key, field] of Object.entries(s.fields)) {
      owners.set(key, [...(owners.get(key) ?? []), at]);
      visit(field, at ? `${at}.${key}` : key);
    }
  };
  visit(schema, '');
  return owners;
}

let owners: Map<string, string[]> | undefined;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : 'infinity';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A field's path: `a.b` for plain names, `a["odd key"]` for names that would read ambiguously (or be empty). */
export function fieldPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path || '(definition)'}[${JSON.stringify(key)}]`;
}

/** Integer fields are stored by Kubernetes and AWS APIs as 32-bit integers at most. */
const MAX_INTEGER = 2_147_483_647;

/**
 * Checks a value against a schema and records every mismatch. Returns true when every value has the right
 * type, so the semantic rules can rely on the types; unknown fields are reported but do not stop them.
 */
export function checkShape(value: unknown, schema: FieldSchema, path: string, out: ProblemCollector): boolean {
  const typeErrors = { count: 0 };
  walk(value, schema, path, out, typeErrors);
  return typeErrors.count === 0;
}

function walk(
  value: unknown,
  schema: FieldSchema,
  path: string,
  out: ProblemCollector,
  typeErrors: { count: number },
): void {
  const before = out.problems.length;
  walkField(value, schema, path, out, typeErrors);
  if (schema.kind !== 'object' && schema.kind !== 'array') typeErrors.count += out.problems.length - before;
}

function walkField(
  value: unknown,
  schema: FieldSchema,
  path: string,
  out: ProblemCollector,
  typeErrors: { count: number },
): void {
  const where = path || '(definition)';
  switch (schema.kind) {
    case 'string':
      if (typeof value === 'number') {
        out.error(where, value, `must be a string, not a number; in YAML quote it ("${value}")`);
      } else if (typeof value !== 'string') {
        out.error(where, value, `must be a string, not ${typeName(value)}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.error(where, value, 'must be true or false');
      return;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.error(where, value, `must be a finite number, not ${typeName(value)}`);
      } else if (schema.kind === 'integer' && !Number.isInteger(value)) {
        out.error(where, value, 'must be a whole number');
      } else if (schema.kind === 'integer' && Math.abs(value) > MAX_INTEGER) {
        out.error(where, value, `must be between -${MAX_INTEGER} and ${MAX_INTEGER}`);
      }
      return;
    case 'enum':
      if (typeof value !== 'string' || !schema.values.includes(value)) {
        out.error(where, value, `must be one of: ${schema.values.join(', ')}`);
      }
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.error(where, value, `must be a map of strings to strings, not ${typeName(value)}`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string')
          out.error(
            fieldPath(path, k),
            v,
            typeof v === 'number' ? `must be a string, not a number; in YAML quote it ("${v}")` : 'must be a string',
          );
      }
      return;
    case 'array':
      if (!Array.isArray(value)) {
        out.error(where, value, `must be a list, not ${typeName(value)}`);
        typeErrors.count++;
        return;
      }
      value.forEach((item, i) => walk(item, schema.items, `${path}[${i}]`, out, typeErrors));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.error(where, value, `must be an object, not ${typeName(value)}`);
        typeErrors.count++;
        return;
      }
      const record = value as Record<string, unknown>;
      const known = Object.keys(schema.fields);
      for (const key of Object.keys(record)) {
        // Own properties only: `constructor` or `toString` are not fields, whatever Object.prototype says.
        if (!Object.prototype.hasOwnProperty.call(schema.fields, key)) {
          owners ??= fieldOwners(DEFINITION_SCHEMA);
          out.error(fieldPath(path, key), undefined, unknownFieldMessage(key, known, owners));
        }
      }
      for (const [key, field] of Object.entries(schema.fields)) {
        const childPath = path ? `${path}.${key}` : key;
        const present = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
        if (present === undefined) {
          if (field.required) {
            out.error(childPath, undefined, 'is required');
            typeErrors.count++;
          }
        } else {
          walk(present, field, childPath, out, typeErrors);
        }
      }
      return;
    }
  }
}
