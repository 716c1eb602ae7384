import { Template } from 'aws-cdk-lib/assertions';
import { ChartDelivery, ClusterAutoscaler, Karpenter, Operator, Operators, RegistryMirror } from '../../lib';
import { HELM_CHARTS } from '../../lib/catalog/versions';
import { clusterStack } from '../helpers';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror';
const charts = (t: Template) =>
  Object.values<any>(t.findResources('Custom::AWSCDK-EKS-HelmChart')).map((r) => r.Properties);

test("a mirror given to one construct becomes the cluster's: every later chart comes from it too", () => {
  const { stack, gpuCluster } = clusterStack();
  const cluster = gpuCluster.cluster;
  new Karpenter(stack, 'Karpenter', { cluster, mirror: RegistryMirror.ecr(REGISTRY) });
  new ClusterAutoscaler(stack, 'Autoscaler', { cluster, kubernetesVersion: gpuCluster.kubernetesVersion });
  ChartDelivery.ensureMetricsServer(cluster);
  Operators.ensure(cluster, Operator.JOBSET);
  const installed = charts(Template.fromStack(stack));
  expect(installed.map((c) => c.Chart).sort()).toEqual(['cluster-autoscaler', 'jobset', 'karpenter', 'metrics-server']);
  for (const c of installed) expect(c.Repository).toBe(`oci://${REGISTRY}/${c.Chart}`);
  const karpenter = installed.find((c) => c.Chart === 'karpenter');
  expect(JSON.stringify(karpenter.Values)).toContain(
    `\\"repository\\":\\"${REGISTRY}/public.ecr.aws/karpenter/controller\\"`,
  );
});

test('without a mirror, charts come from their public sources (unchanged)', () => {
  const { stack, gpuCluster } = clusterStack();
  new Karpenter(stack, 'Karpenter', { cluster: gpuCluster.cluster });
  expect(charts(Template.fromStack(stack))[0].Repository).toBe(HELM_CHARTS.karpenter.repository);
  expect(RegistryMirror.of(gpuCluster.cluster)).toBeUndefined();
});

test('one mirror per cluster, set before its first chart', () => {
  const a = clusterStack();
  RegistryMirror.ecr(REGISTRY).useFor(a.gpuCluster.cluster);
  expect(() =>
    RegistryMirror.ecr('123456789012.dkr.ecr.us-east-1.amazonaws.com/other').useFor(a.gpuCluster.cluster),
  ).toThrow(
    /registry \('123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/other'\) cannot be used: cluster .* already takes its charts from 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/mirror/,
  );
  const b = clusterStack();
  ChartDelivery.ensureMetricsServer(b.gpuCluster.cluster);
  expect(() => Operators.ensure(b.gpuCluster.cluster, Operator.KEDA, { mirror: RegistryMirror.ecr(REGISTRY) })).toThrow(
    /registry \(.*\) is set too late: .* already has a chart installed from its public source; set the mirror before the first chart is added/,
  );
});

test.each([
  ['public.ecr.aws/acme', /RegistryMirror: registry \('public\.ecr\.aws\/acme'\) must be a private ECR registry/],
  ['12345.dkr.ecr.us-east-1.amazonaws.com', /must be a private ECR registry, <12-digit account>/],
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com/Upper', /must be a private ECR registry/],
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com/a//b', /must be a private ECR registry/],
])('RegistryMirror.ecr(%s) is refused', (registry, message) => {
  expect(() => RegistryMirror.ecr(registry)).toThrow(message);
});
