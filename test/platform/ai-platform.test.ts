import { App, Stack } from 'aws-cdk-lib';
import { renderPlanMarkdown } from '../../lib/plan/plan-report';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AiPlatform, DefinitionError } from '../../lib';
import { resolveDefinition } from '../../lib/definition/resolve';
import { monitoringProps } from '../../lib/platform/map-monitoring';
import { leanReferenceWith, referenceWith, resourcesOf, synthPlatform, testApp } from '../helpers';
import { full } from '../support/full-tests';

describe('the reference platform', () => {
  const { platform, template } = synthPlatform();

  test('the platform stack is named after the definition', () => {
    expect(platform.platformStack.stackName).toBe('acme-ml-platform');
  });

  test("one native EKS cluster with the definition's version and endpoint CIDRs", () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.35',
      ResourcesVpcConfig: Match.objectLike({
        EndpointPublicAccess: true,
        EndpointPrivateAccess: true,
        PublicAccessCidrs: ['203.0.113.0/24'],
      }),
    });
  });

  test('a managed node group per pool plus the system group', () => {
    const groups = resourcesOf(template, 'AWS::EKS::Nodegroup').map(([, g]) => g.Properties.Labels['ai-platform/pool']);
    expect(groups.sort()).toEqual(['inference', 'system', 'training']);
    expect(Object.keys(platform.nodePools).sort()).toEqual(['inference', 'training']);
  });

  test('the spot inference pool on NVIDIA AL2023 scales from zero', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      Labels: Match.objectLike({ 'ai-platform/pool': 'inference' }),
      AmiType: 'AL2023_x86_64_NVIDIA',
      CapacityType: 'SPOT',
      InstanceTypes: ['g6e.xlarge', 'g6e.2xlarge'],
      ScalingConfig: { MinSize: 0, MaxSize: 8 },
      Tags: Match.objectLike({ 'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '1' }),
    });
  });

  test('the EFA training pool has 500 GiB disks', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 500 }) })],
      }),
    });
  });

  test('every launch template requires IMDSv2', () => {
    for (const [, lt] of resourcesOf(template, 'AWS::EC2::LaunchTemplate')) {
      expect(lt.Properties.LaunchTemplateData.MetadataOptions.HttpTokens).toBe('required');
    }
  });

  test('definition tags land on resources', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { Tags: Match.arrayWith([{ Key: 'team', Value: 'ml-platform' }]) });
    template.hasResourceProperties('AWS::EC2::VPC', {
      Tags: Match.arrayWith([{ Key: 'ai-platform', Value: 'acme-ml' }]),
    });
  });
});

test('definition warnings become synth warnings', () => {
  const { platform } = synthPlatform(
    leanReferenceWith((d) => {
      delete d.cluster.publicAccessCidrs;
    }),
  );
  Annotations.fromStack(platform.platformStack).hasWarning(
    '*',
    Match.stringLikeRegexp('cluster.publicAccessCidrs is not set'),
  );
});

test('an invalid definition throws a DefinitionError before any stack exists', () => {
  const app = testApp();
  expect(
    () =>
      new AiPlatform(app, 'P', {
        definition: referenceWith((d) => {
          d.nodePools[0].maxNodes = -1;
        }),
      }),
  ).toThrow(DefinitionError);
  expect(app.node.findAll().some((c) => c.node.id === 'Platform')).toBe(false);
});

full.test('a private cluster has no public endpoint', () => {
  const { template } = synthPlatform(
    leanReferenceWith((d) => {
      d.cluster.endpointAccess = 'private';
      delete d.cluster.publicAccessCidrs;
    }),
  );
  template.hasResourceProperties('AWS::EKS::Cluster', {
    ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false }),
  });
});

test("synthesizes in a bare App, without this project's feature flags", () => {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:disable-asset-staging': true } });
  new AiPlatform(app, 'P', {
    definition: { name: 'min-ml', nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 1 }] },
  });
  expect(() => app.synth()).not.toThrow();
});

describe('contracts across the reference stacks', () => {
  const { platform } = synthPlatform();
  const stacks = [platform.dataStack, platform.platformStack, platform.monitoringStack];

  // The cluster and its secrets key are stateful: a new logical ID would replace them.
  test('the cluster and its secrets key keep their logical IDs', () => {
    const t = Template.fromStack(platform.platformStack);
    expect(resourcesOf(t, 'AWS::EKS::Cluster').map(([id]) => id)).toEqual(['ClusterC2E21B66']);
    expect(resourcesOf(t, 'AWS::KMS::Key').map(([id]) => id)).toEqual([
      'ClusterSecretsKey462B29B5',
      'PipelinereviewsnightlyLogKey20F018AC',
      'PipelinereviewsarrivalLogKeyC6711F03',
    ]);
  });

  test('no role in any stack is trusted by a whole account', () => {
    for (const stack of stacks) {
      for (const [id, role] of resourcesOf(Template.fromStack(stack), 'AWS::IAM::Role')) {
        const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
        expect({ id, root: /:root"|"AWS":\s*\{?"Fn::Join".*:root/.test(trust) }).toEqual({ id, root: false });
        expect(trust).not.toMatch(/"AWS":"\*"/);
      }
    }
  });
});

full.test('a second synth into the same cdk.out keeps only its own plan and manifests', () => {
  const { mkdtempSync, readdirSync } = require('node:fs');
  const { join } = require('node:path');
  const outdir = mkdtempSync(join(require('node:os').tmpdir(), 'cdkout-'));
  const synth = (definition: any) => {
    const app = new App({
      outdir,
      context: { 'aws:cdk:disable-asset-staging': true },
      builtinCloudFormationValidation: false,
    });
    new AiPlatform(app, 'AiPlatform', { definition });
    app.synth();
  };
  synth(leanReferenceWith());
  synth(
    leanReferenceWith((d) => {
      d.name = 'other-ml';
    }),
  );
  expect(readdirSync(join(outdir, 'plan')).sort()).toEqual([
    'other-ml-data-import.json',
    'other-ml.json',
    'other-ml.md',
  ]);
  expect(readdirSync(join(outdir, 'k8s')).filter((d: string) => !d.startsWith('other-ml-'))).toEqual([]);
});

test("a pool's nodes are described once: the node group and the resolved definition share one PoolNodes", () => {
  const { platform } = synthPlatform();
  const resolved = platform.definition.nodePools.find((p) => p.name === 'inference')!;
  expect(platform.nodePools.inference.nodes).toBe(resolved.nodes);
});

full.test(
  'a pipeline above the default vCPU quota warns once, under its definition path, where acknowledgeWarnings can accept it',
  () => {
    const app = testApp();
    const platform = new AiPlatform(app, 'AiPlatform', {
      // The nightly pipeline alone (no jobs, no other pipeline): only its warning matters here.
      definition: referenceWith((d) => {
        d.pipelines = [{ ...d.pipelines[0], maxCapacity: { vcpu: 32, memoryGiB: 128 } }];
        d.training = [];
        d.optimizations = [];
      }),
    });
    const warnings = Annotations.fromStack(platform.platformStack)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^definition: pipelines\[0\]\.maxCapacity\.vcpu \(32\) is above 16/),
    ]);
  },
);

test('node launch templates (system and GPU) carry the platform tag to their instances, and no user tag', () => {
  const { template } = synthPlatform();
  const lts = resourcesOf(template, 'AWS::EC2::LaunchTemplate');
  expect(lts.length).toBeGreaterThanOrEqual(3);
  for (const [id, lt] of lts) {
    for (const spec of lt.Properties.LaunchTemplateData.TagSpecifications) {
      expect([id, spec.Tags.map((t: any) => t.Key).sort()]).toEqual([id, ['Name', 'ai-platform']]);
    }
  }
});

test('the plan names the stack that holds each pool and workload, as the app places them', () => {
  const { platform } = synthPlatform();
  for (const p of platform.plan.pools)
    expect([p.name, p.stack]).toEqual([p.name, Stack.of(platform.nodePools[p.name]).stackName]);
  const llm = platform.plan.workloads.find((w) => w.name === 'llm')!;
  expect(llm.stack).toBe(Stack.of(platform.workloadAccess.llm).stackName);
  expect(renderPlanMarkdown(platform.plan)).toContain(
    `subgraph stack_${llm.stack!.replace(/-/g, '_')}["${llm.stack}"]`,
  );
});

full.test(
  "definition warnings raised for constructs (budget cost tag, Lake Formation admin) appear once, under the definition's field",
  () => {
    const budgetOf = (platform: AiPlatform) =>
      resourcesOf(Template.fromStack(platform.monitoringStack), 'AWS::Budgets::Budget')[0][1].Properties.Budget;
    // (One build for two cases: the budget's cost-tag warning unacknowledged, and a Lake Formation lake.)
    const tagged = new AiPlatform(testApp(), 'AiPlatform', {
      definition: leanReferenceWith((d) => {
        d.acknowledgeWarnings = [];
        d.dataLake.lakeFormation = true;
      }),
    });
    expect(budgetOf(tagged).CostFilters).toEqual({ TagKeyValue: ['user:ai-platform$acme-ml'] });
    expect(tagged.definition.warnings.map((w) => w.path)).toContain('monitoring.budgetCostFilter');
    // One warning, under the definition's field: AiMonitoring's own is acknowledged by the platform.
    const warnings = Annotations.fromStack(tagged.monitoringStack)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('update-cost-allocation-tags-status'))).toEqual([]);
    // budgetCostFilter account: no warning, and AiMonitoring is asked for the whole account (its own test pins the budget).
    const account = resolveDefinition(
      referenceWith((d) => {
        d.monitoring.budgetCostFilter = 'account';
      }),
    );
    expect(account.warnings.map((w) => w.path)).not.toContain('monitoring.budgetCostFilter');
    const props = monitoringProps(account, {
      stack: new Stack(testApp(), 'M'),
      lake: { zoneBucketName: (z: string) => z } as never,
      containerInsights: {} as never,
      nodegroupNames: {},
      topicName: 't',
    });
    expect(props.costFilter).toBe('account');

    // A Lake Formation lake: the data lake administrator requirement is one definition warning, under dataLake.lakeFormation.
    expect(tagged.definition.warnings.filter((w) => w.path === 'dataLake.lakeFormation').map((w) => w.message)).toEqual(
      [expect.stringContaining('must be a Lake Formation data lake administrator')],
    );
    const dataWarnings = Annotations.fromStack(tagged.dataStack)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(dataWarnings.filter((w) => w.includes('data lake administrator'))).toEqual([]);
  },
);

test('the platform stack outputs what a user needs after deploy: the cluster name and the kubeconfig command', () => {
  const { platform } = synthPlatform();
  const outputs = Template.fromStack(platform.platformStack).toJSON().Outputs;
  const cluster = Object.entries<any>(Template.fromStack(platform.platformStack).toJSON().Resources).find(
    ([, r]) => r.Type === 'AWS::EKS::Cluster',
  )![0];
  expect(outputs.ClusterName.Value).toEqual({ Ref: cluster });
  expect(JSON.stringify(outputs.KubeconfigCommand.Value)).toMatch(
    new RegExp(`"aws eks update-kubeconfig --name ",\\{"Ref":"${cluster}"\\}," --region ",\\{"Ref":"AWS::Region"\\}`),
  );
});

// Smaller suites of the platform domain, run here so the domain's modules load once.
import './template-size.cases';
import './control-tower.cases';

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
import './deploys-and-works.cases';
import './stack-layout.cases';
import './stack-policy.cases';
import './training-output.cases';
