import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ManagedPrometheus, type RunObjective } from '../../lib';
import { KUBE_STATE_METRICS_COLLECTORS, KUBE_STATE_METRICS_PORT } from '../../lib/autoscaling/kube-state-metrics';
import { HELM_CHARTS } from '../../lib/catalog/versions';
import { RegistryMirror } from '../../lib/core/registry-mirror';
import { RUN_RULE_GROUP, runRules } from '../../lib/monitoring/run-rules';
import { clusterStack, resourcesOf } from '../helpers';
import { helmTemplate, restrictedProblems } from '../support/helm-template';
import { helmOrderingProblems } from '../support/template-contracts';

/** prometheus-community/helm-charts charts/kube-state-metrics at tag kube-state-metrics-8.4.0, without README, ci/, unittests/. */
const CHART = join(__dirname, 'vendored/kube-state-metrics-8.4.0');
const RUNS: RunObjective[] = [
  { name: 'pretrain', namespace: 'research', scheduled: true },
  { name: 'awq', namespace: 'research', scheduled: false },
];

function prometheus(runObjectives?: RunObjective[]) {
  const { stack, gpuCluster } = clusterStack();
  const p = new ManagedPrometheus(stack, 'Prometheus', {
    cluster: gpuCluster.cluster,
    subnets: gpuCluster.cluster.vpc.privateSubnets,
    k8sApp: Testing.app(),
    alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
    runObjectives,
  });
  const template = Template.fromStack(stack);
  const [, scraper] = resourcesOf(template, 'AWS::APS::Scraper')[0];
  const blob = scraper.Properties.ScrapeConfiguration.ConfigurationBlob['Fn::Base64'];
  return { p, template, scrape: parse(blob) };
}

describe('kube-state-metrics for run alarms (ManagedPrometheus runObjectives)', () => {
  const { template, scrape } = prometheus(RUNS);
  const releases = resourcesOf(template, 'Custom::AWSCDK-EKS-HelmChart');
  const [, release] = releases.find(([, h]) => h.Properties.Chart === 'kube-state-metrics')!;
  const values = JSON.parse(release.Properties.Values);
  const docs = helmTemplate('kube-state-metrics', CHART, HELM_CHARTS.kubeStateMetrics.namespace, values);
  const deployment = docs.find((d) => d.kind === 'Deployment');

  test('the catalog pins the chart the vendored copy is, with its image; installed with a timeout after the system nodes', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
    expect(HELM_CHARTS.kubeStateMetrics).toMatchObject({ chart: chart.name, version: chart.version });
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      HELM_CHARTS.kubeStateMetrics.images.map((i) => `${i.repository}:${i.tag}`)[0],
    );
    expect(release.Properties).toMatchObject({ Version: '8.4.0', Namespace: 'kube-system' });
    expect(helmOrderingProblems(template.toJSON())).toEqual([]);
  });

  test('rendered at the pinned chart: on the system nodes, Pod Security restricted, RBAC of Jobs and CronJobs only', () => {
    expect(deployment.spec.template.spec.nodeSelector).toEqual({ 'ai-platform/pool': 'system' });
    expect(restrictedProblems(docs)).toEqual([]);
    expect(deployment.spec.template.spec.containers[0].args).toContain(
      `--resources=${[...KUBE_STATE_METRICS_COLLECTORS].sort().join(',')}`,
    );
    const role = docs.find((d) => d.kind === 'ClusterRole');
    expect(role.rules).toEqual([
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch'] },
    ]);
    const service = docs.find((d) => d.kind === 'Service');
    expect(service.metadata.annotations ?? {}).not.toHaveProperty('prometheus.io/scrape');
  });

  test("the scrape job finds its pod by the chart's label and port, keeping its namespace labels (honor_labels)", () => {
    const job = scrape.scrape_configs.find((j: any) => j.job_name === 'kube-state-metrics');
    expect(job.honor_labels).toBe(true);
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['kube-system'] } }]);
    const pod = deployment.spec.template;
    const keep = Object.fromEntries(
      job.relabel_configs.map((r: any) => [r.source_labels[0], new RegExp(`^${r.regex}$`)]),
    );
    expect(
      keep.__meta_kubernetes_pod_label_app_kubernetes_io_name.test(pod.metadata.labels['app.kubernetes.io/name']),
    ).toBe(true);
    const ports = pod.spec.containers[0].ports.map((p: any) => String(p.containerPort));
    expect(ports).toContain(String(KUBE_STATE_METRICS_PORT));
    expect(ports.filter((p: string) => keep.__meta_kubernetes_pod_container_port_number.test(p))).toEqual(['8080']);
    // Nothing else scrapes it: the annotated-pods job keeps only pods annotated prometheus.io/scrape.
    expect(pod.metadata.annotations ?? {}).not.toHaveProperty('prometheus.io/scrape');
  });

  test('the rule group job-runs goes to the alert manager', () => {
    template.hasResourceProperties('AWS::APS::RuleGroupsNamespace', { Name: RUN_RULE_GROUP, Data: runRules(RUNS) });
    const [, ws] = resourcesOf(template, 'AWS::APS::Workspace')[0];
    expect(JSON.stringify(ws.Properties.AlertManagerDefinition)).toContain('sns_configs');
    expect(resourcesOf(template, 'AWS::APS::RuleGroupsNamespace')).toHaveLength(1);
  });

  test('with a registry mirror its image comes from it, at the pinned tag', () => {
    const mirror = RegistryMirror.ecr('123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror');
    const mirrored = helmTemplate('kube-state-metrics', CHART, 'kube-system', {
      ...values,
      ...mirror.chartValues(HELM_CHARTS.kubeStateMetrics),
    });
    expect(mirrored.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].image).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0',
    );
  });

  test('without run objectives: no kube-state-metrics, no scrape job, no run rules', () => {
    const none = prometheus();
    expect(
      resourcesOf(none.template, 'Custom::AWSCDK-EKS-HelmChart').filter(
        ([, h]) => h.Properties.Chart === 'kube-state-metrics',
      ),
    ).toEqual([]);
    expect(none.scrape.scrape_configs.map((j: any) => j.job_name)).not.toContain('kube-state-metrics');
    expect(resourcesOf(none.template, 'AWS::APS::RuleGroupsNamespace')).toEqual([]);
  });
});
