import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { AiPlatform, ExposureVisibility, InferenceService, type InferenceServiceProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { leanReferenceWith, schemaProblems, testApp } from '../helpers';
import { celViolations } from '../support/cel-rules';

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
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=660',
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
    // ELB CreateLoadBalancer Name: 32 characters at most, not starting with internal-.
    for (const loadBalancerName of ['internal-ml-int', 'a'.repeat(33), 'ml-', 'ml_int'])
      expect(
        InferenceService.check({ ...base, loadBalancerGroup: { ...group, loadBalancerName } }).map((p) => p.field),
      ).toEqual(['loadBalancerGroup.loadBalancerName']);
    expect(
      InferenceService.check({ ...base, loadBalancerGroup: { ...group, loadBalancerName: 'a'.repeat(32) } }),
    ).toEqual([]);
  });
});

const WAF = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/0123abcd-4567-89ab-cdef-0123456789ab';

describe('requests that wait for a replica (KEDA HTTP add-on)', () => {
  const woken = () =>
    synth({ minReplicas: 0, expose: { ...internet, coldStartTimeoutSeconds: 900 }, loadBalancerGroup: group });

  test("minReplicas 0 and exposed: the Ingress joins the group in the add-on's namespace, to the interceptor, health-checked on its readiness", () => {
    const { of } = woken();
    const [ingress] = of('Ingress');
    expect(ingress.metadata).toMatchObject({ name: 'chat.serving', namespace: 'keda' });
    expect(ingress.spec.rules[0]).toEqual({
      host: 'chat.ml.example.com',
      http: {
        paths: [
          {
            path: '/',
            pathType: 'Prefix',
            backend: { service: { name: 'keda-add-ons-http-interceptor-proxy', port: { number: 8080 } } },
          },
        ],
      },
    });
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/group.name': 'acme-ml-internet',
      'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
      'alb.ingress.kubernetes.io/healthcheck-port': '9090',
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=960',
      'alb.ingress.kubernetes.io/conditions.keda-add-ons-http-interceptor-proxy':
        '[{"field":"source-ip","sourceIpConfig":{"values":["203.0.113.0/24"]}}]',
    });
  });

  test('an HTTPScaledObject routes the host through the interceptor, which waits coldStartTimeoutSeconds; the service ScaledObject adds its request signal', () => {
    const { of } = woken();
    const [route] = of('HTTPScaledObject');
    expect(route.apiVersion).toBe('http.keda.sh/v1alpha1');
    expect(route.metadata).toMatchObject({
      name: 'chat',
      namespace: 'serving',
      annotations: { 'httpscaledobject.keda.sh/skip-scaledobject-creation': 'true' },
    });
    expect(route.spec).toEqual({
      hosts: ['chat.ml.example.com'],
      pathPrefixes: ['/'],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat', service: 'chat', port: 8000 },
      replicas: { min: 0, max: 3 },
      scalingMetric: { concurrency: { targetValue: 8 } },
      timeouts: { conditionWait: '900s' },
    });
    const [scaled] = of('ScaledObject');
    expect(scaled.spec.minReplicaCount).toBe(0);
    expect(scaled.spec.triggers.map((t: any) => t.type)).toEqual(['prometheus', 'external-push']);
    expect(scaled.spec.triggers[1]).toEqual({
      type: 'external-push',
      name: 'requests-in-flight',
      metadata: { httpScaledObject: 'chat', scalerAddress: 'keda-add-ons-http-external-scaler.keda:9090' },
    });
  });

  test("the interceptor's pods, not the VPC, are admitted to the service's pods", () => {
    const { of } = woken();
    expect(of('NetworkPolicy').map((p) => p.metadata.name)).toEqual(['allow-interceptor-chat']);
    expect(of('NetworkPolicy')[0].spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } },
            podSelector: {
              matchLabels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8000 }],
      },
    ]);
  });

  test('every object passes its schema (HTTPScaledObject against the vendored CRD) and CEL rules; a broken one does not', () => {
    const { docs } = woken();
    const route = docs.find((d) => d.kind === 'HTTPScaledObject');
    const schema = schemaProblems({ docs, broken: [{ ...route, spec: { ...route.spec, replicas: { min: '0' } } }] });
    expect(schema.docs).toEqual([]);
    expect(schema.broken).not.toEqual([]);
    expect(docs.flatMap((d) => celViolations(d))).toEqual([]);
    // Both port and portName: the CRD's CEL rule (has(self.portName) != has(self.port)) refuses it.
    const broken = {
      ...route,
      spec: { ...route.spec, scaleTargetRef: { ...route.spec.scaleTargetRef, portName: 'http' } },
    };
    expect(celViolations(broken)).toEqual([expect.stringContaining('portName')]);
  });

  test('the WAF web ACL on the Ingress; not exposed at minReplicas 1: no HTTPScaledObject', () => {
    const { of } = synth({ expose: { ...internet, wafAclArn: WAF }, loadBalancerGroup: group });
    expect(of('Ingress')[0].metadata.annotations['alb.ingress.kubernetes.io/wafv2-acl-arn']).toBe(WAF);
    expect(of('Ingress')[0].metadata.namespace).toBe('serving');
    expect(of('HTTPScaledObject')).toEqual([]);
  });

  const base = { name: 'chat', namespace: 'serving', image: 'i', placement: g6e, prometheus };
  test('minReplicas 0 without expose or query: refused, naming both ways out', () => {
    const [problem] = InferenceService.check({ ...base, minReplicas: 0 });
    expect(problem.field).toBe('minReplicas');
    expect(problem.message).toMatch(/expose the service/);
    expect(problem.message).toMatch(/scaling\.query/);
    expect(InferenceService.check({ ...base, minReplicas: 0, expose: internet, loadBalancerGroup: group })).toEqual([]);
  });

  test.each([
    [
      'no host at zero replicas (the interceptor routes on Host)',
      { minReplicas: 0, expose: { ...internet, host: undefined } },
      ['expose.host'],
    ],
    [
      'a cold start of 0 s',
      { expose: { ...internet, coldStartTimeoutSeconds: 0 } },
      ['expose.coldStartTimeoutSeconds'],
    ],
    [
      'a cold start past the idle timeout limit',
      { expose: { ...internet, coldStartTimeoutSeconds: 3941 } },
      ['expose.coldStartTimeoutSeconds'],
    ],
    [
      'a fractional cold start',
      { expose: { ...internet, coldStartTimeoutSeconds: 1.5 } },
      ['expose.coldStartTimeoutSeconds'],
    ],
    [
      'a CloudFront-scope web ACL',
      { expose: { ...internet, wafAclArn: WAF.replace('regional', 'global').replace('us-east-1', 'us-east-1') } },
      ['expose.wafAclArn'],
    ],
    [
      "a group idle timeout below the service's cold start",
      {
        expose: { ...internet, coldStartTimeoutSeconds: 900 },
        loadBalancerGroup: { ...group, idleTimeoutSeconds: 900 },
      },
      ['loadBalancerGroup.idleTimeoutSeconds'],
    ],
    [
      'a group idle timeout past 4000 s',
      { loadBalancerGroup: { ...group, idleTimeoutSeconds: 4001 } },
      ['loadBalancerGroup.idleTimeoutSeconds'],
    ],
    [
      "a web ACL other than the group's",
      {
        expose: { ...internet, wafAclArn: WAF },
        loadBalancerGroup: { ...group, wafAclArn: WAF.replace('edge', 'other') },
      },
      ['expose.wafAclArn'],
    ],
  ])('refused: %s', (_, props, fields) => {
    const problems = InferenceService.check({
      ...base,
      expose: internet,
      loadBalancerGroup: group,
      ...props,
    } as InferenceServiceProps);
    expect(problems.map((p) => p.field)).toEqual(fields);
  });
});

describe('exposed services in a platform', () => {
  const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab';
  const platform = new AiPlatform(testApp(), 'AiPlatform', {
    definition: leanReferenceWith((d) => {
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
          auth: { jwt: { issuer: 'https://idp.example.com', jwksEndpoint: 'https://idp.example.com/jwks' } },
        },
      });
      d.inference.push({
        ...d.inference[0],
        name: 'embed',
        minReplicas: 0,
        expose: { host: 'embed.example.com', coldStartTimeoutSeconds: 1200 },
      });
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
    // partner authenticates and names no ranges: any address reaches the ALB, its rule verifies the token.
    for (const { text } of internet)
      expect(text).toContain('"alb.ingress.kubernetes.io/inbound-cidrs\\":\\"0.0.0.0/0,203.0.113.0/24');
    const internal = ingresses.filter(({ text }) => text.includes('acme-ml-internal'));
    expect(internal).toHaveLength(1);
    // Each group's ALB named the same on every member (load-balancer-name is Exclusive: annotations.md v3.5.0).
    for (const { text } of internet)
      expect(text).toContain('"alb.ingress.kubernetes.io/load-balancer-name\\":\\"acme-ml-ext\\"');
    expect(internal[0].text).toContain('"alb.ingress.kubernetes.io/load-balancer-name\\":\\"acme-ml-int\\"');
    expect(internal[0].text).toContain('"alb.ingress.kubernetes.io/inbound-cidrs\\":\\"10.0.0.0/16');
  });

  test("the group's idle timeout is its longest cold start plus the margin; the add-on is installed once, before the service that waits on it", () => {
    const idle = (g: string) =>
      ingresses
        .filter(({ text }) => text.includes(g))
        .map(({ text }) => /idle_timeout\.timeout_seconds=(\d+)/.exec(text)![1]);
    expect(idle('acme-ml-internet')).toEqual(['660', '660']);
    expect(idle('acme-ml-internal')).toEqual(['1260']);
    const addOn = resources.filter(
      ({ r }) => r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties.Chart === 'keda-add-ons-http',
    );
    expect(addOn).toHaveLength(1);
    const [embed] = ingresses.filter(({ text }) => text.includes('HTTPScaledObject'));
    expect(embed.text).toContain('embed.example.com');
    if (embed.m.stack === addOn[0].stack) expect(embed.m.r.DependsOn).toContain(addOn[0].id);
    else expect(embed.m.stack.dependencies).toContain(addOn[0].stack);
  });

  test("the platform stack outputs each endpoint's URL, and where to read the ALB's DNS name", () => {
    const outputs = Template.fromStack(platform.platformStack).toJSON().Outputs;
    const endpoints = Object.fromEntries(
      Object.entries(outputs)
        .filter(([id]) => id.startsWith('Endpoint'))
        .map(([id, o]: [string, any]) => [id, o.Value]),
    );
    expect(endpoints).toEqual({
      Endpointllm: 'https://chat.example.com/',
      Endpointpartner: 'https://partner.example.com/',
      Endpointembed: 'http://embed.example.com/',
    });
    // embed is held at zero replicas: its Ingress is the interceptor's, in the add-on's namespace.
    expect(outputs.Endpointembed.Description).toMatch(/kubectl get ingress -n keda embed\.\S+ -o jsonpath=/);
    expect(outputs.Endpointllm.Description).toMatch(/kubectl get ingress -n \S+ llm -o jsonpath=/);
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
