import { full } from '../support/full-tests';
import { App, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { AwsSolutionsChecks, NagRuleCompliance } from 'cdk-nag';
import { AiPlatform, Provisioner } from '../../lib';
import { AiPlatformChecks, eksClusterControlPlaneLogging, eksClusterNoPublicEndpoint } from '../../lib/nag';
import { referencePlatform } from '../../examples/reference-platform';
import { synthPlatform, testApp } from '../helpers';

/** Findings after synthesis (acknowledgements are completed by aspects while synthesizing). */
function findings(stack: Stack): string[] {
  (stack.node.root as App).synth();
  return [new AwsSolutionsChecks(), new AiPlatformChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath ?? r.resourceLogicalId}`),
      ),
  );
}

test.each(['platformStack', 'dataStack', 'monitoringStack'] as const)(
  'the reference %s has no unacknowledged AwsSolutions or AiPlatform findings',
  (stack) => {
    // One build of the reference platform for the three stacks.
    expect(findings(synthPlatform().platform[stack])).toEqual([]);
  },
);

test("the reference platform's shard stacks (its pools and workloads) have no unacknowledged findings", () => {
  const { platform } = synthPlatform();
  expect(platform.shardStacks.flatMap((s) => findings(s))).toEqual([]);
});

// A second whole platform under cdk-nag: in CI's full step (npm test holds the reference to the same rules).
full.test('a Karpenter platform has no unacknowledged findings either', () => {
  const platform = new AiPlatform(testApp(), 'AiPlatform', {
    definition: {
      ...referencePlatform,
      nodePools: referencePlatform.nodePools.map((p, i) =>
        i === 0 ? { ...p, provisioner: Provisioner.KARPENTER } : p,
      ),
    },
  });
  expect(findings(platform.platformStack)).toEqual([]);
});

function bareCluster(props: Partial<eks.ClusterProps>): CfnResource {
  const stack = new Stack(testApp(), 'S');
  const cluster = new eks.Cluster(stack, 'C', {
    version: eks.KubernetesVersion.V1_35,
    vpc: new ec2.Vpc(stack, 'V'),
    defaultCapacity: 0,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'L') },
    ...props,
  });
  return cluster.node.defaultChild as CfnResource;
}

test('rule EKSV2PublicEndpoint flags a public endpoint and passes a private one', () => {
  expect(eksClusterNoPublicEndpoint(bareCluster({}))).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(eksClusterNoPublicEndpoint(bareCluster({ endpointAccess: eks.EndpointAccess.PRIVATE }))).toBe(
    NagRuleCompliance.COMPLIANT,
  );
});

test('rule EKSV2ControlPlaneLogs names each missing log type', () => {
  expect(eksClusterControlPlaneLogging(bareCluster({ clusterLogging: [eks.ClusterLoggingTypes.API] }))).toEqual([
    'LogType::audit',
    'LogType::authenticator',
    'LogType::controllerManager',
    'LogType::scheduler',
  ]);
});

test('an unacknowledged public endpoint is reported by the pack', () => {
  const cfn = bareCluster({ clusterLogging: Object.values(eks.ClusterLoggingTypes) });
  const stack = Stack.of(cfn);
  const rules = new AiPlatformChecks().validateScope(stack).violations.map((v) => v.ruleName);
  expect(rules).toContain('AiPlatform-EKSV2PublicEndpoint');
  expect(rules).not.toContain('AiPlatform-EKSV2ControlPlaneLogs');
  Validations.of(cfn).acknowledge({ id: 'AiPlatform-EKSV2PublicEndpoint', reason: 'test' });
  expect(new AiPlatformChecks().validateScope(stack).violations.map((v) => v.ruleName)).not.toContain(
    'AiPlatform-EKSV2PublicEndpoint',
  );
});
