import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitionFile, DefinitionError } from '../../lib';
import { formatProblem } from '../../lib/definition/problems';
import { validateDefinition } from '../../lib/definition/resolve';
import { parseCidr, subnetsFit, tagProblems } from '../../lib/catalog/service-limits';
import { referenceWith, testApp } from '../helpers';

// Limits the services enforce, checked before synth (lib/catalog/service-limits.ts names each source).
// One row per class: how to break the reference definition, and the line that must name the problem.

const problemsOf = (change: (d: any) => void) => validateDefinition(referenceWith(change)).map(formatProblem);

const LIMITS: [string, (d: any) => void, RegExp][] = [
  // Accepted, failed at deploy.
  [
    'tag key with the reserved aws: prefix',
    (d) => {
      d.tags = { 'aws:team': 'x' };
    },
    /^tags\.aws:team \('x'\) key must not start with 'aws:'/,
  ],
  [
    'empty tag key',
    (d) => {
      d.tags = { '': 'x' };
    },
    /^tags\. \('x'\) key must be 1\.\.128 characters/,
  ],
  [
    'tag value with & or #',
    (d) => {
      d.tags = { team: 'a&b#c' };
    },
    /^tags\.team \('a&b#c'\) value may hold only letters/,
  ],
  [
    'tag value that is not valid UTF-8 (a lone surrogate)',
    (d) => {
      d.tags = { team: 'a\uD800' };
    },
    /^tags\.team .* value may hold only letters/,
  ],
  [
    'tag value past 256 characters',
    (d) => {
      d.tags = { team: 'x'.repeat(257) };
    },
    /value must be at most 256 characters/,
  ],
  [
    'more node group tags than EKS allows',
    (d) => {
      d.tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'x']));
    },
    /^nodePools\[\d\]\.labels \(0\) with the definition's tags gives the node group \d+ tags .* EKS allows 50/,
  ],
  [
    'team named after a cluster namespace',
    (d) => {
      d.teams[0].name = 'kube-system';
    },
    /^teams\[0\]\.name \('kube-system'\) becomes a namespace, and the 'kube-' prefix is reserved/,
  ],
  [
    'service named default',
    (d) => {
      d.inference[0].name = 'default';
    },
    /^inference\[0\]\.name \('default'\) becomes a namespace, and 'default' is a namespace the cluster or the platform owns/,
  ],
  [
    'job named after a platform namespace',
    (d) => {
      d.training[0].name = 'karpenter';
    },
    /^training\[0\]\.name \('karpenter'\) becomes a namespace/,
  ],
  [
    'workload outside a team named like a team',
    (d) => {
      d.inference[0].name = 'research';
    },
    /^inference\[0\]\.name \('research'\) is also a team's name/,
  ],
  [
    'image with whitespace',
    (d) => {
      d.inference[0].image = 'vllm/vllm openai:1';
    },
    /^inference\[0\]\.image .* must be a container image reference/,
  ],
  [
    'absurdly long image',
    (d) => {
      d.training[0].image = `a/${'b'.repeat(600)}:1`;
    },
    /^training\[0\]\.image .* at most 512 characters/,
  ],
  [
    'uppercase repository',
    (d) => {
      d.inference[0].image = 'VLLM/openai:1';
    },
    /must be a container image reference/,
  ],
  [
    'fractional HPA target',
    (d) => {
      d.inference[0].scaling = { metric: 'cpu', target: 70.5 };
    },
    /^inference\[0\]\.scaling\.target \(70\.5\) must be a whole number with metric cpu/,
  ],
  [
    'integer past int32',
    (d) => {
      d.inference[0].maxReplicas = 2 ** 31;
    },
    /^inference\[0\]\.maxReplicas \(2147483648\) must be between -2147483647 and 2147483647/,
  ],
  [
    'budget amount past the Budgets pattern',
    (d) => {
      d.monitoring.monthlyBudgetUsd = 1e21;
    },
    /^monitoring\.monthlyBudgetUsd \(1e\+21\) must be > 0 and written as a plain decimal/,
  ],
  [
    'duplicate admin role ARNs',
    (d) => {
      d.cluster.adminRoleArns.push(d.cluster.adminRoleArns[0]);
    },
    /^cluster\.adminRoleArns\[1\] .* is listed twice/,
  ],
  // Stack traces before.
  [
    'negative latency target',
    (d) => {
      d.inference[0].p99LatencyTargetMs = -5;
    },
    /^inference\[0\]\.p99LatencyTargetMs \(-5\) must be a whole number of milliseconds between 1 and 3600000/,
  ],
  [
    'fractional latency target',
    (d) => {
      d.inference[0].p99LatencyTargetMs = 0.5;
    },
    /p99LatencyTargetMs \(0\.5\) must be a whole number/,
  ],
  [
    'a CIDR the subnet layout cannot fit',
    (d) => {
      d.network.cidr = '10.0.0.0/18';
    },
    /^network\.cidr \('10\.0\.0\.0\/18'\) cannot hold 3 public \/24 and 3 node \/19 subnets/,
  ],
  // Accepted silently, wrong.
  [
    'CIDR with host bits',
    (d) => {
      d.network.cidr = '10.0.0.1/16';
    },
    /^network\.cidr \('10\.0\.0\.1\/16'\) has host bits set; did you mean 10\.0\.0\.0\/16\?/,
  ],
  [
    'public access CIDR with host bits',
    (d) => {
      d.cluster.publicAccessCidrs = ['203.0.113.7/24'];
    },
    /has host bits set; the network is 203\.0\.113\.0\/24/,
  ],
  [
    'a field named like an object member',
    (d) => {
      d.nodePools[0].constructor = 'x';
    },
    /^nodePools\[0\]\.constructor is not a known field/,
  ],
  [
    'toString as a field',
    (d) => {
      d.toString = 'x';
    },
    /^toString is not a known field/,
  ],
  [
    'infinity shown as written',
    (d) => {
      d.nodePools[0].maxNodes = Infinity;
    },
    /^nodePools\[0\]\.maxNodes \(Infinity\) must be a finite number, not infinity/,
  ],
];

test.each(LIMITS)('limit: %s', (_name, change, expected) => {
  expect(problemsOf(change)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'limits-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const loadError = (path: string) => {
    try {
      loadDefinitionFile(path);
    } catch (e) {
      return (e as DefinitionError).problems.map(formatProblem)[0];
    }
    return 'loaded';
  };

  test('JSON with a duplicated key is rejected like YAML', () => {
    expect(loadError(file('dup.json', '{"name": "a", "name": "b"}'))).toMatch(
      /is not valid JSON: Map keys must be unique/,
    );
    expect(loadError(file('dup.yaml', 'name: a\nname: b\n'))).toMatch(/is not valid YAML: Map keys must be unique/);
  });

  test('a YAML alias inside its own anchor (a cycle) is named, not overflowed', () => {
    expect(loadError(file('cycle.yaml', 'a: &x\n  b: *x\n'))).toMatch(/refers to itself/);
  });

  test('alias expansion is bounded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, n] of ['b', 'c', 'd', 'e', 'f'].entries())
      lines.push(`${n}: &${n} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`);
    expect(loadError(file('laughs.yaml', `${lines.join('\n')}\n`))).toMatch(/Excessive alias count/);
  });

  test.each([
    ['deep.json', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['deep.yaml', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
  ])('%s nested deep enough to overflow is a message', (name, text) => {
    expect(loadError(file(name, text))).toMatch(/nests lists and maps (deeper than 32 levels|too deeply)/);
  });

  test('a huge file is refused before parsing', () => {
    expect(loadError(file('huge.yaml', `name: ${'x'.repeat(1_000_001)}\n`))).toMatch(
      /a definition file may have at most 1000000/,
    );
  });
});

// The stack quota (500 resources: 450 teams put the platform stack past it) is tested end to end through the
// CLI in test/app/app.test.ts: a message with the definition's sizes, no stack trace, no template.

describe('limit helpers', () => {
  test('CIDRs: network, prefix and host bits', () => {
    expect(parseCidr('10.0.0.1/16')).toEqual({ network: '10.0.0.0/16', prefix: 16, hostBits: true });
    expect(parseCidr('10.1.0.0/16')).toEqual({ network: '10.1.0.0/16', prefix: 16, hostBits: false });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  test('subnets are allocated aligned, as aws-ec2 does', () => {
    expect(subnetsFit(16, [24, 24, 24, 19, 19, 19])).toBe(true);
    expect(subnetsFit(17, [24, 24, 24, 19, 19, 19])).toBe(true); // 8192 + 3 × 8192 = 32768
    expect(subnetsFit(17, [24, 24, 24, 24, 19, 19, 19, 19])).toBe(false);
  });

  test('tags: the CloudFormation character set', () => {
    expect(tagProblems('team', 'ml platform/α+=@:._-')).toEqual([]);
    expect(tagProblems('team', 'a|b')).toHaveLength(1);
  });
});

describe('standalone constructs apply the same limits', () => {
  const { Stack } = require('aws-cdk-lib');
  const cdk8s = require('cdk8s');
  const {
    AiMonitoring,
    InferenceService,
    PlatformNetwork,
    TeamNamespace,
    Placement,
    AcceleratorCatalog,
  } = require('../../lib');
  const placementOnPool = Placement.onPool,
    findInstance = AcceleratorCatalog.find;
  const placement = placementOnPool('gpu', [findInstance('g6.xlarge')], 1);

  test.each<[string, () => unknown, RegExp]>([
    [
      'TeamNamespace in a reserved namespace',
      () => new TeamNamespace(new cdk8s.App(), 'ns', { name: 'kube-system' }),
      /'kube-' prefix is reserved/,
    ],
    [
      'TeamNamespace name that is not a DNS label',
      () => new TeamNamespace(new cdk8s.App(), 'ns', { name: 'Team_A' }),
      /name \('Team_A'\) must be 1\.\.40 characters: lowercase letters, digits and "-", starting with a letter/,
    ],
    [
      'InferenceService with a bad image',
      () =>
        new InferenceService(new cdk8s.App(), 'svc', {
          name: 'svc',
          namespace: 'svc',
          image: 'bad image',
          placement,
          scaling: { metric: 'cpu', target: 70, activationThreshold: 0 },
        }),
      /must be a container image reference/,
    ],
    [
      'PlatformNetwork CIDR with host bits',
      () => new PlatformNetwork(new Stack(testApp(), 'S'), 'N', { cidr: '10.0.0.1/16' }),
      /did you mean 10\.0\.0\.0\/16/,
    ],
    [
      'PlatformNetwork CIDR too small',
      () => new PlatformNetwork(new Stack(testApp(), 'S'), 'N', { cidr: '10.0.0.0/18', maxAzs: 3 }),
      /cannot hold 3 public \/24 and 3 node \/19 subnets/,
    ],
    [
      'AiMonitoring budget in exponent form',
      () => new AiMonitoring(new Stack(testApp(), 'S'), 'M', { clusterName: 'c', monthlyBudgetUsd: 1e21 }),
      /AWS Budgets amount pattern/,
    ],
  ])('%s', (_name, build, expected) => {
    expect(build).toThrow(expected);
  });
});

describe('values known only at deploy time pass to the service unchecked', () => {
  const cdk8s = require('cdk8s');
  const { Stack, Token } = require('aws-cdk-lib');
  const ecr = require('aws-cdk-lib/aws-ecr');
  const { InferenceService, Placement, AcceleratorCatalog } = require('../../lib');
  const placementOnPool = Placement.onPool,
    findInstance = AcceleratorCatalog.find;

  test('an ECR repository URI (a token) is accepted as an image', () => {
    const repo = ecr.Repository.fromRepositoryName(new Stack(testApp(), 'S'), 'R', 'llm');
    const image = repo.repositoryUriForTag('v1');
    expect(Token.isUnresolved(image)).toBe(true);
    expect(
      () =>
        new InferenceService(new cdk8s.App(), 'svc', {
          name: 'svc',
          namespace: 'svc',
          image,
          placement: placementOnPool('gpu', [findInstance('g6.xlarge')], 1),
          scaling: { metric: 'cpu', target: 70, activationThreshold: 0 },
        }),
    ).not.toThrow();
  });
});

test('YAML merge keys share settings between pools', () => {
  const { mkdtempSync, writeFileSync } = require('node:fs');
  const path = join(mkdtempSync(join(tmpdir(), 'merge-')), 'p.yaml');
  writeFileSync(
    path,
    'name: merge-ml\nnodePools:\n  - &gpu { name: a, instanceTypes: [g6.xlarge], maxNodes: 2 }\n  - { <<: *gpu, name: b }\n',
  );
  const def = loadDefinitionFile(path) as any;
  expect(def.nodePools[1]).toEqual({ name: 'b', instanceTypes: ['g6.xlarge'], maxNodes: 2 });
  expect(validateDefinition(def)).toEqual([]);
});

test('a Kubernetes version whose kubectl layer package is missing is a definition problem', () => {
  const { missingKubectlLayer } = require('../../lib/catalog/versions');
  expect(missingKubectlLayer('1.35')).toBeUndefined();
  expect(missingKubectlLayer('1.99')).toBe('@aws-cdk/lambda-layer-kubectl-v99');
});
