import { Template } from 'aws-cdk-lib/assertions';
import { buildStandaloneApp } from '../../examples/standalone-constructs';
import { testApp } from '../helpers';

// The README's compose snippet exposes a service without AiPlatform: InferenceService's expose and
// loadBalancerGroup props, the controller from Operators, the chart after it, the URL as an output.
describe('a service exposed in your own stack (examples/standalone-constructs.ts)', () => {
  const { platformStack } = buildStandaloneApp(testApp());
  const t = Template.fromStack(platformStack).toJSON();
  const resources = Object.entries(t.Resources) as [string, any][];
  const [controllerId] = resources.find(
    ([, r]) => r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties.Chart === 'aws-load-balancer-controller',
  )!;
  const [, llm] = resources.find(([id]) => id.startsWith('GpuClusterLlm'))!;
  const manifest = JSON.stringify(llm.Properties.Manifest);

  test('the Ingress joins the named ALB, and the chart is applied after the controller', () => {
    expect(manifest).toContain('\\"kind\\":\\"Ingress\\"');
    expect(manifest).toContain('\\"alb.ingress.kubernetes.io/load-balancer-name\\":\\"acme-int\\"');
    expect(manifest).toContain('\\"alb.ingress.kubernetes.io/group.name\\":\\"acme-internal\\"');
    expect(llm.DependsOn).toContain(controllerId);
  });

  test("the stack outputs the endpoint's URL", () => {
    expect(t.Outputs.LlmUrl.Value).toBe('http://llm.acme.internal/');
  });
});
