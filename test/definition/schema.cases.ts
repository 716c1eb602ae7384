import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { loadDefinitionFile } from '../../lib';
import { fieldSchemaOf } from '../../lib/definition/private/field-schema';

// The schema users' editors read (schema/ai-platform.schema.json, generated from the types with the TSDoc as
// descriptions) holds every example definition file, and refuses what the loader refuses.
const EDITOR_SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../schema/ai-platform.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(EDITOR_SCHEMA);
const EXAMPLES = join(__dirname, '../../examples');
const FILES = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));

test.each(FILES)('the editor schema accepts the example %s', (file) => {
  validate(loadDefinitionFile(join(EXAMPLES, file)));
  expect(validate.errors ?? []).toEqual([]);
});

test.each([
  ['an unknown field', { nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 1, colour: 'b' }] }],
  [
    'a fraction where a whole number goes',
    { nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 1.5 }] },
  ],
  [
    'a word outside an enum',
    { nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 1, capacityType: 'cheap' }] },
  ],
  ['a missing required field', { nodePools: [{ name: 'gpu', maxNodes: 1 }] }],
])('the editor schema refuses %s', (_name, change) => {
  expect(validate({ name: 'acme-ml', ...change })).toBe(false);
});

test('the editor schema describes fields with their TSDoc and keeps JSON defaults', () => {
  const pool = EDITOR_SCHEMA.definitions.NodePoolDefinition.properties;
  expect(pool.diskGiB).toEqual({ type: 'integer', description: 'Root volume size (gp3, encrypted).', default: 100 });
  expect(pool.capacityType.description).toBe('Default: CapacityType.ON_DEMAND.');
});

test('a type the loader cannot walk is refused when the schema is read, naming the field', () => {
  const doc = (field: object) => ({
    type: 'object',
    properties: { pool: { type: 'object', properties: { x: field } } },
  });
  expect(() => fieldSchemaOf(doc({ anyOf: [{ type: 'string' }, { type: 'number' }] }))).toThrow(
    /^definition schema: pool\.x has a type the loader cannot check/,
  );
  expect(() => fieldSchemaOf(doc({ type: 'object', additionalProperties: { type: 'number' } }))).toThrow(/pool\.x/);
  expect(() => fieldSchemaOf(doc({ enum: [1, 2] }))).toThrow(/pool\.x is an enum of non-strings/);
  expect(() => fieldSchemaOf(doc({ $ref: '#/definitions/Gone' }))).toThrow(/pool\.x refers to a missing/);
});
