import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { AiPlatform, VersionCatalog, type AiPlatformDefinition, type HelmChartVersion } from '../../lib';
import { findKubernetesVersion, HELM_CHARTS } from '../../lib/catalog/versions';
import { CONTRACTS_VARIANT } from '../support/example-platforms';
import { referenceWith } from '../helpers';
import { FULL_TESTS } from '../support/full-tests';

// Whole platforms with a mirror build in CI's FULL_TESTS step; npm test runs the construct-level mirror cases
// (test/autoscaling/registry-mirror.cases.ts) and the definition's rules.
if (FULL_TESTS) {
  const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror';
  const cdkJson = require('../../cdk.json');
  const CATALOG = Object.values(HELM_CHARTS as Record<string, HelmChartVersion>);

  /**
   * The Karpenter/Neuron/Ray/EFA variants without NAT (one with a CPU-scaled service, so metrics-server is
   * installed too; one with a service held at zero, so the KEDA HTTP add-on is), each with a mirror: together they
   * install every pinned chart.
   */
  const ALL_VARIANTS: Record<string, AiPlatformDefinition> = {
    'karpenter/neuron/ray/capacity-block, no NAT': {
      ...CONTRACTS_VARIANT,
      network: { natGateways: 0, mirror: { registry: REGISTRY } },
      inference: [
        ...CONTRACTS_VARIANT.inference!,
        {
          name: 'cpu-scaled',
          image: 'nginx:1',
          nodePool: 'serving',
          maxReplicas: 2,
          scaling: { metric: 'cpu' as never, target: 70 },
        },
      ],
    },
    'reference + Karpenter pool + Ray training job, no NAT': referenceWith((d) => {
      d.network = { natGateways: 0, mirror: { registry: REGISTRY } };
      d.pipelines.forEach((p: any) => delete p.table);
      d.nodePools[0].provisioner = 'karpenter';
      // Served from zero behind the KEDA HTTP add-on's interceptor (a held service needs a host).
      d.inference[0].minReplicas = 0;
      d.inference[0].expose = { ...d.inference[0].expose, host: 'llm.ml.internal' };
      d.training.push({
        name: 'tune',
        image: 'rayproject/ray:2.49.0-gpu',
        nodePool: 'training',
        engine: 'ray',
        nodes: 2,
        gpusPerNode: 8,
        command: ['python', 'tune.py'],
      });
    }),
  };

  const VARIANTS = ALL_VARIANTS;

  interface Release {
    readonly variant: string;
    readonly kubernetesVersion: string;
    readonly chart: string;
    readonly repository: string;
    readonly version: string;
    readonly values: any;
  }

  /** A CloudFormation string (a literal or an Fn::Join of literals and deploy-time values) as text. */
  const text = (v: any): string =>
    typeof v === 'string' ? v : v?.['Fn::Join'] ? v['Fn::Join'][1].map(text).join(v['Fn::Join'][0]) : 'DEPLOY-TIME';

  const outdirs: Record<string, string> = {};
  const releases: Release[] = Object.entries(VARIANTS).flatMap(([variant, definition]) => {
    const outdir = (outdirs[variant] = mkdtempSync(join(tmpdir(), 'mirror-')));
    const app = new App({
      outdir,
      context: { ...cdkJson.context, 'aws:cdk:disable-asset-staging': true },
      builtinCloudFormationValidation: false,
    });
    new AiPlatform(app, 'AiPlatform', { definition });
    return app
      .synth()
      .stacksRecursively.flatMap((s) => Object.values<any>(s.template.Resources ?? {}))
      .filter((r) => r.Type === 'Custom::AWSCDK-EKS-HelmChart')
      .map((r) => ({
        variant,
        kubernetesVersion: definition.cluster?.kubernetesVersion ?? VersionCatalog.DEFAULT_KUBERNETES_VERSION,
        chart: r.Properties.Chart,
        repository: r.Properties.Repository,
        version: r.Properties.Version,
        values: JSON.parse(text(r.Properties.Values)),
      }));
  });

  const at = (values: any, dotted: string) => dotted.split('.').reduce((v, k) => v?.[k], values);

  test('the variants install every pinned chart', () => {
    expect(new Set(releases.map((r) => r.chart))).toEqual(new Set(CATALOG.map((c) => c.chart)));
  });

  test.each(releases.map((r) => [r.variant, r.chart, r] as const))(
    '%s: %s comes from the mirror at its pinned version',
    (_v, _c, release) => {
      const spec = CATALOG.find((c) => c.chart === release.chart)!;
      expect(release.repository).toBe(`oci://${REGISTRY}/${spec.chart}`);
      expect(release.version).toBe(spec.version);
    },
  );

  test.each(releases.map((r) => [r.variant, r.chart, r] as const))(
    '%s: every image of %s is taken from the mirror',
    (_v, _c, release) => {
      const spec = CATALOG.find((c) => c.chart === release.chart)!;
      expect(spec.images.length).toBeGreaterThan(0);
      for (const image of spec.images) {
        // The reference the chart's template builds: `<registry>/<repository>` where it keeps a registry key apart.
        const repository = image.registryKey
          ? `${at(release.values, image.registryKey)}/${at(release.values, image.repositoryKey)}`
          : at(release.values, image.repositoryKey);
        expect(repository).toBe(`${REGISTRY}/${image.repository}`);
        // A tag per Kubernetes version (Cluster Autoscaler) is the one of the cluster's version.
        expect(at(release.values, image.tagKey)).toBe(
          image.tag ?? findKubernetesVersion(release.kubernetesVersion)!.clusterAutoscalerImageTag,
        );
      }
      // No other image value points past the mirror.
      const strays: string[] = [];
      const walk = (v: any, path: string) => {
        if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(x, `${path}.${k}`));
        else if (/\.(repository|registry)$/.test(path) && !String(v).startsWith(REGISTRY)) strays.push(`${path}=${v}`);
      };
      walk(release.values, '');
      expect(
        strays.filter(
          (s) => !CATALOG.some((c) => c.images.some((i) => i.registryKey && s.startsWith(`.${i.repositoryKey}=`))),
        ),
      ).toEqual([]);
    },
  );

  test('the mirror list names every chart and every image the platforms install, with the target names', () => {
    for (const [variant, definition] of Object.entries(VARIANTS)) {
      const list = VersionCatalog.mirrorList(
        REGISTRY,
        definition.cluster?.kubernetesVersion ?? VersionCatalog.DEFAULT_KUBERNETES_VERSION,
      );
      const targets = new Set(list.map((c) => c.target));
      for (const r of releases.filter((x) => x.variant === variant)) {
        expect(targets).toContain(`${r.repository}:${r.version}`);
        for (const image of CATALOG.find((c) => c.chart === r.chart)!.images) {
          expect(targets).toContain(`${REGISTRY}/${image.repository}:${at(r.values, image.tagKey)}`);
        }
      }
      // The same list, with a command per copy, is written next to the plan.
      const file = readFileSync(join(outdirs[variant], 'plan', `${definition.name}-mirror.txt`), 'utf8');
      for (const c of list) expect(file).toContain(c.command);
    }
  });

  test('the mirror list covers every catalog chart and image, each with a command that copies it to its target', () => {
    const list = VersionCatalog.mirrorList(REGISTRY);
    expect(
      list
        .filter((c) => c.kind === 'chart')
        .map((c) => c.target)
        .sort(),
    ).toEqual(CATALOG.map((c) => `oci://${REGISTRY}/${c.chart}:${c.version}`).sort());
    for (const c of list) {
      const [, target] = c.command.match(/ (\S+)$/)!;
      if (c.kind === 'image') expect(`${target}`).toBe(c.target);
      else
        expect(c.command).toContain(`helm push ${c.target.split('/').pop()!.replace(':', '-')}.tgz oci://${REGISTRY}`);
    }
    expect(list.filter((c) => c.kind === 'image').map((c) => c.source)).toEqual(
      expect.arrayContaining([
        'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
        'public.ecr.aws/karpenter/controller:1.14.1',
        'ghcr.io/kedacore/keda-admission-webhooks:2.20.2',
        ...VersionCatalog.supportedKubernetesVersions().map(() =>
          expect.stringMatching(/^registry\.k8s\.io\/autoscaling\/cluster-autoscaler:v1\.\d+\.\d+$/),
        ),
      ]),
    );
  });
} else {
  test.skip('every chart and image of whole platforms comes from the mirror (FULL_TESTS=1)', () => undefined);
}
