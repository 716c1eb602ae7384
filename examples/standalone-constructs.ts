import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cdk8s from 'cdk8s';
import {
  AcceleratorCatalog,
  AiMonitoring,
  ChartDelivery,
  DataLake,
  DataPipeline,
  GpuCluster,
  InferenceService,
  Operator,
  Operators,
  PipelineScript,
  PipelineTrigger,
  Placement,
  PlatformNetwork,
  ScalingMetric,
  TableFormat,
  TeamNamespace,
} from '../lib';

/** The VPC's range: the ALB reaches the service's pods from addresses in it (its NetworkPolicy admits them). */
const NETWORK_CIDR = '10.0.0.0/16';

/** The data lake, a workload, a data pipeline and monitoring, each used on its own (the README's second snippet). */
export function buildStandaloneApp(app: App = new App()): {
  dataStack: Stack;
  platformStack: Stack;
  monitoringStack: Stack;
} {
  const dataStack = new Stack(app, 'Data');
  const lake = new DataLake(dataStack, 'DataLake', { namePrefix: 'acme', archiveAfter: Duration.days(60) });
  const myRole = new iam.Role(dataStack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  // Only that zone's bucket, the key only through S3. The zone's object wildcard (`<bucket>/*`) that reading
  // a zone takes is acknowledged for cdk-nag on the grant; any other wildcard on myRole still surfaces.
  lake.grantRead('models', myRole);

  const platformStack = new Stack(app, 'Platform');
  const network = new PlatformNetwork(platformStack, 'Network', { maxAzs: 2, cidr: NETWORK_CIDR });
  const gpu = new GpuCluster(platformStack, 'Gpu', {
    clusterName: 'acme',
    vpc: network.vpc,
    nodeSubnets: network.nodeSubnets,
    kubernetesVersion: '1.35',
  });
  const k8sApp = new cdk8s.App();
  // A workload's namespace is delivered too (synth names the chart and namespace when it is missing);
  // CPU scaling brings metrics-server with it.
  ChartDelivery.deliver(
    gpu.cluster,
    'Serving',
    new TeamNamespace(k8sApp, 'serving', { name: 'serving', servicePorts: [8000] }),
  );
  // Exposed inside the VPC through an ALB: the chart is applied after the AWS Load Balancer Controller (its webhook
  // admits Ingresses), so on removal the Ingress goes first and the controller deletes the ALB.
  const llm = new InferenceService(k8sApp, 'llm', {
    name: 'llm',
    namespace: 'serving',
    image: 'vllm/vllm-openai:v0.11.0',
    placement: Placement.onPool('inference', [AcceleratorCatalog.find('g6.xlarge')!], 1),
    minReplicas: 1,
    maxReplicas: 4,
    scaling: { metric: ScalingMetric.CPU, target: 70, activationThreshold: 0 },
    expose: { host: 'llm.acme.internal' },
    loadBalancerGroup: { name: 'acme-internal', vpcCidr: NETWORK_CIDR, loadBalancerName: 'acme-int' },
  });
  const controller = Operators.ensure(gpu.cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER);
  ChartDelivery.deliver(gpu.cluster, 'Llm', llm).node.addDependency(controller);
  new CfnOutput(platformStack, 'LlmUrl', {
    value: llm.endpointUrl!,
    description: `kubectl get ingress -n ${llm.ingressRef}`,
  });

  // A nightly Spark job (EMR Serverless, run by Step Functions) that reads only `raw` and writes only
  // `curated`, registering a partitioned table in curated's Glue database. The script path is relative to
  // where synth runs.
  new DataPipeline(platformStack, 'ReviewsClean', {
    pipelineName: 'acme-reviews-clean',
    dataLake: lake,
    vpc: network.vpc,
    vpcSubnets: network.nodeSubnets,
    sources: ['raw'],
    target: 'curated',
    script: PipelineScript.fromAsset('examples/jobs/reviews_clean.py'),
    trigger: PipelineTrigger.schedule('cron(0 2 * * ? *)'),
    table: { tableName: 'reviews', format: TableFormat.PARQUET, partitionKeys: ['dt'] },
  });

  const monitoringStack = new Stack(app, 'Monitoring');
  // The cluster itself (its name and the Container Insights add-on that feeds the metrics), not a free-text name.
  new AiMonitoring(monitoringStack, 'Monitoring', { cluster: gpu, alarmEmails: ['oncall@example.com'] });
  return { dataStack, platformStack, monitoringStack };
}
