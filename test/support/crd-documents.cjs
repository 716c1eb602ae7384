// The vendored CRDs (crds/**/*.yaml) as parsed documents. Parsing the YAML takes about a second (RayJob's is
// 1.4 MB), and several test processes need it, so the parsed form is cached as JSON in the OS temp directory
// under a digest of every CRD file's bytes: a changed CRD gets a new cache, never a stale one.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const CRD_DIR = join(__dirname, '../../crds');

/** Every YAML document of every vendored CRD file, in file order: `{ file, doc }`. */
function crdDocuments() {
  const files = readdirSync(CRD_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const texts = files.map((f) => readFileSync(join(CRD_DIR, f), 'utf8'));
  const digest = createHash('sha256').update(files.join('\n')).update(texts.join('\0')).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `ai-platform-crds-${digest}.json`);
  if (existsSync(cache)) {
    try {
      return JSON.parse(readFileSync(cache, 'utf8'));
    } catch {
      /* a partly written cache: parse again */
    }
  }
  const { parseAllDocuments } = require('yaml');
  const docs = files.flatMap((file, i) => parseAllDocuments(texts[i]).map((d) => ({ file, doc: d.toJS() })));
  const partial = `${cache}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(docs));
  renameSync(partial, cache);
  return docs;
}

module.exports = { crdDocuments };
