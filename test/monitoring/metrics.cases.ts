import { Duration, Stack } from 'aws-cdk-lib';
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatformMetrics } from '../../lib';
import { CONTAINER_INSIGHTS_INTERVAL_SECONDS, INFERENCE_SCRAPE_INTERVAL_SECONDS } from '../../lib/monitoring/metrics';
import { testApp } from '../helpers';
import { targetGroupPrefix } from '../../lib/workloads/inference-exposure';
import { searchFinds, tokens } from './cloudwatch-search';
import { evaluate } from './metric-math';

const m = new AiPlatformMetrics('acme-ml');

test('factories create no resources', () => {
  const stack = new Stack(testApp(), 'Empty');
  const f = new AiPlatformMetrics('acme-ml');
  f.cluster.gpuUtilization();
  f.cluster.poolGpuUtilization('p', ['g6.xlarge']);
  f.cluster.poolNodes('p', 'ng');
  f.inference.errorRate('ns', 'svc');
  f.dataLake.bucketSize('raw', 'b');
  expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
});

test.each([
  [
    'gpuUtilization',
    m.cluster.gpuUtilization(),
    'ContainerInsights',
    'node_gpu_utilization',
    'Average',
    { ClusterName: 'acme-ml' },
  ],
  [
    'gpuMemoryUtilization',
    m.cluster.gpuMemoryUtilization(),
    'ContainerInsights',
    'node_gpu_memory_utilization',
    'Maximum',
    { ClusterName: 'acme-ml' },
  ],
  [
    'failedNodes',
    m.cluster.failedNodes(),
    'ContainerInsights',
    'cluster_failed_node_count',
    'Maximum',
    { ClusterName: 'acme-ml' },
  ],
  [
    'clusterNodes',
    m.cluster.clusterNodes(),
    'ContainerInsights',
    'cluster_node_count',
    'Maximum',
    { ClusterName: 'acme-ml' },
  ],
  [
    'replicas',
    m.inference.replicas('serving', 'llm'),
    'ContainerInsights',
    'service_number_of_running_pods',
    'Average',
    { ClusterName: 'acme-ml', Namespace: 'serving', Service: 'llm' },
  ],
  [
    'bucketSize',
    m.dataLake.bucketSize('raw', 'b1'),
    'AWS/S3',
    'BucketSizeBytes',
    'Average',
    { BucketName: 'b1', StorageType: 'StandardStorage' },
  ],
  [
    'bucketServerErrors',
    m.dataLake.bucketServerErrors('raw', 'b1'),
    'AWS/S3',
    '5xxErrors',
    'Sum',
    { BucketName: 'b1', FilterId: 'EntireBucket' },
  ],
])(
  "%s: a gauge, read as one source's value (Average or Maximum) or a rate summed over its own period",
  (_name, metric, namespace, metricName, statistic, dimensions) => {
    expect(metric.namespace).toBe(namespace);
    expect(metric.metricName).toBe(metricName);
    expect(metric.statistic).toBe(statistic);
    expect(metric.dimensions).toEqual(dimensions);
  },
);

// EKS names a managed node group's Auto Scaling group eks-<nodegroupName>-<uuid> (EKS user guide,
// "Managed node groups"; e.g. terraform-aws-modules/terraform-aws-eks issue 3007).
describe('pool nodes are found by node group name, with no deploy-time ASG name', () => {
  const asg = (name: string) => ({
    namespace: 'AWS/AutoScaling',
    metricName: 'GroupInServiceInstances',
    dimensions: { AutoScalingGroupName: name },
  });
  const e = m.cluster.poolNodes('gpu', 'acme-ml-gpu-1a2b3c4d');

  test("the search finds the pool's ASG, whose name goes on after the node group name", () => {
    expect(searchFinds(e.expression, asg('eks-acme-ml-gpu-1a2b3c4d-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(true);
  });

  test("and no other pool's ASG or other metric", () => {
    expect(searchFinds(e.expression, asg('eks-acme-ml-gpu-large-9f8e7d6c-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(
      false,
    );
    expect(searchFinds(e.expression, asg('eks-acme-ml-training-5e6f7a8b-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(
      false,
    );
    expect(
      searchFinds(e.expression, { ...asg('eks-acme-ml-gpu-1a2b3c4d-c6c9b0e1'), metricName: 'GroupDesiredCapacity' }),
    ).toBe(false);
  });

  test("a quoted (exact) term would find nothing: the model holds the guide's rule", () => {
    const quoted = `SEARCH('{AWS/AutoScaling,AutoScalingGroupName} MetricName="GroupInServiceInstances" "eks-acme-ml-gpu-1a2b3c4d-"', 'Maximum', 300)`;
    expect(searchFinds(quoted, asg('eks-acme-ml-gpu-1a2b3c4d-c6c9b0e1-4f3a-2d1b-8e7f-0a9b8c7d6e5f'))).toBe(false);
  });

  test("summed over the pool's ASGs, each as its most in-service instances in 5 minutes", () => {
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

test('error rate is 5xx over all requests of the same period, in percent', () => {
  const e = m.inference.errorRate('serving', 'llm');
  expect(Object.keys(e.usingMetrics).sort()).toEqual(['client', 'e', 'ok']);
  expect((e.usingMetrics.e as any).dimensions).toEqual({
    ClusterName: 'acme-ml',
    namespace: 'serving',
    app: 'llm',
    status: '5xx',
  });
  for (const id of ['ok', 'client', 'e'])
    expect(e.usingMetrics[id]).toMatchObject({ statistic: 'Sum', period: Duration.minutes(5) });
  // 90 ok, 5 client errors and 5 server errors in the period: 5%, at any period.
  expect(evaluate(e.expression, { ok: 90, client: 5, e: 5 }, 300)).toBe(5);
  expect(evaluate(e.expression, { ok: 900, client: 50, e: 50 }, 3600)).toBe(5);
  // Nothing served: 0/0, a data point metric math drops (not a 0% that hides an outage, nor an error).
  expect(evaluate(e.expression, { ok: 0, client: 0, e: 0 }, 300)).toBeNaN();
});

// Each source publishes one data point per interval: a node or pod once a minute (Container Insights), an
// inference pod once per scrape (30 s). The widgets must show the count of things, at any dashboard period.
describe('counts divide a Sum by the publications one source makes in the period', () => {
  const single = (e: cw.MathExpression) => {
    const [[id, metric]] = Object.entries(e.usingMetrics) as [string, cw.Metric][];
    return { id, metric };
  };
  test.each([
    [
      'gpusAvailable: 3 nodes of 8 GPUs',
      m.cluster.gpusAvailable(),
      'node_gpu_limit',
      8,
      3,
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
      24,
    ],
    [
      'pendingPods: 4 pods pending',
      m.cluster.pendingPods(),
      'pod_status_pending',
      1,
      4,
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
      4,
    ],
    [
      'failedPods: 2 pods failed',
      m.cluster.failedPods(),
      'pod_status_failed',
      1,
      2,
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
      2,
    ],
    [
      'queueDepth: 3 replicas with 5 waiting each',
      m.inference.queueDepth('serving', 'llm'),
      'vllm:num_requests_waiting',
      5,
      3,
      INFERENCE_SCRAPE_INTERVAL_SECONDS,
      15,
    ],
  ])('%s', (_name, e, metricName, valuePerSource, sources, interval, want) => {
    const { id, metric } = single(e);
    expect(metric).toMatchObject({ metricName, statistic: 'Sum' });
    for (const period of [60, 300, 3600]) {
      const sum = valuePerSource * sources * (period / interval);
      expect(evaluate(e.expression, { [id]: sum }, period)).toBe(want);
    }
  });

  test('requests per minute from per-scrape deltas, at any period', () => {
    const e = m.inference.requestsPerMinute('serving', 'llm', '2xx');
    const { id, metric } = single(e);
    expect(metric).toMatchObject({ metricName: 'http_requests_total', statistic: 'Sum' });
    // 600 requests a minute: 3,000 in 5 minutes, 36,000 in an hour.
    expect(evaluate(e.expression, { [id]: 3000 }, 300)).toBe(600);
    expect(evaluate(e.expression, { [id]: 36000 }, 3600)).toBe(600);
  });
});

describe('pool GPU utilisation', () => {
  // The per-GPU dimension set of node_gpu_utilization, the only one with InstanceType
  // (amazon-cloudwatch-agent, translator/translate/otel/exporter/awsemf/kubernetes.go getGPUMetricDeclarations).
  const gpu = (instanceType: string) => ({
    namespace: 'ContainerInsights',
    metricName: 'node_gpu_utilization',
    dimensions: {
      ClusterName: 'acme-ml',
      NodeName: 'ip-10-0-1-2.ec2.internal',
      InstanceId: 'i-0123456789abcdef0',
      InstanceType: instanceType,
      GpuDevice: 'nvidia0',
    },
  });
  const e = m.cluster.poolGpuUtilization('inference', ['g6e.xlarge', 'g6e.2xlarge']);

  test("finds the per-GPU series of the pool's instance types, and averages them", () => {
    expect(searchFinds(e.expression, gpu('g6e.xlarge'))).toBe(true);
    expect(searchFinds(e.expression, gpu('g6e.2xlarge'))).toBe(true);
    expect(e.expression).toMatch(/^AVG\(SEARCH\(.*'Average', 300\)\)$/);
  });

  test('and no other instance type, cluster or metric', () => {
    expect(searchFinds(e.expression, gpu('p5.48xlarge'))).toBe(false);
    expect(
      searchFinds(e.expression, {
        ...gpu('g6e.xlarge'),
        dimensions: { ...gpu('g6e.xlarge').dimensions, ClusterName: 'other' },
      }),
    ).toBe(false);
    expect(searchFinds(e.expression, { ...gpu('g6e.xlarge'), metricName: 'node_gpu_memory_utilization' })).toBe(false);
  });
});

// The controller names a target group k8s-<namespace:8>-<service:8>-<hash:10> (buildTargetGroupName,
// pkg/ingress/model_build_target_group.go at v3.5.0); ELB's dimension values are app/<lb name>/<id> and
// targetgroup/<tg name>/<id> (ELB user guide, "CloudWatch metrics for your Application Load Balancer").
describe('exposed services are found on their ALB by the names the platform and the controller give', () => {
  const alb = (metricName: string, loadBalancer: string, targetGroup: string) => ({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
  });
  const chat = { loadBalancerName: 'acme-ml-ext', targetGroupPrefix: targetGroupPrefix('chat', 'serving', false) };
  const LB = 'app/acme-ml-ext/50dc6c495c0c9188';
  const TG = 'targetgroup/k8s-serving-chat-6d5bd8a3f1/73e2d6bc24d8a067';

  test("p99 latency, requests and 5xx find the service's target group on its ALB", () => {
    expect(chat.targetGroupPrefix).toBe('k8s-serving-chat-');
    expect(searchFinds(m.loadBalancer.latencyP99('chat', chat).expression, alb('TargetResponseTime', LB, TG))).toBe(
      true,
    );
    expect(m.loadBalancer.latencyP99('chat', chat).expression).toMatch(/, 'p99', 300\)$/);
    expect(searchFinds(m.loadBalancer.requestsPerMinute('chat', chat).expression, alb('RequestCount', LB, TG))).toBe(
      true,
    );
    expect(
      searchFinds(m.loadBalancer.target5xxPerMinute('chat', chat).expression, alb('HTTPCode_Target_5XX_Count', LB, TG)),
    ).toBe(true);
  });

  test("and no other service's target group, no other ALB, no other metric", () => {
    const e = m.loadBalancer.latencyP99('chat', chat).expression;
    expect(
      searchFinds(e, alb('TargetResponseTime', LB, 'targetgroup/k8s-serving-chatbot-0a1b2c3d4e/73e2d6bc24d8a067')),
    ).toBe(false);
    expect(
      searchFinds(e, alb('TargetResponseTime', LB, 'targetgroup/k8s-other-chat-0a1b2c3d4e/73e2d6bc24d8a067')),
    ).toBe(false);
    expect(searchFinds(e, alb('TargetResponseTime', 'app/acme-ml-int/50dc6c495c0c9188', TG))).toBe(false);
    expect(searchFinds(e, alb('RequestCount', LB, TG))).toBe(false);
  });

  test("a service held at zero is behind the interceptor's Service: its prefix, the ALB's own 5xx by its name", () => {
    expect(targetGroupPrefix('chat', 'serving', true)).toBe('k8s-keda-kedaaddo-');
    const elb5xx = m.loadBalancer.loadBalancer5xxPerMinute('acme-ml-ext').expression;
    expect(
      searchFinds(elb5xx, {
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_ELB_5XX_Count',
        dimensions: { LoadBalancer: LB },
      }),
    ).toBe(true);
  });
});
