/**
 * The shape of a definition as the loader walks it, read from the JSON Schema that `npm run schema` generates
 * from the TypeScript types: the fields are stated once, in `types.ts`.
 */
export type FieldSchema =
  | { readonly kind: 'string' | 'integer' | 'number' | 'boolean'; readonly required?: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly required?: boolean }
  | { readonly kind: 'array'; readonly items: FieldSchema; readonly required?: boolean }
  | { readonly kind: 'map'; readonly required?: boolean }
  | { readonly kind: 'object'; readonly fields: Record<string, FieldSchema>; readonly required?: boolean };

/** The parts of JSON Schema (draft 07) that ts-json-schema-generator writes for plain-data types. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly enum?: readonly unknown[];
  /** A one-member enum. */
  readonly const?: unknown;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly definitions?: Readonly<Record<string, JsonSchema>>;
}

/**
 * The field schema of a generated JSON Schema document. Throws on a construct the loader cannot walk (a union,
 * a map of non-strings): a type the definition must not use, caught when `npm run schema` output is loaded.
 */
export function fieldSchemaOf(doc: JsonSchema): FieldSchema {
  const definitions = doc.definitions ?? {};
  const convert = (s: JsonSchema, at: string, required: boolean): FieldSchema => {
    if (s.$ref) {
      const name = s.$ref.replace(/^#\/definitions\//, '');
      const target = definitions[name];
      if (!target) throw new Error(`definition schema: ${at || '(definition)'} refers to a missing ${s.$ref}`);
      return convert(target, at, required);
    }
    const values = s.enum ?? (s.const === undefined ? undefined : [s.const]);
    if (values) {
      if (!values.every((v): v is string => typeof v === 'string'))
        throw new Error(`definition schema: ${at} is an enum of non-strings; closed choices are string-valued enums`);
      return { kind: 'enum', values, required };
    }
    switch (s.type) {
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
        return { kind: s.type, required };
      case 'array':
        if (!s.items) throw new Error(`definition schema: ${at} is a list without an item type`);
        return { kind: 'array', items: convert(s.items, `${at}[]`, false), required };
      case 'object':
        if (s.properties) {
          const need = new Set(s.required ?? []);
          const fields = Object.fromEntries(
            Object.entries(s.properties).map(([key, field]) => [
              key,
              convert(field, at ? `${at}.${key}` : key, need.has(key)),
            ]),
          );
          return { kind: 'object', fields, required };
        }
        if (typeof s.additionalProperties === 'object' && s.additionalProperties.type === 'string')
          return { kind: 'map', required };
    }
    throw new Error(
      `definition schema: ${at || '(definition)'} has a type the loader cannot check: ${JSON.stringify(s)}`,
    );
  };
  return convert(doc, '', true);
}
