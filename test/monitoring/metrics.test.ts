import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatformMetrics, INFERENCE_NAMESPACE } from '../../lib';
import { testApp } from '../helpers';
import { searchFinds, tokens } from './cloudwatch-search';

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
// "Managed node groups"; e.g. terraform-aws-modules/terraform-aws-eks issue 3007).
describe('pool nodes are found by node group name, with no deploy-time ASG name', () => {
  const asg = (name: string) => ({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensions: { AutoScalingGroupName: name } });
  const e = m.poolNodes('gpu', 'acme-ml-gpu-1a2b3c4d');

  test('the search finds the pool\'s ASG, whose name goes on after the node group name', () => {
    expect(searchFinds(e.expression, asg('eks-acme-ml-gpu-1a2b3c4d-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(true);
  });

  test('and no other pool\'s ASG or other metric', () => {
    expect(searchFinds(e.expression, asg('eks-acme-ml-gpu-large-9f8e7d6c-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(false);
    expect(searchFinds(e.expression, asg('eks-acme-ml-training-5e6f7a8b-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(false);
    expect(searchFinds(e.expression, { ...asg('eks-acme-ml-gpu-1a2b3c4d-c6c9b0e1'), metricName: 'GroupDesiredCapacity' })).toBe(false);
  });

  test('a quoted (exact) term would find nothing: the model holds the guide\'s rule', () => {
    const quoted = `SEARCH('{AWS/AutoScaling,AutoScalingGroupName} MetricName="GroupInServiceInstances" "eks-acme-ml-gpu-1a2b3c4d-"', 'Maximum', 300)`;
    expect(searchFinds(quoted, asg('eks-acme-ml-gpu-1a2b3c4d-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(false);
  });

  test('summed over the pool\'s ASGs, each as its most in-service instances in 5 minutes', () => {
    expect(e.expression).toMatch(/^SUM\(SEARCH\(.*, 'Maximum', 300\)\)$/);
  });
});

describe('CloudWatch search model', () => {
  test.each([
    ['CustomCount1', ['Custom', 'Count', '1']],
    ['SDBFailure', ['SDB', 'Failure']],
    ['Project2-trial333', ['Project', '2', 'trial', '333']],
  ])('tokens of %s as the user guide lists them', (s, want) => {
    expect(tokens(s)).toEqual(want);
  });
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
