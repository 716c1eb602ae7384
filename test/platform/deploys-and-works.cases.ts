import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { AiPlatform, type AiPlatformDefinition } from '../../lib';
import { multiTeamPlatform } from '../../examples/multi-team';
import { withRuns } from '../support/launched-runs';
import { leanReferenceWith, manifestsOf, resourcesOf, synthPlatform, testApp } from '../helpers';
import { full } from '../support/full-tests';

// Features that deploy but would not work unless the output matches what the services do. Each test names
// the contract's source; test/contracts holds the template and admission contracts.

const { platform, template } = synthPlatform();
const manifests = manifestsOf(platform.charts);
const resolve = (x: unknown) => platform.platformStack.resolve(x);

describe('p99 latency reaches the alarm topic through Prometheus alerting rules', () => {
  // vLLM latency is a histogram; the CloudWatch agent drops histograms (CloudWatch user guide, "Prometheus
  // metrics type conversion"), so the rule is evaluated in Amazon Managed Prometheus instead.
  test('a rule per service on the latency histogram, over its target for 15 minutes', () => {
    const [, rules] = resourcesOf(template, 'AWS::APS::RuleGroupsNamespace')[0];
    const rule = parse(rules.Properties.Data).groups[0].rules[0];
    expect(rule).toMatchObject({
      alert: 'InferenceP99LatencyHigh',
      for: '15m',
      labels: { namespace: 'llm', app: 'llm' },
      expr: 'histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{namespace="llm",app="llm"}[5m]))) > 2',
    });
  });

  test("the workspace alert manager sends to the monitoring stack's topic, with sigv4 region (AMP alert manager SNS receiver)", () => {
    const [, ws] = resourcesOf(template, 'AWS::APS::Workspace')[0];
    const text = JSON.stringify(ws.Properties.AlertManagerDefinition);
    expect(text).toContain('sns_configs');
    expect(text).toContain(':acme-ml-alarms');
    expect(text).toMatch(/sigv4:\\n\s+region: /);
    expect(platform.monitoring.topic.node.defaultChild).toBeDefined();
    expect(
      Template.fromStack(platform.monitoringStack).findResources('AWS::SNS::Topic', {
        Properties: { TopicName: 'acme-ml-alarms' },
      }),
    ).not.toEqual({});
  });

  test('the topic and its key let AMP of this account publish (AMP user guide, SNS permissions)', () => {
    const mt = Template.fromStack(platform.monitoringStack);
    const [, policy] = resourcesOf(mt, 'AWS::SNS::TopicPolicy')[0];
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'aps.amazonaws.com' },
          Action: ['sns:GetTopicAttributes', 'sns:Publish'],
        }),
      ]),
    );
    const [, key] = resourcesOf(mt, 'AWS::KMS::Key')[0];
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('aps.amazonaws.com');
  });

  test('the monitoring stack deploys before the platform stack that names its topic', () => {
    expect(platform.platformStack.dependencies).toContain(platform.monitoringStack);
    expect(platform.monitoringStack.dependencies).not.toContain(platform.platformStack);
  });
});

describe('KEDA reads Prometheus where it is', () => {
  // KEDA appends /api/v1/query to serverAddress (kedacore/keda pkg/scalers/prometheus_scaler.go, v2.20.2);
  // the workspace's PrometheusEndpoint attribute already ends in /api/v1/.
  test('serverAddress is the workspace URL without a trailing slash or API path', () => {
    const so = manifests.find((m) => m.kind === 'ScaledObject');
    const address = JSON.stringify(resolve(so.spec.triggers[0].metadata.serverAddress));
    expect(address).toContain('https://aps-workspaces.');
    expect(address).toContain('WorkspaceId');
    expect(address).not.toContain('PrometheusEndpoint');
    expect(address).not.toMatch(/\/"\]\]\}$/);
  });

  // The add-on's DCGM exporter serves HTTPS on 9400 with a certificate for its service name only
  // (aws-observability/helm-charts templates/linux/dcgm-exporter-daemonset.yaml).
  test('the scraper reads the DCGM exporter over HTTPS in amazon-cloudwatch, keeping its pod labels', () => {
    const [, scraper] = resourcesOf(template, 'AWS::APS::Scraper')[0];
    const blob = scraper.Properties.ScrapeConfiguration.ConfigurationBlob['Fn::Base64'];
    const config = parse(typeof blob === 'string' ? blob : '');
    const dcgm = config.scrape_configs.find((j: any) => j.job_name === 'dcgm-exporter');
    expect(dcgm).toMatchObject({
      scheme: 'https',
      tls_config: { insecure_skip_verify: true },
      honor_labels: true,
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['amazon-cloudwatch'] } }],
    });
    expect(JSON.stringify(dcgm.relabel_configs)).toContain('dcgm-exporter');
  });
});

describe('NetworkPolicies are enforced and admit what must reach the pods', () => {
  // EKS user guide, "Limit pod traffic with Kubernetes network policies": configuration value enableNetworkPolicy.
  test('the VPC CNI add-on runs its network policy agent', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: '{"enableNetworkPolicy":"true"}',
    });
  });

  test('the managed scraper (ENIs in the VPC) may reach the service ports', () => {
    const policy = manifests.find(
      (m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'allow-service-ports' && m.metadata.namespace === 'llm',
    );
    expect(policy.spec.ingress[0].from).toEqual(expect.arrayContaining([{ ipBlock: { cidr: '10.0.0.0/16' } }]));
    expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
  });

  // The KubeRay operator calls each head's dashboard (ray-operator utils/util.go FetchHeadServiceURL, v1.7.0).
  test("the KubeRay operator may reach Ray heads' dashboards in namespaces running Ray jobs", () => {
    const policies = manifestsOf(synthPlatform(multiTeamPlatform).platform.charts).filter(
      (m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'allow-kuberay-dashboard',
    );
    expect(policies.map((p) => p.metadata.namespace)).toEqual(['research']);
    expect(policies[0].spec).toEqual({
      podSelector: { matchLabels: { 'ray.io/node-type': 'head' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kuberay-system' } } }],
          ports: [{ protocol: 'TCP', port: 8265 }],
        },
      ],
    });
  });
});

test("a team's declared egress is a NetworkPolicy in its namespace, alongside the default-deny one", () => {
  const egress = [
    {
      name: 'llm',
      namespaces: ['llm'],
      cidrs: ['2001:db8::/32'],
      ports: [{ port: 8000, endPort: 8001, protocol: 'TCP' }],
    },
  ];
  const policies = manifestsOf(
    new AiPlatform(testApp(), 'AiPlatform', {
      definition: leanReferenceWith((d) => {
        d.teams[0].egress = egress;
      }),
    }).charts,
  ).filter(
    (m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'research' && m.spec.policyTypes.includes('Egress'),
  );
  expect(policies.map((p) => p.metadata.name)).toEqual(
    expect.arrayContaining(['default-deny-egress', 'allow-egress-llm']),
  );
  expect(policies.find((p) => p.metadata.name === 'allow-egress-llm').spec).toEqual({
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          { ipBlock: { cidr: '2001:db8::/32' } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'llm' } } },
        ],
        ports: [{ protocol: 'TCP', port: 8000, endPort: 8001 }],
      },
    ],
  });
});

describe('Karpenter pools get what managed pools get', () => {
  const karpenter: AiPlatformDefinition = leanReferenceWith((d) => {
    d.nodePools[0].provisioner = 'karpenter';
    d.nodePools[0].minNodes = 0;
    d.nodePools[0].labels = { tier: 'gold' };
  });
  const kp = new AiPlatform(testApp(), 'AiPlatform', { definition: karpenter });
  const km = manifestsOf(kp.charts);
  const kt = Template.fromStack(kp.platformStack);

  test('the device plugin label is on Karpenter nodes, and the NVIDIA plugin is installed for them', () => {
    const pool = km.find((m) => m.kind === 'NodePool');
    expect(pool.spec.template.metadata.labels).toMatchObject({
      'ai-platform/device-plugin': 'nvidia',
      'ai-platform/pool': 'inference',
      tier: 'gold',
    });
    kt.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'nvidia-device-plugin' });
  });

  test('pool labels go on nodes only, not on the NodePool or EC2NodeClass objects', () => {
    for (const m of km.filter((x) => ['NodePool', 'EC2NodeClass'].includes(x.kind)))
      expect(m.metadata.labels ?? {}).not.toHaveProperty('tier');
  });

  // karpenter.sh "Disruption": pods annotated karpenter.sh/do-not-disrupt block voluntary disruption.
  test('training pods are not disrupted by consolidation or scale-down', () => {
    const jobset = withRuns(manifests).find((m) => m.kind === 'JobSet');
    expect(jobset.spec.replicatedJobs[0].template.spec.template.metadata.annotations).toEqual({
      'karpenter.sh/do-not-disrupt': 'true',
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
    });
  });
});

// ResourceQuota counts each extended resource separately, so each vendor has its own quota.
test('team quotas: gpuQuota for NVIDIA GPUs, neuronQuota for Neuron devices', () => {
  const quota = manifestsOf(synthPlatform(multiTeamPlatform).platform.charts).find(
    (m) => m.kind === 'ResourceQuota' && m.metadata.namespace === 'product',
  );
  expect(quota.spec.hard).toEqual({ 'requests.nvidia.com/gpu': 8, 'requests.aws.amazon.com/neuron': 4 });
});

// EKS names the node group; CloudFormation cannot replace a custom-named resource in place, so the name
// carries a digest of what forces replacement.
full.test('node groups have stable names that change with what forces their replacement', () => {
  const name = (d: AiPlatformDefinition) =>
    new AiPlatform(testApp(), 'AiPlatform', { definition: d }).nodePools.inference.nodegroupName;
  const base = name(leanReferenceWith());
  expect(base).toMatch(/^acme-ml-inference-[0-9a-f]{8}$/);
  expect(
    name(
      leanReferenceWith((d) => {
        d.nodePools[0].maxNodes = 10;
      }),
    ),
  ).toBe(base);
  expect(
    name(
      leanReferenceWith((d) => {
        d.nodePools[0].instanceTypes = ['g6e.xlarge'];
      }),
    ),
  ).not.toBe(base);
  expect(
    name(
      leanReferenceWith((d) => {
        d.nodePools[0].capacityType = 'on-demand';
      }),
    ),
  ).not.toBe(base);
  // Subnets force replacement too: a third AZ adds a subnet to the group.
  expect(
    name(
      leanReferenceWith((d) => {
        d.network.maxAzs = 2;
        d.network.natGateways = 1;
      }),
    ),
  ).not.toBe(base);
});
