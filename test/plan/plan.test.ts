import { full } from '../support/full-tests';
import { findInstance } from '../../lib/catalog/accelerators';
import { HOURS_PER_MONTH } from '../../lib/catalog/prices';
import { resolveDefinition } from '../../lib/definition/resolve';
import { planPlatform } from '../../lib/plan/plan';
import { renderPlanMarkdown } from '../../lib/plan/plan-report';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AiPlatform } from '../../lib';
import { referenceWith, testApp } from '../helpers';

const plan = planPlatform(resolveDefinition(referenceWith()));

test('pool capacity at maxNodes and the monthly on-demand ceiling', () => {
  expect(plan.pools.map((p) => [p.name, p.acceleratorsAtMaxNodes])).toEqual([
    ['inference', 8],
    ['training', 32],
  ]);
  const p5 = findInstance('p5.48xlarge')!.onDemandHourlyUsd;
  expect(plan.pools[1].monthlyCeilingUsd).toBe(Math.round(4 * p5 * HOURS_PER_MONTH));
});

test("each workload's share of its pool at full scale", () => {
  expect(plan.workloads).toEqual([
    expect.objectContaining({
      kind: 'inference',
      name: 'llm',
      acceleratorsPerPod: 1,
      minPods: 1,
      maxPods: 6,
      poolSharePercent: 75,
      model: 'models/llama-3.1-8b-instruct/v1',
    }),
    expect.objectContaining({
      kind: 'training',
      name: 'pretrain',
      acceleratorsPerPod: 8,
      minPods: 2,
      maxPods: 2,
      poolSharePercent: 50,
    }),
    expect.objectContaining({ kind: 'training', name: 'finetune', acceleratorsPerPod: 8, maxPods: 2 }),
    expect.objectContaining({ kind: 'optimization', name: 'awq', acceleratorsPerPod: 1, maxPods: 1 }),
    // A Ray pipeline is a Ray job on its pool (two workers of one GPU).
    expect.objectContaining({ kind: 'pipeline', name: 'embed-reviews', acceleratorsPerPod: 1, maxPods: 2 }),
  ]);
});

// Hand-computed from list prices (730 h a month): the reference platform idles with one NAT gateway, the two
// ECR endpoints in 3 AZs, two t3.large system nodes, five KMS keys (lake, cluster, topic, one per pipeline's logs),
// one Prometheus collector and the internal ALB its exposed service shares; both of its pools scale to zero.
const IDLE = {
  controlPlane: 0.1 * 730, // 73
  natGateways: 1 * (0.045 + 0.005) * 730, // 36.5: the gateway and its public IPv4 address
  interfaceEndpoints: 2 * 3 * 0.01 * 730, // 43.8
  systemNodes: 2 * 0.0832 * 730, // 121.472
  poolMinimums: 0,
  kmsKeys: 5 * 1.0,
  prometheusCollector: 0.04 * 730, // 29.2
  loadBalancers: 0.0225 * 730, // 16.425: one internal ALB (llm is exposed internally)
};
const IDLE_TOTAL = 325.397;

test('the idle floor, item by item, against hand-computed list prices', () => {
  expect(plan.cost.idle).toEqual({
    ...Object.fromEntries(Object.entries(IDLE).map(([k, v]) => [k, Math.round(v)])),
    total: Math.round(IDLE_TOTAL),
  });
  expect(plan.cost.monthlyIdleUsd).toBe(325);
});

test("the ceiling: every pool at maxNodes of its dearest type, every scheduled pipeline run at full capacity, plus the idle floor's fixed part", () => {
  const inference = 8 * 2.24208 * 730; // g6e.2xlarge
  const training = 4 * 55.04 * 730; // p5.48xlarge
  const nightly = (16 * 0.052624 + 64 * 0.0057785) * (730 / 24); // a daily run of 60 minutes at 16 vCPU / 64 GB; the arrival pipeline has no monthly bound
  expect(plan.cost.monthlyCeilingUsd).toBe(Math.round(inference + training + nightly + IDLE_TOTAL));
  expect(plan.cost.pricesAsOf).toMatch(/^instances \d{4}-\d{2}-\d{2}, services \d{4}-\d{2}-\d{2}$/);
});

test('a pool held at minNodes idles at its cheapest type', () => {
  const held = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.nodePools[0].minNodes = 2;
      }),
    ),
  );
  expect(held.pools[0].monthlyIdleUsd).toBe(Math.round(2 * 1.861 * 730)); // g6e.xlarge
  expect(held.cost.idle.poolMinimums).toBe(Math.round(2 * 1.861 * 730));
});

test('no NAT gateway: every interface endpoint, no NAT cost', () => {
  const isolated = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.network.natGateways = 0;
        d.network.mirror = { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror' };
        delete d.pipelines[0].table;
      }),
    ),
  );
  expect(isolated.cost.idle.natGateways).toBe(0);
  expect(isolated.cost.idle.interfaceEndpoints).toBe(Math.round(8 * 3 * 0.01 * 730));
});

test('the report: tables, the idle floor and the diagram', () => {
  const md = renderPlanMarkdown(plan);
  expect(md).toContain('Idle floor **$325** a month');
  expect(md).toContain('| inference | managed-node-group | g6e.xlarge, g6e.2xlarge | 8 | 0–8 | $0 | $13,094 |');
  expect(md).toContain('| llm | inference | inference | llm | 1 | 1–6 | 75% | models/llama-3.1-8b-instruct/v1 |');
  expect(md).toContain('```mermaid\nflowchart LR');
  expect(md).toContain('pool_training --> training_pretrain');
  expect(md).toContain('inference_llm -.reads.-> zone_models');
});

test('exposed services: each endpoint in the plan and its report; one ALB per visibility in the idle floor', () => {
  const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab';
  const exposed = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.inference[0].expose = {
          visibility: 'internet',
          host: 'chat.example.com',
          certificateArn: CERT,
          allowedCidrs: ['203.0.113.0/24'],
        };
        d.inference.push({
          ...d.inference[0],
          name: 'partner',
          expose: {
            visibility: 'internet',
            host: 'partner.example.com',
            certificateArn: CERT,
            auth: { jwt: { issuer: 'https://idp.example.com', jwksEndpoint: 'https://idp.example.com/jwks' } },
          },
        });
        d.inference.push({
          ...d.inference[0],
          name: 'embed',
          minReplicas: 0,
          model: { zone: 'models', path: 'e5/v1', sizeGiB: 16 },
          expose: { host: 'embed.example.com', coldStartTimeoutSeconds: 900 },
        });
      }),
    ),
  );
  const running = 'a running replica';
  expect(exposed.endpoints).toEqual([
    {
      service: 'llm',
      visibility: 'internet',
      url: 'https://chat.example.com/',
      allowedCidrs: ['203.0.113.0/24'],
      auth: 'none',
      firstRequest: running,
    },
    {
      service: 'partner',
      visibility: 'internet',
      url: 'https://partner.example.com/',
      allowedCidrs: [],
      auth: 'jwt (https://idp.example.com)',
      firstRequest: running,
    },
    {
      service: 'embed',
      visibility: 'internal',
      url: 'http://embed.example.com/',
      allowedCidrs: [],
      auth: 'none',
      firstRequest: 'held up to 900 s while a replica starts, then 504',
      // By hand from the catalog's labelled assumptions: a node (pool at minNodes 0) 240 s; vLLM's 9 GiB image at
      // 50 MiB/s = 9 × 1024 / 50 = 184.32 s; 16 GiB of weights from the zone at 500 MiB/s = 16 × 1024 / 500 = 32.768 s;
      // 240 + 184.32 + 32.768 = 457.088, rounded up.
      coldStart: {
        modelledSeconds: 458,
        complete: true,
        detail: '458 s = node launch 240 s + image pull 185 s + model load 33 s',
        timeoutSeconds: 900,
      },
    },
  ]);
  // Two ALBs (internet, internal) at $0.0225 an hour, and the internet one's public IPv4 address in each of 3 AZs at $0.005.
  expect(exposed.cost.idle.loadBalancers).toBe(Math.round((2 * 0.0225 + 3 * 0.005) * 730)); // 43.8 -> 44
  // The reference already pays for the internal ALB: exposing to the internet adds the second ALB and its addresses.
  expect(exposed.cost.monthlyIdleUsd - plan.cost.monthlyIdleUsd).toBe(Math.round(325.397 - 16.425 + 43.8) - 325);
  const md = renderPlanMarkdown(exposed);
  expect(md).toContain(
    '| partner | internet | https://partner.example.com/ | any address | jwt (https://idp.example.com) | a running replica | – |',
  );
  expect(md).toContain(
    '| embed | internal | http://embed.example.com/ | the VPC | none | held up to 900 s while a replica starts, then 504 | 458 s = node launch 240 s + image pull 185 s + model load 33 s |',
  );
  expect(md).toContain('| Load balancers (ALB per visibility) | $44 |');
  expect(plan.endpoints).toEqual([
    {
      service: 'llm',
      visibility: 'internal',
      url: 'http://<ALB DNS name>/',
      allowedCidrs: [],
      auth: 'none',
      firstRequest: running,
    },
  ]);
});

test('a hub model is shown by its URI, a service without one by a dash', () => {
  const hub = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.inference[0].model = { uri: 'hf://meta-llama/Llama-3.1-8B-Instruct' };
      }),
    ),
  );
  expect(hub.workloads[0].model).toBe('hf://meta-llama/Llama-3.1-8B-Instruct');
  const none = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        delete d.inference[0].model;
      }),
    ),
  );
  expect(renderPlanMarkdown(none)).toContain('| llm | inference | inference | llm | 1 | 1–6 | 75% | – |');
});

test('a budget below the ceiling is a warning, not an error', () => {
  expect(plan.warnings).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^monitoring\.monthlyBudgetUsd \(20000\) is below what the platform can cost at full scale/,
      ),
    ]),
  );
  const generous = planPlatform(
    resolveDefinition(
      referenceWith((d) => {
        d.monitoring.monthlyBudgetUsd = 10_000_000;
      }),
    ),
  );
  expect(generous.warnings.some((w) => w.startsWith('monitoring.monthlyBudgetUsd'))).toBe(false);
});

// The benchmark prices our templates and the peer's with one estimator (bench/idle-cost.ts); on our own
// templates it must agree with the plan's idle floor, computed from the definition.
// A whole-platform synth to disk and the benchmark's estimator (about 3 s): in CI's full step.
full.test('the template-based idle estimate agrees with the plan', () => {
  const { App } = require('aws-cdk-lib');
  const { mkdtempSync } = require('node:fs');
  const { join } = require('node:path');
  const { AiPlatform } = require('../../lib');
  const { idleCostOfTemplates } = require('../../bench/idle-cost');
  const outdir = mkdtempSync(join(require('node:os').tmpdir(), 'idle-'));
  const app = new App({
    outdir,
    context: { 'aws:cdk:disable-asset-staging': true },
    builtinCloudFormationValidation: false,
  });
  const platform = new AiPlatform(app, 'AiPlatform', { definition: referenceWith() });
  app.synth();
  expect(Math.round(idleCostOfTemplates(outdir).total)).toBe(platform.plan.cost.monthlyIdleUsd);
});

test("pipelines: each one's zones, trigger and cost bound at EMR Serverless list prices, and zone -> pipeline -> zone in the diagram", () => {
  const hourly = 16 * 0.052624 + 64 * 0.0057785; // 16 vCPU and 64 GB for an hour (us-east-1)
  expect(plan.pipelines).toEqual([
    {
      name: 'reviews-nightly',
      from: ['raw'],
      to: 'curated',
      trigger: 'schedule cron(0 2 * * ? *)',
      maxVcpu: 16,
      maxMemoryGiB: 64,
      maxRunUsd: Math.round(100 * hourly) / 100,
      maxMonthlyUsd: Math.round(hourly * (730 / 24)), // a daily run, 60 minutes at most
    },
    {
      name: 'reviews-arrival',
      from: ['raw'],
      to: 'features',
      trigger: 'on arrival in raw/reviews/',
      maxVcpu: 16,
      maxMemoryGiB: 64,
      maxRunUsd: Math.round(100 * hourly * 0.5) / 100,
      maxMonthlyUsd: undefined, // runs follow arriving data: no monthly bound
    },
  ]);
  const md = renderPlanMarkdown(plan);
  expect(md).toContain(
    '| reviews-arrival | raw | features | on arrival in raw/reviews/ | 16 vCPU / 64 GiB | $0.61 | per arrival |',
  );
  expect(md).toContain('  zone_raw --> pipeline_reviews_nightly\n  pipeline_reviews_nightly --> zone_curated');
});

test("prices are one region's: the plan names it, and a platform bound to another region says its costs are estimates", () => {
  const infos = (region: string) => {
    const app = testApp();
    // The smallest platform: the info is the platform's, whatever it holds.
    const platform = new AiPlatform(app, 'AiPlatform', {
      definition: { name: 'priced', nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 1 }] },
      env: { account: '123456789012', region },
    });
    return {
      platform,
      infos: Annotations.fromStack(platform.platformStack)
        .findInfo('*', Match.anyValue())
        .map((i) => String(i.entry.data)),
    };
  };
  const eu = infos('eu-west-1');
  expect(eu.infos).toEqual([expect.stringContaining("use us-east-1 list prices; eu-west-1's differ")]);
  expect(renderPlanMarkdown(eu.platform.plan)).toContain('List prices, us-east-1 (');
  expect(infos('us-east-1').infos.filter((i) => i.includes('list prices'))).toEqual([]);
});

// Training runs: start, output and per-run ceiling (its own file: the plan's cases stay small).
import './training-runs.cases';
