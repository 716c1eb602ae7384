import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefinitionError, loadDefinitionFile } from '../../lib';
import { formatProblem } from '../../lib/definition/problems';
import { validateDefinition } from '../../lib/definition/resolve';

const dir = mkdtempSync(join(tmpdir(), 'definition-'));
function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const YAML = `
name: yaml-ml
nodePools:
  - name: gpu
    instanceTypes: [g6.xlarge]
    maxNodes: 2
    capacityType: spot
`;

test('a YAML file uses the same words as TypeScript and validates', () => {
  expect(validateDefinition(loadDefinitionFile(write('ok.yaml', YAML)))).toEqual([]);
});

test('a JSON file validates', () => {
  const path = write(
    'ok.json',
    JSON.stringify({ name: 'json-ml', nodePools: [{ name: 'gpu', instanceTypes: ['g5.xlarge'], maxNodes: 1 }] }),
  );
  expect(validateDefinition(loadDefinitionFile(path))).toEqual([]);
});

test('an unknown field in a file is an error naming its path', () => {
  const data = loadDefinitionFile(write('typo.yaml', `${YAML}    maxNode: 3\n`));
  expect(validateDefinition(data).map(formatProblem)).toEqual([
    expect.stringMatching(
      /^nodePools\[0\]\.maxNode is not a known field \(no object of the definition has it\); did you mean `maxNodes`\? Valid fields here: name, instanceTypes/,
    ),
  ]);
});

test.each([
  ['broken.yaml', 'name: [unclosed', /is not valid YAML/],
  ['broken.json', '{"name":', /is not valid JSON/],
  ['dup.yaml', 'name: a\nname: b\n', /is not valid YAML/],
  ['platform.toml', 'name = "x"', /must end in \.yaml, \.yml or \.json/],
])('a file that cannot be read as a definition is a DefinitionError (%s)', (name, text, message) => {
  expect(() => loadDefinitionFile(write(name, text))).toThrow(DefinitionError);
  expect(() => loadDefinitionFile(write(name, text))).toThrow(message);
});

test('a missing file is a DefinitionError', () => {
  expect(() => loadDefinitionFile(join(dir, 'missing.yaml'))).toThrow(/cannot be read/);
});
