import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { DefinitionError, definitionProblem } from './problems';

/**
 * Reads a definition file (`.yaml`, `.yml` or `.json`) as plain data. Not checked here: pass the result to
 * `resolveDefinition`, which checks it against the same rules as a TypeScript definition.
 *
 * @throws DefinitionError when the file cannot be read or parsed
 */
export function loadDefinitionFile(path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    throw new DefinitionError([definitionProblem('(file)', path, 'must end in .yaml, .yml or .json')], path);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DefinitionError([definitionProblem('(file)', path, `cannot be read: ${(e as Error).message}`)], path);
  }
  const fail = (message: string) => new DefinitionError([definitionProblem('(file)', path, message)], path);
  if (text.length > MAX_FILE_CHARS)
    throw fail(`is ${text.length} characters; a definition file may have at most ${MAX_FILE_CHARS}`);
  const kind = ext === '.json' ? 'JSON' : 'YAML';
  let value: unknown;
  try {
    if (ext === '.json') {
      // JSON's own syntax errors and nesting first (the YAML parser below recurses).
      const nested = nestingProblem(JSON.parse(text));
      if (nested) throw fail(nested);
    }
    // JSON is YAML 1.2: parsing it as YAML with unique keys rejects a duplicated key, which JSON.parse would
    // resolve silently to the last value. Aliases are bounded (a "billion laughs" file expands them).
    // `<<` merge keys are honoured (YAML 1.1 style, common in definitions that share pool settings).
    const doc = parseDocument(text, { uniqueKeys: true, merge: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof DefinitionError) throw e;
    if (e instanceof RangeError || /Maximum call stack/.test((e as Error).message))
      throw fail(`nests lists and maps too deeply to read (more than ${MAX_DEPTH} levels is never a definition)`);
    throw fail(`is not valid ${kind}: ${(e as Error).message.split('\n')[0]}`);
  }
  const depth = nestingProblem(value);
  if (depth) throw fail(depth);
  return value;
}

/** Largest definition file read: definitions are small; a bigger file is a mistake or an attack. */
const MAX_FILE_CHARS = 1_000_000;
/** Deepest nesting of lists and maps in a definition (the schema itself is 5 levels deep). */
const MAX_DEPTH = 32;

/** A message when a value nests deeper than MAX_DEPTH or refers to itself (a YAML alias of its own ancestor). */
function nestingProblem(root: unknown): string | undefined {
  const stack: { value: unknown; depth: number; ancestors: Set<unknown> }[] = [
    { value: root, depth: 0, ancestors: new Set() },
  ];
  while (stack.length > 0) {
    const { value, depth, ancestors } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (ancestors.has(value)) return 'refers to itself (a YAML alias inside its own anchor); write the values out';
    if (depth > MAX_DEPTH) return `nests lists and maps deeper than ${MAX_DEPTH} levels`;
    const next = new Set(ancestors).add(value);
    for (const child of Object.values(value as object)) stack.push({ value: child, depth: depth + 1, ancestors: next });
  }
  return undefined;
}
