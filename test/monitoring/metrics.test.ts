import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatformMetrics, INFERENCE_NAMESPACE } from '../../lib';
import { testApp } from '../helpers';

const m = new AiPlatformMetrics('acme-ml');

test('factories create no resources', () => {
  const stack = new Stack(testApp(), 'Empty');
  const f = new AiPlatformMetrics('acme-ml');
  f.gpuUtilization(); f.poolGpuUtilization('p', ['g6.xlarge']); f.poolNodes('p', 'ng'); f.errorRate('ns', 'svc'); f.bucketSize('raw', 'b');
  expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
});

test.each([
  ['gpuUtilization', m.gpuUtilization(), 'ContainerInsights', 'node_gpu_utilization', 'Average', { ClusterName: 'acme-ml' }],
  ['gpuMemoryUtilization', m.gpuMemoryUtilization(), 'ContainerInsights', 'node_gpu_memory_utilization', 'Maximum', { ClusterName: 'acme-ml' }],
  ['gpusAvailable', m.gpusAvailable(), 'ContainerInsights', 'node_gpu_limit', 'Sum', { ClusterName: 'acme-ml' }],
  ['failedNodes', m.failedNodes(), 'ContainerInsights', 'cluster_failed_node_count', 'Maximum', { ClusterName: 'acme-ml' }],
  ['pendingPods', m.pendingPods(), 'ContainerInsights', 'pod_status_pending', 'Maximum', { ClusterName: 'acme-ml' }],
  ['queueDepth', m.queueDepth('serving', 'llm'), INFERENCE_NAMESPACE, 'vllm:num_requests_waiting', 'Maximum', { ClusterName: 'acme-ml', namespace: 'serving', app: 'llm' }],
  ['replicas', m.replicas('serving', 'llm'), 'ContainerInsights', 'service_number_of_running_pods', 'Average', { ClusterName: 'acme-ml', Namespace: 'serving', Service: 'llm' }],
  ['bucketSize', m.bucketSize('raw', 'b1'), 'AWS/S3', 'BucketSizeBytes', 'Average', { BucketName: 'b1', StorageType: 'StandardStorage' }],
  ['bucketServerErrors', m.bucketServerErrors('raw', 'b1'), 'AWS/S3', '5xxErrors', 'Sum', { BucketName: 'b1', FilterId: 'EntireBucket' }],
])('%s', (_name, metric, namespace, metricName, statistic, dimensions) => {
  expect(metric.namespace).toBe(namespace);
  expect(metric.metricName).toBe(metricName);
  expect(metric.statistic).toBe(statistic);
  expect(metric.dimensions).toEqual(dimensions);
});

// EKS names a managed node group's Auto Scaling group eks-<nodegroupName>-<uuid> (EKS user guide,
// "Managed node groups": the ASG is created in your account with that prefix).
test('pool nodes are found by node group name, with no deploy-time ASG name', () => {
  const e = m.poolNodes('gpu', 'acme-ml-gpu-1a2b3c4d');
  expect(e.expression).toBe(`SUM(SEARCH('{AWS/AutoScaling,AutoScalingGroupName} MetricName="GroupInServiceInstances" "eks-acme-ml-gpu-1a2b3c4d-"', 'Maximum', 300))`);
});

test('error rate is 5xx over all requests, in percent', () => {
  const e = m.errorRate('serving', 'llm');
  expect(e.expression).toBe('100 * e / MAX([ok + client + e, 1])');
  expect(Object.keys(e.usingMetrics).sort()).toEqual(['client', 'e', 'ok']);
  expect((e.usingMetrics.e as any).dimensions).toEqual({ ClusterName: 'acme-ml', namespace: 'serving', app: 'llm', status: '5xx' });
});

test('pool GPU utilisation searches the pool\'s instance types', () => {
  expect(m.poolGpuUtilization('inference', ['g6e.xlarge', 'g6e.2xlarge']).expression).toContain('InstanceType=("g6e.xlarge" OR "g6e.2xlarge")');
});
