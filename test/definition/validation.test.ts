import { App, Errors, Stack } from 'aws-cdk-lib';
import { DefinitionError } from '../../lib';
import { PlatformValidationError } from '../../lib/core/problems';
import { PlatformNetwork } from '../../lib/network/platform-network';
import { formatProblem } from '../../lib/definition/problems';
import { resolveDefinition, validateDefinition } from '../../lib/definition/resolve';
import { referenceWith } from '../helpers';

/** The paths and messages of every problem of a definition changed by `change`. */
function problemsOf(change: (d: any) => void): string[] {
  return validateDefinition(referenceWith(change)).map(formatProblem);
}

test('the reference definition is valid', () => {
  expect(validateDefinition(referenceWith())).toEqual([]);
});

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab';

// One row per rule: how to break the reference definition, and the line that must name the problem.
const RULES: [string, (d: any) => void, RegExp][] = [
  [
    'name pattern',
    (d) => {
      d.name = 'Acme_ML';
    },
    /^name \('Acme_ML'\) must be 3\.\.28 characters/,
  ],
  [
    'name length',
    (d) => {
      d.name = 'a'.repeat(29);
    },
    /^name .* must be 3\.\.28 characters/,
  ],
  [
    'unknown top-level field, a near miss',
    (d) => {
      d.nodepools = [];
    },
    /^nodepools is not a known field \(no object of the definition has it\); did you mean `nodePools`\? Valid fields here: name, tags, network/,
  ],
  [
    'unknown nested field, a near miss',
    (d) => {
      d.nodePools[0].maxNode = 3;
    },
    /^nodePools\[0\]\.maxNode is not a known field \(no object of the definition has it\); did you mean `maxNodes`\?/,
  ],
  [
    'a field of no object',
    (d) => {
      d.nodePools[0].colour = 'blue';
    },
    /^nodePools\[0\]\.colour is not a known field \(no object of the definition has it\); valid fields here: name, instanceTypes/,
  ],
  // Where a field written in the wrong object lives, read from the schema.
  [
    'an inference field at the top level',
    (d) => {
      d.p99LatencyTargetMs = 500;
    },
    /^p99LatencyTargetMs is not a known field here: it is a field of `inference\[\]`; valid fields here: name, tags/,
  ],
  [
    'an inference field in a pool',
    (d) => {
      d.nodePools[0].p99LatencyTargetMs = 500;
    },
    /^nodePools\[0\]\.p99LatencyTargetMs is not a known field here: it is a field of `inference\[\]`; valid fields here: name, instanceTypes/,
  ],
  [
    'a field of two objects',
    (d) => {
      d.nodePools[0].team = 'research';
    },
    /^nodePools\[0\]\.team is not a known field here: it is a field of `inference\[\]` and `training\[\]`/,
  ],
  [
    'a deep field, misplaced',
    (d) => {
      d.pipelines = [{ ...d.pipelines?.[0], columns: [] }];
    },
    /^pipelines\[0\]\.columns is not a known field here: it is a field of `pipelines\[\]\.table`/,
  ],
  [
    'a top-level field nested',
    (d) => {
      d.inference[0].nodePools = [];
    },
    /^inference\[0\]\.nodePools is not a known field here: it is a field of the top level of the definition/,
  ],
  [
    'a misplaced field that is also a near miss here',
    (d) => {
      d.network.maxAz = 2;
    },
    /^network\.maxAz is not a known field \(no object of the definition has it\); did you mean `maxAzs`\?/,
  ],
  [
    'wrong type',
    (d) => {
      d.nodePools[0].maxNodes = '8';
    },
    /^nodePools\[0\]\.maxNodes \('8'\) must be a finite number, not a string/,
  ],
  [
    'versions are strings (YAML reads 1.35 as a number)',
    (d) => {
      d.cluster.kubernetesVersion = 1.35;
    },
    /^cluster\.kubernetesVersion \(1\.35\) must be a string, not a number; in YAML quote it \("1\.35"\)/,
  ],
  [
    'whole numbers',
    (d) => {
      d.nodePools[0].maxNodes = 2.5;
    },
    /^nodePools\[0\]\.maxNodes \(2\.5\) must be a whole number/,
  ],
  [
    'required field',
    (d) => {
      delete d.nodePools[0].maxNodes;
    },
    /^nodePools\[0\]\.maxNodes is required/,
  ],
  [
    'enum value',
    (d) => {
      d.nodePools[0].capacityType = 'spot-instance';
    },
    /^nodePools\[0\]\.capacityType \('spot-instance'\) must be one of: on-demand, spot, capacity-block/,
  ],
  [
    'maxAzs range',
    (d) => {
      d.network.maxAzs = 7;
    },
    /^network\.maxAzs \(7\) must be between 2 and 6/,
  ],
  [
    'an AZ name',
    (d) => {
      d.network.maxAzs = undefined;
      d.network.availabilityZones = ['us-east-1a', 'useast1b'];
    },
    /^network\.availabilityZones\[1\] \('useast1b'\) must be an Availability Zone name/,
  ],
  [
    'AZs in two regions',
    (d) => {
      d.network.maxAzs = undefined;
      d.network.availabilityZones = ['us-east-1a', 'us-west-2a'];
    },
    /^network\.availabilityZones \('us-east-1a, us-west-2a'\) must all be in one region/,
  ],
  [
    'maxAzs and AZs disagree',
    (d) => {
      d.network.availabilityZones = ['us-east-1a', 'us-east-1b'];
    },
    /^network\.maxAzs \(3\) must equal the number of availabilityZones \(2\)/,
  ],
  [
    'one AZ (EKS needs two)',
    (d) => {
      d.network.maxAzs = 1;
      d.network.natGateways = 1;
    },
    /^network\.maxAzs \(1\) must be between 2 and 6: EKS needs subnets in at least two Availability Zones/,
  ],
  [
    'natGateways <= maxAzs',
    (d) => {
      d.network.natGateways = 4;
    },
    /^network\.natGateways \(4\) must be between 0 and maxAzs \(3\)/,
  ],
  [
    'vpc cidr',
    (d) => {
      d.network.cidr = '10.0.0.0/8';
    },
    /^network\.cidr \('10\.0\.0\.0\/8'\) must be an IPv4 CIDR from \/16 to \/20/,
  ],
  [
    'kubernetes version',
    (d) => {
      d.cluster.kubernetesVersion = '1.29';
    },
    /^cluster\.kubernetesVersion \('1\.29'\) must be a supported version: 1\.33, 1\.34, 1\.35, 1\.36/,
  ],
  [
    'admin role ARN',
    (d) => {
      d.cluster.adminRoleArns = ['arn:aws:iam::123456789012:root'];
    },
    /^cluster\.adminRoleArns\[0\] .* must be an IAM role ARN/,
  ],
  [
    'public CIDRs only with a public endpoint',
    (d) => {
      d.cluster.endpointAccess = 'private';
    },
    /^cluster\.publicAccessCidrs .* is only valid with endpointAccess public-and-private/,
  ],
  [
    'public CIDR format',
    (d) => {
      d.cluster.publicAccessCidrs = ['10.0.0.0/33'];
    },
    /^cluster\.publicAccessCidrs\[0\] .* must be an IPv4 CIDR/,
  ],
  // EKS VpcConfigRequest.publicAccessCidrs: left empty, the default 0.0.0.0/0 applies (open to all).
  [
    'public CIDRs not empty',
    (d) => {
      d.cluster.publicAccessCidrs = [];
    },
    /^cluster\.publicAccessCidrs \(\[\]\) must list at least one CIDR: EKS opens an empty list to 0\.0\.0\.0\/0/,
  ],
  // IAM: role names are at most 64 characters; one cluster lives in one partition.
  [
    "admin role name within IAM's 64 characters",
    (d) => {
      d.cluster.adminRoleArns = [`arn:aws:iam::123456789012:role/ops/${'r'.repeat(65)}`];
    },
    /^cluster\.adminRoleArns\[0\] .* has a role name of 65 characters; IAM allows 64/,
  ],
  [
    'admin roles in one partition',
    (d) => {
      d.cluster.adminRoleArns.push('arn:aws-cn:iam::123456789012:role/b');
    },
    /^cluster\.adminRoleArns\[1\] .* is in partition aws-cn, but adminRoleArns\[0\] is in aws: a cluster's access entries are in its own partition/,
  ],
  // EC2: a Capacity Reservation ID is cr- and 17 hexadecimal digits.
  [
    'capacity reservation ID length',
    (d) => {
      d.nodePools[1].capacityType = 'capacity-block';
      d.nodePools[1].capacityReservationId = 'cr-0123456789abcdef';
    },
    /^nodePools\[1\]\.capacityReservationId \('cr-0123456789abcdef'\) .* cr- followed by 17 hexadecimal digits/,
  ],
  // EC2 user guide, Capacity Blocks for ML: offered for a few accelerated families only.
  [
    'capacity blocks only on families that offer them',
    (d) => {
      d.nodePools[0].instanceTypes = ['g6e.xlarge'];
      d.nodePools[0].capacityType = 'capacity-block';
      d.nodePools[0].capacityReservationId = 'cr-0123456789abcdef0';
    },
    /^nodePools\[0\]\.instanceTypes\[0\] \('g6e\.xlarge'\) is not offered as Capacity Blocks; families that are: p4d, /,
  ],
  [
    'system instance type',
    (d) => {
      d.cluster.systemInstanceType = 'g5.xlarge';
    },
    /^cluster\.systemInstanceType \('g5\.xlarge'\) must be a general-purpose type/,
  ],
  [
    'system nodes',
    (d) => {
      d.cluster.systemNodes = 0;
    },
    /^cluster\.systemNodes \(0\) must be between 1 and 10/,
  ],
  [
    'at least one pool',
    (d) => {
      d.nodePools = [];
      d.inference = [];
      d.training = [];
    },
    /^nodePools \(\[\]\) must list at least one node pool/,
  ],
  [
    'unique pool names',
    (d) => {
      d.nodePools[1].name = 'inference';
    },
    /^nodePools\[1\]\.name \('inference'\) must be unique among node pools/,
  ],
  [
    'pool name pattern',
    (d) => {
      d.nodePools[0].name = 'Inference';
    },
    /^nodePools\[0\]\.name \('Inference'\) must be 1\.\.25 characters/,
  ],
  [
    'unknown instance type',
    (d) => {
      d.nodePools[0].instanceTypes = ['g9.xlarge'];
    },
    /^nodePools\[0\]\.instanceTypes\[0\] \('g9\.xlarge'\) is not in the accelerator catalog; known families: g4dn, g5/,
  ],
  [
    'instance type listed twice',
    (d) => {
      d.nodePools[0].instanceTypes = ['g6e.xlarge', 'g6e.xlarge'];
    },
    /^nodePools\[0\]\.instanceTypes\[1\] \('g6e\.xlarge'\) is listed twice/,
  ],
  [
    'one accelerator vendor',
    (d) => {
      d.nodePools[0].instanceTypes = ['g6e.xlarge', 'inf2.xlarge'];
    },
    /^nodePools\[0\]\.instanceTypes .* must all have one accelerator vendor; found nvidia, aws-neuron/,
  ],
  [
    'min <= max',
    (d) => {
      d.nodePools[0].minNodes = 9;
    },
    /^nodePools\[0\]\.maxNodes \(8\) must be >= minNodes \(9\)/,
  ],
  [
    'max >= 1',
    (d) => {
      d.nodePools[0].maxNodes = 0;
    },
    /^nodePools\[0\]\.maxNodes \(0\) must be >= 1/,
  ],
  [
    'min >= 0',
    (d) => {
      d.nodePools[0].minNodes = -1;
    },
    /^nodePools\[0\]\.minNodes \(-1\) must be >= 0/,
  ],
  [
    'disk size',
    (d) => {
      d.nodePools[0].diskGiB = 10;
    },
    /^nodePools\[0\]\.diskGiB \(10\) must be between 20 and 16384/,
  ],
  [
    'AMI family supports the vendor',
    (d) => {
      d.nodePools[0].instanceTypes = ['inf2.xlarge'];
      d.nodePools[0].amiFamily = 'bottlerocket';
    },
    /^nodePools\[0\]\.amiFamily \('bottlerocket'\) does not support aws-neuron instances; use one of: al2023/,
  ],
  [
    'capacity block needs a reservation',
    (d) => {
      d.nodePools[1].capacityType = 'capacity-block';
    },
    /^nodePools\[1\]\.capacityReservationId is required with capacityType capacity-block/,
  ],
  [
    'reservation only with capacity block',
    (d) => {
      d.nodePools[1].capacityReservationId = 'cr-0123456789abcdef0';
    },
    /^nodePools\[1\]\.capacityReservationId .* is only valid with capacityType capacity-block/,
  ],
  [
    'capacity block has one type',
    (d) => {
      Object.assign(d.nodePools[0], { capacityType: 'capacity-block', capacityReservationId: 'cr-0123456789abcdef0' });
    },
    /^nodePools\[0\]\.instanceTypes .* must name exactly one instance type with capacity-block/,
  ],
  [
    'EFA needs EFA-capable types',
    (d) => {
      d.nodePools[0].efa = true;
    },
    /^nodePools\[0\]\.instanceTypes\[0\] \('g6e\.xlarge'\) does not support EFA/,
  ],
  [
    'karpenter keeps no minimum',
    (d) => {
      Object.assign(d.nodePools[0], { provisioner: 'karpenter', minNodes: 1 });
    },
    /^nodePools\[0\]\.minNodes \(1\) must be 0 with provisioner karpenter/,
  ],
  [
    'karpenter cannot attach EFA',
    (d) => {
      d.nodePools[1].provisioner = 'karpenter';
    },
    /^nodePools\[1\]\.efa \(true\) needs provisioner managed-node-group/,
  ],
  [
    'label keys',
    (d) => {
      d.nodePools[0].labels = { 'bad key!': 'x' };
    },
    /^nodePools\[0\]\.labels\.bad key! .* key 'bad key!' must be a qualified name/,
  ],
  [
    'label key length (EKS: 63 with prefix)',
    (d) => {
      d.nodePools[0].labels = { [`example.com/${'a'.repeat(52)}`]: 'x' };
    },
    /must be a qualified name of at most 63/,
  ],
  [
    'empty label value (EKS: 1..63)',
    (d) => {
      d.nodePools[0].labels = { tier: '' };
    },
    /must be 1\.\.63/,
  ],
  [
    'label values',
    (d) => {
      d.nodePools[0].labels = { tier: 'gold plated' };
    },
    /^nodePools\[0\]\.labels\.tier \('gold plated'\) value of 'tier' .* must be 1\.\.63/,
  ],
  [
    'label value length',
    (d) => {
      d.nodePools[0].labels = { tier: 'x'.repeat(64) };
    },
    /must be 1\.\.63/,
  ],
  [
    'reserved label prefix',
    (d) => {
      d.nodePools[0].labels = { 'ai-platform/pool': 'x' };
    },
    /uses the restricted label domain 'ai-platform'/,
  ],
  // NodeRestriction: kubelets may not set kubernetes.io / k8s.io labels (outside kubelet./node.kubernetes.io).
  [
    'kubelet-restricted label domain',
    (d) => {
      d.nodePools[0].labels = { 'topology.kubernetes.io/zone': 'a' };
    },
    /restricted label domain 'kubernetes.io'/,
  ],
  [
    'k8s.io label domain',
    (d) => {
      d.nodePools[0].labels = { 'example.k8s.io/x': 'a' };
    },
    /restricted label domain 'k8s.io'/,
  ],
  // Karpenter v1 NodePool CEL: the karpenter.sh and karpenter.k8s.aws domains are restricted.
  [
    'karpenter label domain',
    (d) => {
      d.nodePools[0].labels = { 'karpenter.sh/capacity-type': 'spot' };
    },
    /restricted label domain 'karpenter.sh'/,
  ],
  [
    'data-lake zones',
    (d) => {
      d.dataLake.zones = ['raw', 'Raw!'];
    },
    /^dataLake\.zones\[1\] \('Raw!'\) must be 1\.\.20 characters/,
  ],
  [
    'unique zones',
    (d) => {
      d.dataLake.zones = ['raw', 'raw', 'models', 'curated'];
    },
    /^dataLake\.zones\[1\] \('raw'\) is listed twice/,
  ],
  // A zone names the volume s3-<zone> and the claim <workload>-<zone>: DNS-1123 names end alphanumeric (apimachinery IsDNS1123Label).
  [
    'zone ends alphanumeric',
    (d) => {
      d.dataLake.zones = ['raw', 'models-'];
      d.inference[0].dataAccess = [];
      d.training[0].dataAccess = [];
      d.pipelines = [];
    },
    /^dataLake\.zones\[1\] \('models-'\) must be 1\.\.20 characters: .*ending with a letter or digit/,
  ],
  // PersistentVolumes are cluster-scoped: <namespace>-<workload>-<zone> from two workloads must differ.
  [
    'persistent volume names unique across the cluster',
    (d) => {
      d.teams.push({ name: 'ml', gpuQuota: 1 }, { name: 'ml-x', gpuQuota: 1 });
      const svc = {
        image: 'img:1',
        nodePool: 'inference',
        minReplicas: 1,
        maxReplicas: 1,
        scaling: { metric: 'concurrency', target: 8 },
        dataAccess: [{ zone: 'models', access: 'read', mountPath: '/models' }],
      };
      d.inference.push({ ...svc, name: 'x-svc', team: 'ml' }, { ...svc, name: 'svc', team: 'ml-x' });
    },
    /^inference\[2\]\.dataAccess\[0\]\.zone \('models'\) gives PersistentVolume 'ml-x-svc-models', as inference\[1\]\.dataAccess\[0\]\.zone does/,
  ],
  [
    'claim names unique in a namespace',
    (d) => {
      d.dataLake.zones.push('x-models');
      const svc = {
        image: 'img:1',
        nodePool: 'inference',
        team: 'research',
        minReplicas: 1,
        maxReplicas: 1,
        scaling: { metric: 'concurrency', target: 8 },
      };
      d.inference.push(
        { ...svc, name: 'svc', dataAccess: [{ zone: 'x-models', access: 'read', mountPath: '/models' }] },
        { ...svc, name: 'svc-x', dataAccess: [{ zone: 'models', access: 'read', mountPath: '/models' }] },
      );
    },
    /^inference\[2\]\.dataAccess\[0\]\.zone \('models'\) gives PersistentVolume 'research-svc-x-models', as inference\[1\]\.dataAccess\[0\]\.zone does/,
  ],
  [
    'archive days',
    (d) => {
      d.dataLake.archiveAfterDays = 0;
    },
    /^dataLake\.archiveAfterDays \(0\) must be >= 1/,
  ],
  [
    'workload pool exists',
    (d) => {
      d.inference[0].nodePool = 'gpu';
    },
    /^inference\[0\]\.nodePool \('gpu'\) must name a node pool of this definition: inference, training/,
  ],
  [
    'gpus fit one node',
    (d) => {
      d.inference[0].gpus = 2;
    },
    /^inference\[0\]\.gpus \(2\) must fit one node of pool 'inference', whose largest type \(g6e\.xlarge\) has 1 accelerator/,
  ],
  [
    'replicas fit the pool',
    (d) => {
      d.inference[0].maxReplicas = 9;
    },
    /^inference\[0\]\.maxReplicas \(9\) × gpus \(1\) = 9 must fit pool 'inference': maxNodes \(8\) × 1 accelerator\(s\) = 8/,
  ],
  [
    'max >= min replicas',
    (d) => {
      d.inference[0].minReplicas = 7;
    },
    /^inference\[0\]\.maxReplicas \(6\) must be >= minReplicas \(7\)/,
  ],
  [
    'cpu scaling cannot reach zero',
    (d) => {
      d.inference[0].minReplicas = 0;
      d.inference[0].scaling = { metric: 'cpu', target: 70 };
    },
    /^inference\[0\]\.minReplicas \(0\) must be >= 1 with scaling metric cpu/,
  ],
  [
    'team neuron workloads count against neuronQuota',
    (d) => {
      d.nodePools.push({ name: 'neuron', instanceTypes: ['inf2.xlarge'], maxNodes: 2 });
      d.inference.push({ name: 'small', image: 'img:1', nodePool: 'neuron', team: 'research', maxReplicas: 2 });
    },
    /^inference\[1\]\.gpus \(1\) must fit team 'research' neuronQuota \(0 Neuron devices\)/,
  ],
  [
    'scale to zero needs a wake signal',
    (d) => {
      d.inference[0].minReplicas = 0;
      delete d.inference[0].expose;
    },
    /^inference\[0\]\.minReplicas \(0\) can be 0 only with a signal that exists while no replica runs: expose the service .* or give scaling\.query/,
  ],
  [
    'scale to zero behind the load balancer needs a host (the interceptor routes on it)',
    (d) => {
      d.inference[0].minReplicas = 0;
      d.inference[0].expose = {};
    },
    /^inference\[0\]\.expose\.host is required with minReplicas 0/,
  ],
  [
    'one web ACL per shared load balancer',
    (d) => {
      const waf = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/0123abcd-4567-89ab-cdef-0123456789ab';
      d.inference[0].expose = { host: 'a.example.com', wafAclArn: waf };
      d.inference.push({
        ...d.inference[0],
        name: 'other',
        expose: { host: 'b.example.com', wafAclArn: waf.replace('/a/', '/b/') },
      });
    },
    /^inference\[1\]\.expose\.wafAclArn \(.*\) differs from inference\[0\]'s: one web ACL protects the whole shared internal load balancer/,
  ],
  [
    'percent targets',
    (d) => {
      d.inference[0].scaling = { metric: 'gpu-utilization', target: 120 };
    },
    /^inference\[0\]\.scaling\.target \(120\) is a percentage and must be <= 100/,
  ],
  [
    'port range',
    (d) => {
      d.inference[0].port = 70000;
    },
    /^inference\[0\]\.port \(70000\) must be a port between 1 and 65535/,
  ],
  [
    'data access zone exists',
    (d) => {
      d.inference[0].dataAccess = [{ zone: 'gold', access: 'read' }];
    },
    /^inference\[0\]\.dataAccess\[0\]\.zone \('gold'\) must be a data-lake zone: raw, curated, features, models/,
  ],
  [
    'data access zone once',
    (d) => {
      d.training[0].dataAccess.push({ zone: 'curated', access: 'read-write' });
    },
    /^training\[0\]\.dataAccess\[2\]\.zone \('curated'\) is listed twice/,
  ],
  [
    'workload names unique across kinds',
    (d) => {
      d.training[0].name = 'llm';
    },
    /^training\[0\]\.name \('llm'\) must be unique among inference services, training and optimization jobs/,
  ],
  [
    'training nodes fit the pool',
    (d) => {
      d.training[0].nodes = 5;
    },
    /^training\[0\]\.nodes \(5\) must fit pool 'training': maxNodes is 4/,
  ],
  [
    'gpus per node fit',
    (d) => {
      d.training[0].gpusPerNode = 16;
    },
    /^training\[0\]\.gpusPerNode \(16\) must fit one node of pool 'training'/,
  ],
  [
    'training needs accelerators',
    (d) => {
      d.nodePools.push({ name: 'cpu', instanceTypes: ['m7i.large'], maxNodes: 2 });
      d.training[0].nodePool = 'cpu';
    },
    /^training\[0\]\.gpusPerNode \(8\) asks for accelerators, but pool 'cpu' has none \(m7i\.large\)$/,
  ],
  [
    'gpusPerNode defaults to a whole node',
    (d) => {
      d.nodePools.push({ name: 'cpu', instanceTypes: ['m7i.large'], maxNodes: 2 });
      d.training[0].nodePool = 'cpu';
      delete d.training[0].gpusPerNode;
    },
    /^training\[0\]\.gpusPerNode \(0\) must be >= 1/,
  ],
  [
    'workload team exists',
    (d) => {
      d.inference[0].team = 'vision';
    },
    /^inference\[0\]\.team \('vision'\) must name a team of this definition: research/,
  ],
  [
    'team job fits quota',
    (d) => {
      d.training[0].team = 'research';
      d.teams[0].gpuQuota = 8;
    },
    /^training\[0\]\.nodes \(2\) × gpusPerNode \(8\) = 16 must fit team 'research' gpuQuota \(8 NVIDIA GPUs\)/,
  ],
  [
    'unique team names',
    (d) => {
      d.teams.push({ name: 'research', gpuQuota: 1 });
    },
    /^teams\[1\]\.name \('research'\) must be unique among teams/,
  ],
  [
    'team egress CIDRs without host bits',
    (d) => {
      d.teams[0].egress = [{ name: 'db', cidrs: ['10.0.5.1/24'], ports: [{ port: 5432 }] }];
    },
    /^teams\[0\]\.egress\[0\]\.cidrs\[0\] \('10\.0\.5\.1\/24'\) must name the network without host bits, in canonical form: 10\.0\.5\.0\/24/,
  ],
  [
    'team egress port ranges',
    (d) => {
      d.teams[0].egress = [
        { name: 'db', cidrs: ['10.0.5.0/24'], ports: [{ port: 5432, endPort: 5000, protocol: 'UDP' }] },
      ];
    },
    /^teams\[0\]\.egress\[0\]\.ports\[0\]\.endPort \(5000\) must be >= port \(5432\)/,
  ],
  [
    'team egress protocols',
    (d) => {
      d.teams[0].egress = [{ name: 'db', cidrs: ['10.0.5.0/24'], ports: [{ port: 5432, protocol: 'ICMP' }] }];
    },
    /^teams\[0\]\.egress\[0\]\.ports\[0\]\.protocol \('ICMP'\) must be one of/,
  ],
  [
    'team egress namespaces of the platform',
    (d) => {
      d.teams[0].egress = [{ name: 'llm', namespaces: ['serving'], ports: [{ port: 8000 }] }];
    },
    /^teams\[0\]\.egress\[0\]\.namespaces\[0\] \('serving'\) must be a namespace of this platform: research, llm, pretrain/,
  ],
  [
    'mount path outside scratch volumes',
    (d) => {
      d.inference[0].dataAccess = [{ zone: 'models', access: 'read' }];
      d.inference[0].dataAccess[0].mountPath = '/tmp/models';
    },
    /^inference\[0\]\.dataAccess\[0\]\.mountPath \('\/tmp\/models'\) must be an absolute path outside \/tmp, \/home\/app, \/dev/,
  ],
  [
    'one zone per mount path',
    (d) => {
      d.training[0].dataAccess[0].mountPath = '/data';
      d.training[0].dataAccess[1].mountPath = '/data';
    },
    /^training\[0\]\.dataAccess \('\/data'\) mounts two zones at the same mountPath/,
  ],
  [
    'ray needs an entrypoint',
    (d) => {
      d.training[0].engine = 'ray';
    },
    /^training\[0\]\.command is required with engine ray/,
  ],
  [
    'query only for KEDA metrics',
    (d) => {
      d.inference[0].minReplicas = 1;
      d.inference[0].scaling = { metric: 'cpu', target: 60, query: 'up' };
    },
    /^inference\[0\]\.scaling\.query \('up'\) applies to KEDA metrics only/,
  ],
  // Workloads: what KEDA, the HPA and the container runtime would refuse.
  [
    'a scaling query is not blank',
    (d) => {
      d.inference[0].scaling = { metric: 'concurrency', target: 8, query: '  ' };
    },
    /^inference\[0\]\.scaling\.query \('  '\) must be a PromQL query, not blank/,
  ],
  [
    'a KEDA target KEDA does not round to zero milli-units',
    (d) => {
      d.inference[0].scaling = { metric: 'concurrency', target: 0.0004 };
    },
    /^inference\[0\]\.scaling\.target \(0\.0004\) must be >= 0\.001: KEDA sends the HPA a target in milli-units/,
  ],
  [
    'no mount in /proc',
    (d) => {
      d.inference[0].dataAccess = [{ zone: 'models', access: 'read' }];
      d.inference[0].dataAccess[0].mountPath = '/proc/models';
    },
    /^inference\[0\]\.dataAccess\[0\]\.mountPath \('\/proc\/models'\) must be .*outside .*\/proc/,
  ],
  [
    'no .. in a mount path',
    (d) => {
      d.inference[0].dataAccess = [{ zone: 'models', access: 'read' }];
      d.inference[0].dataAccess[0].mountPath = '/data/../models';
    },
    /^inference\[0\]\.dataAccess\[0\]\.mountPath \('\/data\/\.\.\/models'\) must be a normalized absolute path/,
  ],
  [
    'no trailing slash making two mounts one',
    (d) => {
      d.training[0].dataAccess[0].mountPath = '/data';
      d.training[0].dataAccess[1].mountPath = '/data/';
    },
    /^training\[0\]\.dataAccess\[1\]\.mountPath \('\/data\/'\) must be a normalized absolute path/,
  ],
  [
    'a sha256 digest has 64 hex digits',
    (d) => {
      d.inference[0].image = `vllm/vllm-openai@sha256:${'a'.repeat(63)}`;
    },
    /^inference\[0\]\.image .* has a sha256 digest of 63 hexadecimal digits; sha256 takes 64/,
  ],
  [
    'a sha512 digest has 128 hex digits',
    (d) => {
      d.training[0].image = `trainer:1@sha512:${'b'.repeat(64)}`;
    },
    /^training\[0\]\.image .* has a sha512 digest of 64 hexadecimal digits; sha512 takes 128/,
  ],
  [
    'alarm emails',
    (d) => {
      d.monitoring.alarmEmails = ['oncall'];
    },
    /^monitoring\.alarmEmails\[0\] \('oncall'\) must be an email address/,
  ],
  // aws-sns TopicBase.addSubscription: a second subscription of the same address is a construct ID collision.
  [
    'alarm emails listed once',
    (d) => {
      d.monitoring.alarmEmails = ['oncall@example.com', 'oncall@example.com'];
    },
    /^monitoring\.alarmEmails\[1\] \('oncall@example\.com'\) is listed twice/,
  ],
  [
    'percent thresholds',
    (d) => {
      d.monitoring.errorRateThresholdPercent = 150;
    },
    /^monitoring\.errorRateThresholdPercent \(150\) must be between 0 and 100/,
  ],
  [
    'alarm durations in 5-minute periods',
    (d) => {
      d.monitoring.gpuIdleMinutes = 7;
    },
    /^monitoring\.gpuIdleMinutes \(7\) must be a multiple of 5 between 5 and 1440/,
  ],
  [
    'every alarm duration in 5-minute periods',
    (d) => {
      d.monitoring.failedNodesMinutes = 12;
    },
    /^monitoring\.failedNodesMinutes \(12\) must be a multiple of 5 between 5 and 1440/,
  ],
  [
    'alarm counts are whole numbers >= 1',
    (d) => {
      d.monitoring.failedNodes = 0;
    },
    /^monitoring\.failedNodes \(0\) must be a whole number >= 1/,
  ],
  [
    'budget > 0',
    (d) => {
      d.monitoring.monthlyBudgetUsd = 0;
    },
    /^monitoring\.monthlyBudgetUsd \(0\) must be > 0/,
  ],
  // Pipelines: DataPipeline's own rules, in the definition's field names.
  [
    'pipeline zones exist',
    (d) => {
      d.pipelines[0].from = ['bronze'];
    },
    /^pipelines\[0\]\.from\[0\] \('bronze'\) must be a zone of the data lake: raw, curated, features, models/,
  ],
  [
    'pipeline writes another zone than it reads',
    (d) => {
      d.pipelines[0].to = 'raw';
    },
    /^pipelines\[0\]\.(from|to) .*raw/,
  ],
  [
    'pipeline engine',
    (d) => {
      d.pipelines[0].engine = 'flink';
    },
    /^pipelines\[0\]\.engine \('flink'\) must be one of: spark, ray/,
  ],
  [
    'pipeline script is a .py file that exists',
    (d) => {
      d.pipelines[0].script = 'jobs/missing.py';
    },
    /^pipelines\[0\]\.script \('jobs\/missing\.py'\)/,
  ],
  [
    'pipeline schedule expression',
    (d) => {
      d.pipelines[0].trigger = { schedule: 'cron(0 2 * * *)' };
    },
    /^pipelines\[0\]\.trigger\.schedule \('cron\(0 2 \* \* \*\)'\) must have 6 cron fields/,
  ],
  // EventBridge Scheduler would accept these and never run them: the dates do not exist.
  [
    'a cron schedule on a date that does not exist',
    (d) => {
      d.pipelines[0].trigger = { schedule: 'cron(0 0 31 2 ? *)' };
    },
    /^pipelines\[0\]\.trigger\.schedule \('cron\(0 0 31 2 \? \*\)'\) never runs: day-of-month 31 does not exist in FEB/,
  ],
  [
    'a cron schedule on days no listed month has',
    (d) => {
      d.pipelines[0].trigger = { schedule: 'cron(0 0 30,31 FEB ? *)' };
    },
    /never runs: day-of-month 30,31 does not exist in FEB/,
  ],
  [
    'a one-time schedule on a date that does not exist',
    (d) => {
      d.pipelines[0].trigger = { schedule: 'at(2027-02-30T02:00:00)' };
    },
    /^pipelines\[0\]\.trigger\.schedule \('at\(2027-02-30T02:00:00\)'\) names a date that does not exist/,
  ],
  [
    'pipeline trigger is one kind',
    (d) => {
      d.pipelines[0].trigger.onArrival = { zone: 'raw' };
    },
    /^pipelines\[0\]\.trigger .* takes schedule or onArrival, not both/,
  ],
  [
    'pipeline arrival zone is read',
    (d) => {
      d.pipelines[1].trigger.onArrival.zone = 'models';
    },
    /^pipelines\[1\]\.trigger\.onArrival\.zone \('models'\) must be one of the sources \(raw\)/,
  ],
  [
    'pipeline capacity within EMR Serverless limits',
    (d) => {
      d.pipelines[0].maxCapacity = { vcpu: 16, memoryGiB: 300 };
    },
    /^pipelines\[0\]\.maxCapacity\.memoryGiB/,
  ],
  [
    'no NAT gateway needs a registry mirror (no pinned chart or image is reachable)',
    (d) => {
      d.network.natGateways = 0;
    },
    /^network\.natGateways \(0\) leaves nodes and the kubectl provider on VPC endpoints only, .*set network\.mirror to a private ECR registry/,
  ],
  [
    'a mirror is a private ECR registry',
    (d) => {
      d.network.mirror = { registry: 'ghcr.io/acme' };
    },
    /^network\.mirror\.registry \('ghcr\.io\/acme'\) must be a private ECR registry, <12-digit account>\.dkr\.ecr\.<region>\.amazonaws\.com/,
  ],
  [
    'a mirror path is lowercase ECR segments',
    (d) => {
      d.network.mirror = { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com/Mirror' };
    },
    /^network\.mirror\.registry .* must be a private ECR registry/,
  ],
  [
    'a mirror names its registry',
    (d) => {
      d.network.mirror = {};
    },
    /^network\.mirror\.registry/,
  ],
  [
    'a pipeline table needs a NAT gateway (the Glue catalog has no endpoint here)',
    (d) => {
      d.network.natGateways = 0;
      d.network.interfaceEndpoints = 'all';
    },
    /^pipelines\[0\]\.table \('reviews'\) needs network\.natGateways >= 1/,
  ],
  [
    'pipeline numbers are whole and positive (no exception from a negative duration)',
    (d) => {
      d.pipelines[0].runTimeoutMinutes = -5;
    },
    /^pipelines\[0\]\.runTimeoutMinutes \(-5\) must be a whole number of minutes from 1 minute to 90 days/,
  ],
  [
    'pipeline memory is whole and positive (no exception from a negative size)',
    (d) => {
      d.pipelines[0].maxCapacity = { vcpu: 16, memoryGiB: -1 };
    },
    /^pipelines\[0\]\.maxCapacity\.memoryGiB \(-1\) must be a whole number of GiB >= 32: the Spark driver and one executor/,
  ],
  [
    'a pipeline trigger names its kind',
    (d) => {
      d.pipelines[0].trigger = {};
    },
    /^pipelines\[0\]\.trigger .* takes schedule or onArrival; leave trigger out to start runs by hand/,
  ],
  // Athena "Data types in Amazon Athena", Hive language manual (Types): a column type is a Hive type name.
  [
    'a pipeline column type is a Hive type',
    (d) => {
      d.pipelines[0].table.columns[2].type = 'integer(4)';
    },
    /^pipelines\[0\]\.table\.columns\[2\]\.type \('integer\(4\)'\) must be a Hive type that Glue, Spark and Athena read .*: unexpected '\('/,
  ],
  [
    'a pipeline column type nests Hive types',
    (d) => {
      d.pipelines[0].table.columns[0].type = 'map<array<string>,int>';
    },
    /^pipelines\[0\]\.table\.columns\[0\]\.type .*: 'array' is not a Hive type/,
  ],
  // EMR Serverless StartJobRun, SparkSubmit: entryPoint at most 4096 characters, no blank entry point argument.
  [
    "a pipeline script URI within StartJobRun's entry point",
    (d) => {
      d.pipelines[0].script = `s3://acme-jobs/${'k'.repeat(4090)}.py`;
    },
    /^pipelines\[0\]\.script \('s3:\/\/acme-jobs\/k+\.\.\.'\) is 4108 characters; the job's entry point takes at most 4096/,
  ],
  [
    'an arrival prefix is not blank (the job gets it as an argument)',
    (d) => {
      d.pipelines[1].trigger.onArrival.prefix = ' ';
    },
    /^pipelines\[1\]\.trigger\.onArrival\.prefix \(' '\) must not be blank: it is passed to the job as --input-prefix/,
  ],
  [
    'pipeline names unique',
    (d) => {
      d.pipelines[1].name = d.pipelines[0].name;
    },
    /^pipelines\[1\]\.name \('reviews-nightly'\) must be unique among pipelines/,
  ],
  // The model, environment and secrets of an inference service (issue 22), as InferenceService checks them.
  [
    'a model zone exists',
    (d) => {
      d.inference[0].model = { zone: 'weights', path: 'm/v1' };
    },
    /^inference\[0\]\.model\.zone \('weights'\) must be a data-lake zone: raw, curated, features, models/,
  ],
  [
    'a model path is normalized',
    (d) => {
      d.inference[0].model = { zone: 'models', path: 'm//v1' };
    },
    /^inference\[0\]\.model\.path \('m\/\/v1'\) must be a non-empty, normalized path/,
  ],
  [
    'a model is a zone path or a hub id',
    (d) => {
      d.inference[0].model = { zone: 'models', path: 'm', uri: 'hf://o/n' };
    },
    /^inference\[0\]\.model must give either zone and path/,
  ],
  [
    'a hub URI',
    (d) => {
      d.inference[0].model = { uri: 'hf:/o/n' };
    },
    /^inference\[0\]\.model\.uri \('hf:\/o\/n'\) must be a hub model: hf:\/\/<org>\/<name>/,
  ],
  [
    'a secret ARN',
    (d) => {
      d.inference[0].secrets = { API_KEY: 'arn:aws:secretsmanager:us-east-1:12345:secret:k-AbCdEf' };
    },
    /^inference\[0\]\.secrets\.API_KEY .* must be the full ARN of a Secrets Manager secret/,
  ],
  [
    'env names the platform sets',
    (d) => {
      d.inference[0].env = { HF_HOME: '/x' };
    },
    /^inference\[0\]\.env\.HF_HOME .* is set by the platform/,
  ],
  [
    'env names',
    (d) => {
      d.inference[0].env = { '1X': 'a' };
    },
    /^inference\[0\]\.env\.1X .* must be an environment variable name/,
  ],
  [
    'env and secrets apart',
    (d) => {
      d.inference[0].env = { K: 'a' };
      d.inference[0].secrets = { K: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf' };
    },
    /^inference\[0\]\.secrets\.K .* is also in env/,
  ],
  [
    'a startup budget',
    (d) => {
      d.inference[0].startupBudgetSeconds = 5;
    },
    /^inference\[0\]\.startupBudgetSeconds \(5\) must be at least 10/,
  ],
  // The front door (issue 22): internet exposure needs TLS, and authentication or named ranges.
  [
    'internet needs a certificate',
    (d) => {
      d.inference[0].expose = { visibility: 'internet', allowedCidrs: ['203.0.113.0/24'] };
    },
    /^inference\[0\]\.expose\.certificateArn is required with visibility internet: internet services listen on HTTPS only/,
  ],
  [
    'internet needs auth or allowed CIDRs',
    (d) => {
      d.inference[0].expose = { visibility: 'internet', certificateArn: CERT };
    },
    /^inference\[0\]\.expose\.allowedCidrs is required with visibility internet unless auth is set/,
  ],
  [
    'a platform name that makes an ALB name ELB refuses',
    (d) => {
      d.name = 'internal-ml';
      d.inference[0].expose = { host: 'chat.example.com' };
    },
    /^name \('internal-ml'\) gives the internal load balancer the name 'internal-ml-int', which must be 1\.\.32 letters, .*not starting with 'internal-'/,
  ],
  [
    'auth needs HTTPS',
    (d) => {
      d.inference[0].expose = {
        auth: { jwt: { issuer: 'https://idp.example.com', jwksEndpoint: 'https://idp.example.com/k' } },
      };
    },
    /^inference\[0\]\.expose\.auth needs expose\.certificateArn: the load balancer authenticates on HTTPS listeners only/,
  ],
  [
    'auth names one method',
    (d) => {
      d.inference[0].expose = {
        certificateArn: CERT,
        auth: {
          jwt: { issuer: 'https://idp.example.com', jwksEndpoint: 'https://idp.example.com/k' },
          cognito: {
            userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_A1',
            userPoolClientId: 'c1',
            userPoolDomain: 'acme',
          },
        },
      };
    },
    /^inference\[0\]\.expose\.auth \(\["jwt","cognito"\]\) must name exactly one of cognito \(browser sign-in\) or jwt/,
  ],
  [
    'a Cognito domain given as a URL',
    (d) => {
      d.inference[0].expose = {
        certificateArn: CERT,
        auth: {
          cognito: {
            userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_A1',
            userPoolClientId: 'c1',
            userPoolDomain: 'https://acme.auth.us-east-1.amazoncognito.com',
          },
        },
      };
    },
    /^inference\[0\]\.expose\.auth\.cognito\.userPoolDomain .* must be the Cognito domain prefix/,
  ],
  [
    'a JWKS endpoint over http',
    (d) => {
      d.inference[0].expose = {
        certificateArn: CERT,
        auth: { jwt: { issuer: 'i', jwksEndpoint: 'http://idp.example.com/k' } },
      };
    },
    /^inference\[0\]\.expose\.auth\.jwt\.jwksEndpoint .* must be an https:\/\/ URL/,
  ],
  [
    'an exposure visibility',
    (d) => {
      d.inference[0].expose = { visibility: 'public' };
    },
    /^inference\[0\]\.expose\.visibility \('public'\) must be one of: internal, internet/,
  ],
  [
    'an exposure host',
    (d) => {
      d.inference[0].expose = { host: 'chat..example.com' };
    },
    /^inference\[0\]\.expose\.host \('chat\.\.example\.com'\) must be a DNS name/,
  ],
  [
    'a certificate ARN',
    (d) => {
      d.inference[0].expose = { certificateArn: 'arn:aws:acm:us-east-1:123:certificate/x' };
    },
    /^inference\[0\]\.expose\.certificateArn .* must be an ACM certificate ARN/,
  ],
  [
    'allowed CIDRs without host bits',
    (d) => {
      d.inference[0].expose = { allowedCidrs: ['203.0.113.9/24'] };
    },
    /^inference\[0\]\.expose\.allowedCidrs\[0\] \('203\.0\.113\.9\/24'\) has host bits set; did you mean 203\.0\.113\.0\/24\?/,
  ],
  [
    'one host per service on a shared ALB',
    (d) => {
      d.inference[0].expose = { host: 'a.example.com' };
      d.inference.push({ ...d.inference[0], name: 'chat2', expose: { host: 'a.example.com' } });
    },
    /^inference\[\d\]\.expose\.host \('a\.example\.com'\) is already the host of inference\[0\] on the shared internal load balancer/,
  ],
  [
    'one any-host service per ALB',
    (d) => {
      d.inference[0].expose = {};
      d.inference.push({ ...d.inference[0], name: 'chat2', expose: {} });
    },
    /^inference\[\d\]\.expose\.host is required: inference\[0\] already takes every host on the shared internal load balancer/,
  ],
  [
    "pipeline name fits the services' limits with the platform prefix",
    (d) => {
      d.pipelines[0].name = 'p'.repeat(60);
    },
    /^pipelines\[0\]\.name .* at most 64/,
  ],
];

test.each(RULES)('rule: %s', (_name, change, expected) => {
  const problems = problemsOf(change);
  expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
});

test('every problem of a definition is reported together', () => {
  const problems = problemsOf((d) => {
    d.nodePools[0].instanceTypes = ['g9.xlarge'];
    d.nodePools[1].minNodes = 5;
    d.inference[0].nodePool = 'missing';
    d.training[0].dataAccess = [{ zone: 'gold', access: 'read' }];
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^nodePools\[0\]\.instanceTypes\[0\]/),
      expect.stringMatching(/^nodePools\[1\]\.maxNodes \(4\) must be >= minNodes \(5\)/),
      expect.stringMatching(/^inference\[0\]\.nodePool \('missing'\)/),
      expect.stringMatching(/^training\[0\]\.dataAccess\[0\]\.zone \('gold'\)/),
    ]),
  );
});

test('resolveDefinition throws a DefinitionError that lists every problem', () => {
  const bad = referenceWith((d) => {
    d.name = 'X';
    d.nodePools[0].maxNodes = 0;
  });
  let error: unknown;
  try {
    resolveDefinition(bad, 'platform.yaml');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DefinitionError);
  const message = (error as DefinitionError).message;
  expect(message).toMatch(/^The platform definition in platform\.yaml has \d+ problems:/);
  expect(message).toContain("  - name ('X') must be 3..28 characters");
  expect(message).toContain('  - nodePools[0].maxNodes (0) must be >= 1');
});

test('a definition that is not an object is one problem, not a crash', () => {
  expect(validateDefinition('name: x').map(formatProblem)).toEqual([
    "(definition) ('name: x') must be an object, not a string",
  ]);
  expect(validateDefinition(null).map(formatProblem)).toEqual(['(definition) (null) must be an object, not null']);
});

test('an unknown field does not hide the other problems', () => {
  const problems = problemsOf((d) => {
    d.nodePools[0].colour = 'blue';
    d.nodePools[0].minNodes = 9;
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^nodePools\[0\]\.colour is not a known field/),
      expect.stringMatching(/^nodePools\[0\]\.maxNodes \(8\) must be >= minNodes \(9\)/),
    ]),
  );
});

test("a Capacity Block pool warns that its reservation's zone must be in the VPC, unless network.availabilityZones names the zones", () => {
  const block = (azs?: string[]) =>
    resolveDefinition(
      referenceWith((d) => {
        d.network = { natGateways: 1, ...(azs ? { availabilityZones: azs } : { maxAzs: 3 }) };
        d.nodePools[1] = {
          ...d.nodePools[1],
          instanceTypes: ['p5.48xlarge'],
          capacityType: 'capacity-block',
          capacityReservationId: 'cr-0123456789abcdef0',
        };
      }),
    );
  expect(block().warnings.map(formatProblem)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^nodePools\[1\]\.capacityReservationId \('cr-0123456789abcdef0'\) is in one Availability Zone, which must be one of the VPC's: .*first 3 zones/,
      ),
    ]),
  );
  expect(block(['us-east-1a', 'us-east-1d']).warnings.filter((w) => w.path.includes('capacityReservationId'))).toEqual(
    [],
  );
  expect(block(['us-east-1a', 'us-east-1d']).network).toEqual(
    expect.objectContaining({ maxAzs: 2, availabilityZones: ['us-east-1a', 'us-east-1d'] }),
  );
});

describe('acknowledged warnings', () => {
  test("carry the definition's reason", () => {
    const d = resolveDefinition(referenceWith());
    expect(d.warnings).toEqual([
      expect.objectContaining({
        path: 'monitoring.budgetCostFilter',
        acknowledged: expect.stringContaining('activated once per account'),
      }),
      expect.objectContaining({
        path: 'monitoring.monthlyBudgetUsd',
        acknowledged: expect.stringContaining('notifies'),
      }),
    ]);
  });

  test('an acknowledgement that names no warning of the definition is a warning itself', () => {
    const d = resolveDefinition(
      referenceWith((x) => {
        x.acknowledgeWarnings = [{ warning: 'cluster.publicAccessCidrs', reason: 'x' }];
      }),
    );
    expect(d.warnings.map(formatProblem)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^acknowledgeWarnings\[0\]\.warning \('cluster\.publicAccessCidrs'\) names no warning of this definition; its warnings are: monitoring\.budgetCostFilter, monitoring\.monthlyBudgetUsd/,
        ),
      ]),
    );
  });

  test('and give a reason', () => {
    expect(
      problemsOf((d) => {
        d.acknowledgeWarnings[0].reason = ' ';
      }),
    ).toEqual([expect.stringMatching(/^acknowledgeWarnings\[0\]\.reason .* must say why/)]);
  });
});

test('no NAT gateway with a registry mirror is accepted, and the mirror is resolved', () => {
  const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror';
  const def = referenceWith((d) => {
    d.network.natGateways = 0;
    d.network.mirror = { registry };
    delete d.pipelines[0].table;
  });
  expect(validateDefinition(def)).toEqual([]);
  expect(resolveDefinition(def).network.mirror).toEqual({ registry });
  // China regions and a bare registry host are ECR too.
  expect(
    validateDefinition(
      referenceWith((d) => {
        d.network.mirror = { registry: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn' };
      }),
    ),
  ).toEqual([]);
});

describe('a construct refusing its props throws a PlatformValidationError with its path and the field', () => {
  const refusal = (): PlatformValidationError => {
    const stack = new Stack(new App(), 'Net');
    try {
      new PlatformNetwork(stack, 'Network', { maxAzs: 7 });
    } catch (e) {
      return e as PlatformValidationError;
    }
    throw new Error('PlatformNetwork accepted maxAzs 7');
  };

  test('the construct path, the field path, the value and what is valid', () => {
    const e = refusal();
    expect(e).toBeInstanceOf(PlatformValidationError);
    expect(e.constructPath).toBe('Net/Network');
    expect(e.problems).toEqual([
      expect.objectContaining({ field: 'maxAzs', value: 7, message: expect.stringMatching(/must be between 2 and 6/) }),
    ]);
    expect(e.message).toMatch(/^PlatformNetwork: maxAzs \(7\) must be between 2 and 6/);
  });

  // aws-cdk-lib's ValidationError is internal to aws-cdk-lib: this pins what PlatformValidationError takes from it.
  test('it is what aws-cdk-lib calls a validation error, and a definition error is one too', () => {
    const e = refusal();
    expect(Errors.isValidationError(e)).toBe(true);
    expect(e.stack).toMatch(/Relates to construct:[\s\S]*└─ Net [\s\S]*└─ Network /);
    const definition = (() => {
      try {
        resolveDefinition(
          referenceWith((d) => {
            d.nodePools[0].maxNodes = -1;
          }),
        );
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(definition).toBeInstanceOf(DefinitionError);
    expect(definition).toBeInstanceOf(PlatformValidationError);
    expect((definition as Error).name).toBe('DefinitionError');
    expect(Errors.isValidationError(definition)).toBe(true);
    expect((definition as DefinitionError).problems[0]).toEqual(
      expect.objectContaining({ path: 'nodePools[0].maxNodes', field: 'nodePools[0].maxNodes', value: -1 }),
    );
  });
});

describe('modelled cold start of a service held at zero (lib/catalog/cold-start.ts)', () => {
  const held = (coldStartTimeoutSeconds: number, sizeGiB?: number, acknowledge = false) =>
    resolveDefinition(
      referenceWith((d) => {
        d.inference[0].minReplicas = 0;
        d.inference[0].model = { ...d.inference[0].model, sizeGiB };
        d.inference[0].expose = { host: 'chat.example.com', coldStartTimeoutSeconds };
        if (acknowledge)
          d.acknowledgeWarnings.push({
            warning: 'inference[0].expose.coldStartTimeoutSeconds',
            reason: 'a replica is kept warm by a schedule',
          });
      }),
    );
  const coldWarnings = (d: ReturnType<typeof resolveDefinition>) =>
    d.warnings.filter((w) => w.path === 'inference[0].expose.coldStartTimeoutSeconds');

  test('a timeout shorter than the modelled cold start is a warning naming each part', () => {
    // 240 s node + 9 GiB at 50 MiB/s (184.32 s) + 16 GiB at 500 MiB/s (32.768 s) = 457.088 s -> 458.
    expect(coldWarnings(held(300, 16)).map(formatProblem)).toEqual([
      'inference[0].expose.coldStartTimeoutSeconds (300) is shorter than the modelled cold start, 458 s = node launch 240 s + image pull 185 s + model load 33 s: the first request after idle would get a 504 while the replica starts; raise it, or keep a replica (minReplicas 1)',
    ]);
    expect(held(300, 16).inference[0].coldStart).toEqual(
      expect.objectContaining({ seconds: 458, complete: true, nodeLaunchSeconds: 240 }),
    );
  });

  test('without the model size the model is a lower bound; a timeout above it raises nothing', () => {
    // 240 + 184.32 = 424.32 -> 425.
    expect(coldWarnings(held(400)).map(formatProblem)).toEqual([
      expect.stringMatching(
        /^inference\[0\]\.expose\.coldStartTimeoutSeconds \(400\) is shorter than the modelled cold start \(a lower bound\), 425 s = node launch 240 s \+ image pull 185 s; unknown: model load: the model size is unknown \(model\.sizeGiB\)/,
      ),
    ]);
    expect(coldWarnings(held(600))).toEqual([]);
  });

  test('acknowledged with a reason; a size that is not positive is refused', () => {
    expect(coldWarnings(held(300, 16, true))).toEqual([
      expect.objectContaining({ acknowledged: 'a replica is kept warm by a schedule' }),
    ]);
    expect(
      problemsOf((d) => {
        d.inference[0].minReplicas = 0;
        d.inference[0].model = { ...d.inference[0].model, sizeGiB: 0 };
        d.inference[0].expose = { host: 'chat.example.com' };
      }),
    ).toEqual([expect.stringMatching(/^inference\[0\]\.model\.sizeGiB \(0\) must be a size in GiB above 0/)]);
  });
});

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
test('a job on a pool that does not exist reports the pool alone, not the 0 accelerators its missing pool implies', () => {
  const problems = validateDefinition(
    referenceWith((d) => {
      d.training[1].nodePool = 'trainig';
      delete d.training[1].gpusPerNode;
    }),
  ).map((p) => p.path);
  expect(problems).toEqual(['training[1].nodePool']);
});
import './load.cases';
import './limits.cases';
import './frozen-constants.cases';
import './schema.cases';
import './rule-parity.cases';
import './allow-replace.cases';
import './property.cases';
import './defaults.cases';
import './optimizations.cases';
import './ray-pipelines.cases';
