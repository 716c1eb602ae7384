import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { HELM_CHARTS } from '../../lib/catalog/versions';
import { Operator, Operators } from '../../lib/cluster/operators';
import { clusterStack, resourcesOf } from '../helpers';

/** docs/install/iam_policy.json of kubernetes-sigs/aws-load-balancer-controller at tag v3.5.0, vendored unchanged. */
const UPSTREAM = JSON.parse(
  readFileSync(join(__dirname, 'vendored/aws-load-balancer-controller-iam-policy-v3.5.0.json'), 'utf8'),
);

/** A statement in one comparable form: lists sorted, single strings as lists, the partition as upstream writes it. */
function normal(statement: any, resolve: (v: unknown) => unknown = (v) => v): unknown {
  const list = (v: unknown) =>
    []
      .concat(resolve(v) as any)
      .map((x: any) => (typeof x === 'string' ? x : JSON.stringify(x)))
      .sort();
  const condition = Object.fromEntries(
    Object.entries(statement.Condition ?? {}).map(([op, kv]: [string, any]) => [
      op,
      Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, list(v)])),
    ]),
  );
  return {
    Effect: statement.Effect,
    Action: list(statement.Action),
    Resource: list(statement.Resource),
    Condition: condition,
  };
}

/** `{ Fn::Join: ['', ['arn:', { Ref: AWS::Partition }, ':ec2:…']] }` back to `arn:aws:ec2:…`. */
function unpartition(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unpartition);
  const join = (v as any)?.['Fn::Join'];
  if (join) return join[1].map((p: any) => (p?.Ref === 'AWS::Partition' ? 'aws' : p)).join('');
  return v;
}

function controller() {
  const { stack, gpuCluster } = clusterStack({});
  const chart = Operators.ensure(gpuCluster.cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER);
  return { stack, gpuCluster, chart, t: Template.fromStack(stack) };
}

describe('AWS Load Balancer Controller', () => {
  const { t, gpuCluster, chart } = controller();
  const roleId = (): string => {
    const [[id]] = resourcesOf(t, 'AWS::EKS::PodIdentityAssociation').filter(
      ([, a]) => a.Properties.ServiceAccount === 'aws-load-balancer-controller',
    );
    return t.toJSON().Resources[id].Properties.RoleArn['Fn::GetAtt'][0];
  };

  test('the catalog pins chart 3.5.0 (app v3.5.0) from the eks-charts repository, image at the same release', () => {
    expect(HELM_CHARTS.awsLoadBalancerController).toMatchObject({
      chart: 'aws-load-balancer-controller',
      repository: 'https://aws.github.io/eks-charts',
      version: '3.5.0',
      namespace: 'kube-system',
    });
    expect(HELM_CHARTS.awsLoadBalancerController.images).toEqual([
      expect.objectContaining({
        repository: 'public.ecr.aws/eks/aws-load-balancer-controller',
        tag: 'v3.5.0',
        repositoryKey: 'image.repository',
        tagKey: 'image.tag',
      }),
    ]);
  });

  test("its role carries the pinned release's iam_policy.json, statement by statement, in the stack's partition", () => {
    const role = roleId();
    const policies = resourcesOf(t, 'AWS::IAM::Policy').filter(([, p]) =>
      p.Properties.Roles.some((r: any) => r.Ref === role),
    );
    const rendered = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(JSON.stringify(rendered)).not.toContain('arn:aws:');
    const ours = rendered.map((s) => normal(s, unpartition));
    const theirs = UPSTREAM.Statement.map((s: any) => normal(s));
    expect(ours).toHaveLength(theirs.length);
    theirs.forEach((statement: unknown, i: number) => expect(ours[i]).toEqual(statement));
  });

  test('the chart runs on the system nodes with the cluster, region and VPC given (no IMDS), its service account associated', () => {
    const release = resourcesOf(t, 'Custom::AWSCDK-EKS-HelmChart').find(
      ([, h]) => h.Properties.Chart === 'aws-load-balancer-controller',
    )!;
    const props = release[1].Properties;
    expect(props).toMatchObject({ Version: '3.5.0', Namespace: 'kube-system', Wait: true });
    const values = JSON.stringify(props.Values);
    for (const part of [
      'clusterName',
      'region',
      'vpcId',
      '"serviceAccount\\":{\\"create\\":true,\\"name\\":\\"aws-load-balancer-controller\\"}',
      '"nodeSelector\\":{\\"ai-platform/pool\\":\\"system\\"}',
      '"enableServiceMutatorWebhook\\":false',
    ])
      expect(values).toContain(part);
    expect(values).toContain(gpuCluster.cluster.stack.resolve(gpuCluster.cluster.vpc.vpcId));
    expect(release[1].DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/OperatorawsloadbalancercontrollerIdentityAssociation/)]),
    );
    expect(chart.node.id).toBe('Operator-aws-load-balancer-controller');
  });

  test('is installed once per cluster', () => {
    const { stack, gpuCluster } = clusterStack({});
    Operators.ensure(gpuCluster.cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER);
    Operators.ensure(gpuCluster.cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER);
    expect(
      resourcesOf(Template.fromStack(stack), 'Custom::AWSCDK-EKS-HelmChart').filter(
        ([, h]) => h.Properties.Chart === 'aws-load-balancer-controller',
      ),
    ).toHaveLength(1);
  });
});

test("the controller's role raises no unacknowledged AwsSolutions finding (its wildcards are the upstream policy's, acknowledged with the reason)", () => {
  const { AwsSolutionsChecks } = require('cdk-nag');
  const { stack, gpuCluster } = clusterStack({});
  Operators.ensure(gpuCluster.cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER);
  (stack.node.root as any).synth();
  const violations = new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.flatMap((v: any) =>
      v.violatingResources.map((r: any) => `${v.ruleName} ${r.constructPath ?? r.resourceLogicalId}`),
    )
    .filter((f: string) => /aws-load-balancer-controller/.test(f));
  expect(violations).toEqual([]);
});
