import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cdk8s from 'cdk8s';
import {
  AiMonitoring, DataLake, deliverChart, findInstance, GpuCluster, InferenceService, placementOnPool, PlatformNetwork, ScalingMetric,
} from '../lib';

/** The data lake, a workload and monitoring, each used on its own (the README's second snippet). */
export function buildStandaloneApp(app: App = new App()): { dataStack: Stack; platformStack: Stack; monitoringStack: Stack } {
  const dataStack = new Stack(app, 'Data');
  const lake = new DataLake(dataStack, 'DataLake', { namePrefix: 'acme', archiveAfter: Duration.days(60) });
  const myRole = new iam.Role(dataStack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  lake.grantRead('models', myRole);

  const platformStack = new Stack(app, 'Platform');
  const network = new PlatformNetwork(platformStack, 'Network', { maxAzs: 2 });
  const gpu = new GpuCluster(platformStack, 'Gpu', { vpc: network.vpc, nodeSubnets: network.nodeSubnets, kubernetesVersion: '1.35' });
  const k8sApp = new cdk8s.App();
  deliverChart(gpu.cluster, 'Llm', new InferenceService(k8sApp, 'llm', {
    name: 'llm', namespace: 'serving', image: 'vllm/vllm-openai:v0.11.0',
    placement: placementOnPool('inference', [findInstance('g6.xlarge')!], 1),
    minReplicas: 1, maxReplicas: 4, scaling: { metric: ScalingMetric.CPU, target: 70, activationThreshold: 0 },
  }));

  const monitoringStack = new Stack(app, 'Monitoring');
  new AiMonitoring(monitoringStack, 'Monitoring', { clusterName: 'acme', alarmEmails: ['oncall@example.com'] });
  return { dataStack, platformStack, monitoringStack };
}
