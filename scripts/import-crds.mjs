#!/usr/bin/env node
// `npm run import-crds`: generates the typed cdk8s classes for the vendored CRDs in crds/ with `cdk8s import`.
// Each CRD is imported from a temporary copy that keeps only the version the library emits: the served storage
// version (checked against `version` below, so an upstream change of storage version fails here instead of
// silently renaming classes). Other served versions (KubeRay's deprecated ray.io/v1alpha1) are dropped, which
// halves the RayJob module. The vendored files in crds/ are not modified: the tests validate manifests against
// every version in them. Each domain owns its generated code: Karpenter in lib/autoscaling/imports, the rest in
// lib/workloads/imports. The output is a pure function of crds/ and the cdk8s-cli version, so a second run
// reproduces the committed files byte for byte.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** name: the module-name prefix of the generated file (`<name>-<group>.ts`); out: relative to the repo root. */
const IMPORTS = [
  {
    name: 'karpenter-nodepool',
    crd: 'crds/karpenter/karpenter.sh_nodepools.yaml',
    version: 'v1',
    out: 'lib/autoscaling/imports',
  },
  {
    name: 'karpenter-ec2nodeclass',
    crd: 'crds/karpenter/karpenter.k8s.aws_ec2nodeclasses.yaml',
    version: 'v1',
    out: 'lib/autoscaling/imports',
  },
  {
    name: 'keda-scaledobject',
    crd: 'crds/keda/keda.sh_scaledobjects.yaml',
    version: 'v1alpha1',
    out: 'lib/workloads/imports',
  },
  {
    name: 'keda-triggerauthentication',
    crd: 'crds/keda/keda.sh_triggerauthentications.yaml',
    version: 'v1alpha1',
    out: 'lib/workloads/imports',
  },
  {
    name: 'keda-http-httpscaledobject',
    crd: 'crds/keda-http/http.keda.sh_httpscaledobjects.yaml',
    version: 'v1alpha1',
    out: 'lib/workloads/imports',
  },
  { name: 'kuberay-rayjob', crd: 'crds/kuberay/ray.io_rayjobs.yaml', version: 'v1', out: 'lib/workloads/imports' },
  {
    name: 'jobset',
    crd: 'crds/jobset/jobset.x-k8s.io_jobsets.yaml',
    version: 'v1alpha2',
    out: 'lib/workloads/imports',
  },
];

const cli = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'cdk8s.cmd' : 'cdk8s');
if (!existsSync(cli)) throw new Error(`${cli} not found: run npm ci first`);

/** The CRD documents of `file` with spec.versions reduced to `version`, which must be served and the storage version. */
function storageVersionOnly(file, version) {
  const crds = [];
  for (const doc of parseAllDocuments(readFileSync(join(root, file), 'utf8'))) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const crd = doc.toJSON();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const versions = crd.spec?.versions ?? [];
    const storage = versions.filter((v) => v.served && v.storage).map((v) => v.name);
    if (storage.length !== 1 || storage[0] !== version) {
      throw new Error(
        `${file} (${crd.metadata?.name}): served storage version is ${storage.join(', ') || 'none'}, expected ${version}`,
      );
    }
    crd.spec.versions = versions.filter((v) => v.name === version);
    crds.push(crd);
  }
  if (crds.length === 0) throw new Error(`${file}: no CustomResourceDefinition`);
  return crds;
}

const tmp = mkdtempSync(join(tmpdir(), 'import-crds-'));
try {
  for (const { name, crd, version, out } of IMPORTS) {
    // JSON is YAML, and cdk8s parses it with the same `yaml` package, so the copy differs from the vendored
    // file only in the dropped versions.
    const copy = join(tmp, `${name}.yaml`);
    writeFileSync(
      copy,
      storageVersionOnly(crd, version)
        .map((c) => JSON.stringify(c, null, 2))
        .join('\n---\n') + '\n',
    );
    console.log(`${crd} (${version} only) -> ${out}`);
    const { status, error } = spawnSync(
      cli,
      ['import', `${name}:=${copy}`, '--language', 'typescript', '--output', out, '--no-check-upgrade'],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      },
    );
    if (error) throw error;
    if (status !== 0) throw new Error(`cdk8s import ${name} failed (exit ${status})`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
