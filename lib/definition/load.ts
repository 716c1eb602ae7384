import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DefinitionError } from './problems';

/**
 * Reads a definition file (`.yaml`, `.yml` or `.json`) as plain data. Not checked here: pass the result to
 * `resolveDefinition`, which checks it against the same rules as a TypeScript definition.
 *
 * @throws DefinitionError when the file cannot be read or parsed
 */
export function loadDefinitionFile(path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    throw new DefinitionError([{ path: '(file)', value: path, message: 'must end in .yaml, .yml or .json' }], path);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DefinitionError([{ path: '(file)', value: path, message: `cannot be read: ${(e as Error).message}` }], path);
  }
  try {
    return ext === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw new DefinitionError([{ path: '(file)', value: path, message: `is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}` }], path);
  }
}
