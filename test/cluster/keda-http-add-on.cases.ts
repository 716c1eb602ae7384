import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { HELM_CHARTS } from '../../lib/catalog/versions';
import { KEDA_HTTP_INTERCEPTOR, KEDA_HTTP_SCALER_ADDRESS } from '../../lib/catalog/keda-http-add-on';
import { Operator, Operators } from '../../lib/cluster/operators';
import { RegistryMirror } from '../../lib/core/registry-mirror';
import { clusterStack, resourcesOf } from '../helpers';
import { helmOrderingProblems } from '../support/template-contracts';
import { helmTemplate, restrictedProblems } from '../support/helm-template';

/** kedacore/charts http-add-on/ at commit c4b92e9 ("release v0.15.0"), vendored without its README. */
const CHART = join(__dirname, 'vendored/keda-add-ons-http-0.15.0');

/** `helm template` of the vendored chart with these values, as documents. */
function render(values: unknown): any[] {
  return helmTemplate('keda-add-ons-http', CHART, HELM_CHARTS.kedaHttpAddOn.namespace, values);
}

describe('KEDA HTTP add-on', () => {
  const { stack, gpuCluster } = clusterStack({});
  Operators.ensure(gpuCluster.cluster, Operator.KEDA_HTTP_ADD_ON);
  const template = Template.fromStack(stack);
  const releases = resourcesOf(template, 'Custom::AWSCDK-EKS-HelmChart');
  const [id, release] = releases.find(([, h]) => h.Properties.Chart === 'keda-add-ons-http')!;
  const values = JSON.parse(release.Properties.Values);
  const docs = render(values);
  const deployments = docs.filter((d) => d.kind === 'Deployment');

  test('the catalog pins the chart the vendored copy is, from the kedacore repository, with its images', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
    expect(HELM_CHARTS.kedaHttpAddOn).toMatchObject({
      chart: chart.name,
      repository: 'https://kedacore.github.io/charts',
      version: chart.version,
      namespace: 'keda',
    });
    const images = deployments.map((d) => d.spec.template.spec.containers[0].image).sort();
    expect(images).toEqual(HELM_CHARTS.kedaHttpAddOn.images.map((i) => `${i.repository}:${i.tag}`).sort());
  });

  test('one release, after KEDA (its interceptor ScaledObject needs KEDA CRDs), waited for', () => {
    expect(releases.filter(([, h]) => h.Properties.Chart === 'keda-add-ons-http')).toHaveLength(1);
    const [kedaId] = releases.find(([, h]) => h.Properties.Chart === 'keda')!;
    expect(release.DependsOn).toContain(kedaId);
    // Added to a deployed platform it deploys in one go: it waits for the system nodes and core add-ons, with a timeout.
    expect(helmOrderingProblems(template.toJSON())).toEqual([]);
    expect(release.Properties).toMatchObject({ Version: '0.15.0', Namespace: 'keda', Wait: true });
    expect(id).toMatch(/Operatorkedahttpaddon/);
  });

  test('rendered at the pinned chart: every pod on the system nodes and Pod Security restricted', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'keda-add-ons-http-controller-manager',
      'keda-add-ons-http-external-scaler',
      'keda-add-ons-http-interceptor',
    ]);
    for (const d of deployments)
      expect(d.spec.template.spec.nodeSelector).toMatchObject({ 'ai-platform/pool': 'system' });
    expect(restrictedProblems(docs)).toEqual([]);
    // The scaler's Deployment has its count; the interceptor's is its ScaledObject's (the Deployment names none).
    const scaler = deployments.find((d) => d.metadata.name === 'keda-add-ons-http-external-scaler');
    expect(scaler.spec.replicas).toBe(2);
    const scaled = docs.find((d) => d.kind === 'ScaledObject' && d.metadata.name === 'keda-add-ons-http-interceptor');
    expect(scaled.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 50 });
  });

  test("the chart's own defaults are not restricted (why the library sets podSecurityContext)", () => {
    expect(restrictedProblems(render({})).length).toBeGreaterThan(0);
  });

  test('with a registry mirror every image comes from it, at the pinned tag', () => {
    const mirror = RegistryMirror.ecr('123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror');
    const mirrored = render({ ...values, ...mirror.chartValues(HELM_CHARTS.kedaHttpAddOn) });
    const images = mirrored.filter((d) => d.kind === 'Deployment').map((d) => d.spec.template.spec.containers[0].image);
    expect(images.sort()).toEqual(
      ['interceptor', 'operator', 'scaler'].map(
        (c) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/ghcr.io/kedacore/http-add-on-${c}:0.15.0`,
      ),
    );
  });

  test('the interceptor proxy Service, its admin readiness path, and the scaler address the library names', () => {
    const proxy = docs.find((d) => d.kind === 'Service' && d.metadata.name === KEDA_HTTP_INTERCEPTOR.service);
    expect(proxy.spec.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'proxy', port: KEDA_HTTP_INTERCEPTOR.proxyPort })]),
    );
    expect(proxy.spec.selector).toMatchObject(KEDA_HTTP_INTERCEPTOR.podLabels);
    const interceptor = deployments.find((d) => d.metadata.name === 'keda-add-ons-http-interceptor');
    const [c] = interceptor.spec.template.spec.containers;
    expect(c.ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'admin', containerPort: KEDA_HTTP_INTERCEPTOR.adminPort }),
        expect.objectContaining({ name: 'proxy', containerPort: KEDA_HTTP_INTERCEPTOR.proxyPort }),
      ]),
    );
    expect(c.readinessProbe.httpGet).toEqual({ path: KEDA_HTTP_INTERCEPTOR.readyPath, port: 'admin' });
    expect(interceptor.spec.template.metadata.labels).toMatchObject(KEDA_HTTP_INTERCEPTOR.podLabels);
    // No global readiness wait: each HTTPScaledObject sets its own (spec.timeouts.conditionWait).
    expect(c.env.map((e: any) => e.name)).not.toContain('KEDA_HTTP_READINESS_TIMEOUT');
    const scaler = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'keda-add-ons-http-external-scaler');
    const [host, port] = KEDA_HTTP_SCALER_ADDRESS.split(':');
    expect(`${scaler.metadata.name}.${scaler.metadata.namespace}`).toBe(host);
    expect(scaler.spec.ports.map((p: any) => p.port)).toContain(Number(port));
  });
});
