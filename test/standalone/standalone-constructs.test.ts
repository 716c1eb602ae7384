import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import {
  ClusterAutoscaler,
  ContainerInsights,
  DataAccessLevel,
  DataLake,
  ManagedPrometheus,
  PlatformValidationError,
  WorkloadDataAccess,
} from '../../lib';
import { clusterStack, resourcesOf } from '../helpers';

// Constructs the platform composes, each used on its own in a user's stack with only its own props.

test('ContainerInsights: the observability add-on with its own Pod Identity role, for the named cluster', () => {
  const { stack, gpuCluster } = clusterStack({ containerInsights: false });
  const insights = new ContainerInsights(stack, 'Insights', {
    cluster: gpuCluster.cluster,
    clusterName: 'acme',
    kubernetesVersion: '1.35',
  });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::EKS::Addon', {
    AddonName: 'amazon-cloudwatch-observability',
    PodIdentityAssociations: [
      Match.objectLike({
        ServiceAccount: 'cloudwatch-agent',
        RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(insights.role.node.defaultChild as any), 'Arn'] },
      }),
    ],
  });
  expect(
    JSON.parse(
      resourcesOf(t, 'AWS::EKS::Addon').find(
        ([, a]) => a.Properties.AddonName === 'amazon-cloudwatch-observability',
      )![1].Properties.ConfigurationValues,
    ),
  ).toMatchObject({ agent: expect.anything() });
});

test('ManagedPrometheus: a workspace, a scraper in the given subnets, and p99 alerting rules to the given topic', () => {
  const { stack, vpc, gpuCluster } = clusterStack();
  const prometheus = new ManagedPrometheus(stack, 'Prometheus', {
    cluster: gpuCluster.cluster,
    subnets: vpc.privateSubnets,
    k8sApp: new cdk8s.App(),
    latencyObjectives: [{ name: 'llm', namespace: 'serving', p99LatencyTarget: Duration.millis(1500) }],
    alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
  });
  const t = Template.fromStack(stack);
  t.resourceCountIs('AWS::APS::Workspace', 1);
  t.hasResourceProperties('AWS::APS::Scraper', {
    Source: { EksConfiguration: Match.objectLike({ SubnetIds: Match.anyValue() }) },
  });
  const rules = resourcesOf(t, 'AWS::APS::RuleGroupsNamespace')[0][1].Properties.Data as string;
  expect(rules).toContain('histogram_quantile(0.99');
  expect(rules).toContain('> 1.5');
  expect(prometheus.rbacChart.toJson().length).toBeGreaterThan(0);
});

test('WorkloadDataAccess: a Pod Identity role for one service account that reads one zone and writes another, nothing else', () => {
  const { stack, gpuCluster } = clusterStack();
  const lake = new DataLake(stack, 'Lake', { namePrefix: 'acme' });
  const access = new WorkloadDataAccess(stack, 'Access', {
    cluster: gpuCluster.cluster,
    dataLake: lake,
    namespace: 'serving',
    serviceAccount: 'llm',
    access: [
      { zone: 'models', access: DataAccessLevel.READ },
      { zone: 'features', access: DataAccessLevel.READ_WRITE },
    ],
  });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'serving', ServiceAccount: 'llm' });
  const id = (c: any) => Stack.of(c).getLogicalId(c.node.defaultChild);
  const policies = resourcesOf(t, 'AWS::IAM::Policy').filter(([, p]) =>
    JSON.stringify(p.Properties.Roles).includes(id(access.role)),
  );
  const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const text = JSON.stringify(statements);
  expect(text).toContain(id(lake.zone('models')));
  expect(text).toContain(id(lake.zone('features')));
  expect(text).not.toContain(id(lake.zone('raw')));
  expect(text).not.toContain(id(lake.zone('curated')));
  const writes = statements.filter((s: any) => [s.Action].flat().includes('s3:PutObject'));
  expect(JSON.stringify(writes)).not.toContain(id(lake.zone('models')));
});

test('a constituent given an unsupported Kubernetes version refuses it as input: field, value and the supported versions', () => {
  const { stack, gpuCluster } = clusterStack({ containerInsights: false });
  const refuse = (make: () => unknown) => {
    try {
      make();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  for (const make of [
    () =>
      new ContainerInsights(stack, 'Insights', {
        cluster: gpuCluster.cluster,
        clusterName: 'acme',
        kubernetesVersion: '1.20',
      }),
    () => new ClusterAutoscaler(stack, 'Autoscaler', { cluster: gpuCluster.cluster, kubernetesVersion: '1.20' }),
  ]) {
    const e = refuse(make) as PlatformValidationError;
    expect(e).toBeInstanceOf(PlatformValidationError);
    expect(e.problems).toEqual([
      {
        field: 'kubernetesVersion',
        value: '1.20',
        message: expect.stringMatching(/^must be one of: 1\.\d+(, 1\.\d+)+$/),
      },
    ]);
  }
});
