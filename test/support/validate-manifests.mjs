// Validates Kubernetes manifests offline, in its own Node process (kubernetes-models is ESM-only).
//   node test/support/validate-manifests.mjs manifests.json
// The file holds a list of manifests, or { "<set>": [manifests] } to validate several sets in one process
// (loading the models is most of the cost); the output then has the same keys.
// Built-in kinds are checked with kubernetes-models; custom resources against the openAPIV3Schema of the
// vendored CRD (crds/), with unknown fields rejected as `kubectl apply --validate=strict` would.
// Prints a JSON array of problems ("kind/name: message") and exits 0; exits 2 on a usage error.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const sets = Array.isArray(input) ? { '': input } : input;

// CRD schemas by apiVersion/kind.
const crdSchemas = new Map();
for (const { doc: crd } of require('./crd-documents.cjs').crdDocuments()) {
  if (crd?.kind !== 'CustomResourceDefinition') continue;
  for (const v of crd.spec.versions) {
    crdSchemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, strict(v.schema.openAPIV3Schema));
  }
}

/** Unknown fields are errors unless the schema preserves them; metadata is checked by the API server, not here. */
function strict(schema, path = '') {
  if (!schema || typeof schema !== 'object') return schema;
  const out = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [
        k,
        path === '' && k === 'metadata' ? { type: 'object' } : strict(v, `${path}.${k}`),
      ]),
    );
    if (!out['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined)
      out.additionalProperties = false;
  }
  if (out.items) out.items = strict(out.items, `${path}[]`);
  if (out.additionalProperties && typeof out.additionalProperties === 'object')
    out.additionalProperties = strict(out.additionalProperties, `${path}{}`);
  for (const key of ['allOf', 'anyOf', 'oneOf']) if (out[key]) out[key] = out[key].map((s) => strict(s, path));
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map();
async function validateSet(manifests) {
  const problems = [];
  for (const m of manifests) {
    const id = `${m.kind}/${m.metadata?.name}`;
    const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
    const key = `${group}/${version}/${m.kind}`;
    const crd = crdSchemas.get(key);
    if (crd) {
      if (!compiled.has(key)) compiled.set(key, ajv.compile(crd));
      const validate = compiled.get(key);
      if (!validate(m))
        problems.push(
          ...validate.errors.map(
            (e) =>
              `${id}: ${e.instancePath} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`,
          ),
        );
      continue;
    }
    let mod;
    try {
      mod = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
    } catch {
      problems.push(`${id}: no schema for apiVersion ${m.apiVersion}`);
      continue;
    }
    const Model = mod[m.kind];
    if (!Model) {
      problems.push(`${id}: unknown kind ${m.kind} in ${m.apiVersion}`);
      continue;
    }
    try {
      new Model(m).validate();
    } catch (e) {
      problems.push(`${id}: ${e.message}`);
    }
  }
  return problems;
}

const results = {};
for (const [name, manifests] of Object.entries(sets)) results[name] = await validateSet(manifests);
process.stdout.write(JSON.stringify(Array.isArray(input) ? results[''] : results));
