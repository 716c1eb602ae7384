import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { AiPlatform, ExposureVisibility, InferenceService, type InferenceServiceProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { referenceWith, schemaProblems, testApp } from '../helpers';

const g6e = placementOnPool('inference', [findInstance('g6e.xlarge')!], 1);
const prometheus = {
  serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
  awsRegion: 'us-east-1',
};
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab';
const group = { name: 'acme-ml-internet', vpcCidr: '10.0.0.0/16' };
const internet = {
  visibility: ExposureVisibility.INTERNET,
  host: 'chat.ml.example.com',
  certificateArn: CERT,
  allowedCidrs: ['203.0.113.0/24'],
};

function synth(props: Partial<InferenceServiceProps> = {}) {
  const chart = new InferenceService(Testing.app(), 'svc', {
    name: 'chat',
    namespace: 'serving',
    image: 'vllm/vllm-openai:v0.11.0',
    placement: g6e,
    prometheus,
    healthPath: '/healthz',
    ...props,
  });
  const docs: any[] = Testing.synth(chart);
  return { docs, of: (kind: string) => docs.filter((d) => d.kind === kind) };
}

describe('exposure through the AWS Load Balancer Controller', () => {
  test('internet: an alb Ingress in the group, ip targets, HTTPS 443 only with a TLS 1.3 policy, its CIDRs on the SG and on its rule', () => {
    const [ingress] = synth({ expose: internet, loadBalancerGroup: group }).of('Ingress');
    expect(ingress.spec).toEqual({
      ingressClassName: 'alb',
      rules: [
        {
          host: 'chat.ml.example.com',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'chat', port: { number: 8000 } } } }],
          },
        },
      ],
    });
    expect(ingress.metadata.annotations).toEqual({
      'alb.ingress.kubernetes.io/group.name': 'acme-ml-internet',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/inbound-cidrs': '203.0.113.0/24',
      'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
      'alb.ingress.kubernetes.io/certificate-arn': CERT,
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/conditions.chat':
        '[{"field":"source-ip","sourceIpConfig":{"values":["203.0.113.0/24"]}}]',
    });
  });

  test("internal without a certificate: HTTP 80 on an internal ALB, the VPC admitted; the group's inbound list wins when given", () => {
    const internal = { name: 'acme-ml-internal', vpcCidr: '10.0.0.0/16' };
    const [a] = synth({ expose: {}, loadBalancerGroup: internal }).of('Ingress');
    expect(a.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80}]',
      'alb.ingress.kubernetes.io/inbound-cidrs': '10.0.0.0/16',
    });
    expect(Object.keys(a.metadata.annotations).filter((k) => /ssl|certificate|conditions/.test(k))).toEqual([]);
    const [b] = synth({
      expose: { allowedCidrs: ['10.1.0.0/16'] },
      loadBalancerGroup: { ...internal, inboundCidrs: ['10.0.0.0/8'] },
    }).of('Ingress');
    expect(b.metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBe('10.0.0.0/8');
  });

  test("a NetworkPolicy admits the VPC (the ALB's ip-target source) to the service's pods on its port, nothing else", () => {
    const { of } = synth({ expose: internet, loadBalancerGroup: group });
    const [policy] = of('NetworkPolicy');
    expect(policy.metadata).toMatchObject({ name: 'allow-alb-chat', namespace: 'serving' });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: of('Deployment')[0].spec.selector.matchLabels },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 8000 }] }],
    });
  });

  test('not exposed: no Ingress, no policy', () => {
    const { of } = synth();
    expect([...of('Ingress'), ...of('NetworkPolicy')]).toEqual([]);
  });

  test('the Ingress and the policy pass the Kubernetes schema', () => {
    const { docs } = synth({ expose: internet, loadBalancerGroup: group });
    expect(schemaProblems(docs.filter((d) => ['Ingress', 'NetworkPolicy'].includes(d.kind)))).toEqual([]);
  });

  test.each([
    [
      'internet without certificate or CIDRs',
      { visibility: ExposureVisibility.INTERNET },
      ['expose.certificateArn', 'expose.allowedCidrs'],
    ],
    ['a host that is not a DNS name', { host: 'Chat_ML' }, ['expose.host']],
    [
      'a certificate ARN of another service',
      { certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' },
      ['expose.certificateArn'],
    ],
    [
      'host bits and a bad range',
      { allowedCidrs: ['203.0.113.7/24', '300.0.0.0/8'] },
      ['expose.allowedCidrs[0]', 'expose.allowedCidrs[1]'],
    ],
    [
      'more ranges than one rule condition takes',
      { allowedCidrs: ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16'] },
      ['expose.allowedCidrs'],
    ],
  ])('refused: %s', (_, expose, fields) => {
    const problems = InferenceService.check({
      name: 'chat',
      namespace: 'serving',
      image: 'i',
      placement: g6e,
      prometheus,
      expose,
      loadBalancerGroup: group,
    });
    expect(problems.map((p) => p.field)).toEqual(fields);
  });

  test('refused: expose without a group, and a group name the controller refuses', () => {
    const base = { name: 'chat', namespace: 'serving', image: 'i', placement: g6e, prometheus, expose: {} };
    expect(InferenceService.check(base).map((p) => p.field)).toEqual(['loadBalancerGroup']);
    expect(
      InferenceService.check({ ...base, loadBalancerGroup: { name: 'Acme_ML', vpcCidr: '10.0.0.1/16' } }).map(
        (p) => p.field,
      ),
    ).toEqual(['loadBalancerGroup.name', 'loadBalancerGroup.vpcCidr']);
  });
});

describe('exposed services in a platform', () => {
  const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab';
  const platform = new AiPlatform(testApp(), 'AiPlatform', {
    definition: referenceWith((d) => {
      d.inference[0].expose = {
        visibility: 'internet',
        host: 'chat.example.com',
        certificateArn: CERT_ARN,
        allowedCidrs: ['203.0.113.0/24'],
      };
      d.inference.push({
        ...d.inference[0],
        name: 'partner',
        expose: {
          visibility: 'internet',
          host: 'partner.example.com',
          certificateArn: CERT_ARN,
          allowedCidrs: ['198.51.100.0/24'],
        },
      });
      d.inference.push({ ...d.inference[0], name: 'embed', expose: {} });
    }),
  });
  const stacks = platform.node.findAll().filter((c): c is Stack => c instanceof Stack);
  const resources = stacks.flatMap((s) =>
    Object.entries(Template.fromStack(s).toJSON().Resources ?? {}).map(([id, r]: [string, any]) => ({
      id,
      stack: s,
      r,
    })),
  );
  const manifests = resources.filter(({ r }) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource');
  const ingresses = manifests.flatMap((m) => {
    const text =
      typeof m.r.Properties.Manifest === 'string' ? m.r.Properties.Manifest : JSON.stringify(m.r.Properties.Manifest);
    return /kind\\?":\\?"Ingress\\?"/.test(text) ? [{ m, text }] : [];
  });

  test("one controller for the platform; each visibility one IngressGroup whose inbound ranges are its services' union", () => {
    expect(
      resources.filter(
        ({ r }) => r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties.Chart === 'aws-load-balancer-controller',
      ),
    ).toHaveLength(1);
    expect(ingresses).toHaveLength(3);
    const internet = ingresses.filter(({ text }) => text.includes('acme-ml-internet'));
    expect(internet).toHaveLength(2);
    for (const { text } of internet) expect(text).toContain('198.51.100.0/24,203.0.113.0/24');
    const internal = ingresses.filter(({ text }) => text.includes('acme-ml-internal'));
    expect(internal).toHaveLength(1);
    expect(internal[0].text).toContain('"alb.ingress.kubernetes.io/inbound-cidrs\\":\\"10.0.0.0/16');
  });

  test('an Ingress is applied after the controller and so deleted before it (the controller then removes the ALB)', () => {
    const controller = resources.find(
      ({ r }) => r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties.Chart === 'aws-load-balancer-controller',
    )!;
    for (const { m } of ingresses) {
      const sameStack = m.stack === controller.stack;
      if (sameStack) expect(m.r.DependsOn).toContain(controller.id);
      else expect(m.stack.dependencies).toContain(controller.stack);
    }
  });
});
