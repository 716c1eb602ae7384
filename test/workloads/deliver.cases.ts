import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as cdk8s from 'cdk8s';
import { InferenceService, ScalingMetric, TeamNamespace } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { deliverChart } from '../../lib/cluster/deliver-chart';
import { placementOnPool } from '../../lib/workloads/placement';
import { testApp } from '../helpers';

// deliverChart on a cluster the library did not build: it wires what it can, and says what it cannot.
function plainCluster() {
  const stack = new Stack(testApp(), 'S');
  const cluster = new eks.Cluster(stack, 'C', {
    version: eks.KubernetesVersion.V1_35,
    vpc: new ec2.Vpc(stack, 'V'),
    defaultCapacity: 0,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'L') },
  });
  return { stack, cluster };
}

const service = (app: cdk8s.App) =>
  new InferenceService(app, 'llm', {
    name: 'llm',
    namespace: 'serving',
    image: 'vllm/vllm-openai:v0.11.0',
    placement: placementOnPool('gpu', [findInstance('g6.xlarge')!], 1),
    scaling: { metric: ScalingMetric.CPU, target: 70, activationThreshold: 0 },
  });

test('an HPA on a cluster not built by GpuCluster gets no metrics-server (it may have one), and synth says so', () => {
  const { stack, cluster } = plainCluster();
  const app = new cdk8s.App();
  deliverChart(cluster, 'Ns', new TeamNamespace(app, 'ns', { name: 'serving' }));
  deliverChart(cluster, 'Llm', service(app));
  const t = Template.fromStack(stack);
  expect(
    Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).map((r: any) => r.Properties.Chart),
  ).not.toContain('metrics-server');
  Annotations.fromStack(stack).hasWarning(
    '*',
    Match.stringLikeRegexp('HorizontalPodAutoscaler, which needs metrics-server'),
  );
});

test('metricsServer: true installs it anywhere, without the system-node selector', () => {
  const { stack, cluster } = plainCluster();
  const app = new cdk8s.App();
  deliverChart(cluster, 'Ns', new TeamNamespace(app, 'ns', { name: 'serving' }));
  deliverChart(cluster, 'Llm', service(app), { metricsServer: true });
  const [, chart] = Object.entries(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart')).find(
    ([, r]: any) => r.Properties.Chart === 'metrics-server',
  )!;
  expect(JSON.stringify((chart as any).Properties.Values ?? '{}')).not.toContain('ai-platform/pool');
});

test('a namespace made elsewhere is named with existingNamespaces', () => {
  const { stack, cluster } = plainCluster();
  deliverChart(cluster, 'Llm', service(new cdk8s.App()), { existingNamespaces: ['serving'], metricsServer: false });
  expect(() => (stack.node.root as any).synth()).not.toThrow();
});
