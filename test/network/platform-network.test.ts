import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InterfaceEndpoints, PlatformNetwork } from '../../lib';
import { testApp } from '../helpers';

function synth(
  props: ConstructorParameters<typeof PlatformNetwork>[2] = {},
  env?: { account: string; region: string },
) {
  const stack = new Stack(testApp(), 'Net', { env });
  new PlatformNetwork(stack, 'Network', props);
  return Template.fromStack(stack);
}

test('an environment-agnostic VPC spans maxAzs AZs chosen at deploy time (no AZ lookup)', () => {
  const t = synth({ maxAzs: 3 });
  const azs = Object.values(t.findResources('AWS::EC2::Subnet')).map((s: any) =>
    JSON.stringify(s.Properties.AvailabilityZone),
  );
  expect(new Set(azs).size).toBe(3);
  expect(azs.every((az) => az.includes('Fn::GetAZs'))).toBe(true);
  t.resourceCountIs('AWS::EC2::Subnet', 6);
});

test("named availabilityZones place the VPC in exactly those zones (a Capacity Block's zone can be one of them)", () => {
  const t = synth({ availabilityZones: ['us-east-1a', 'us-east-1d'] });
  const azs = Object.values(t.findResources('AWS::EC2::Subnet'))
    .map((s: any) => s.Properties.AvailabilityZone)
    .sort();
  expect(azs).toEqual(['us-east-1a', 'us-east-1a', 'us-east-1d', 'us-east-1d']);
  expect(() => synth({ availabilityZones: ['us-east-1a'] })).toThrow(
    /availabilityZones \('us-east-1a'\) must name between 2 and 6 zones/,
  );
});

test('natGateways is honoured', () => {
  synth({ maxAzs: 3, natGateways: 2 }).resourceCountIs('AWS::EC2::NatGateway', 2);
});

test('without NAT, node subnets are isolated and have no default route', () => {
  const t = synth({ maxAzs: 2, natGateways: 0 });
  t.resourceCountIs('AWS::EC2::NatGateway', 0);
  t.resourceCountIs('AWS::EC2::Route', 2); // public subnets' internet routes only
});

const interfaceServices = (t: Template) =>
  Object.values(
    t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface', PrivateDnsEnabled: true } }),
  ).map((e: any) => JSON.stringify(e.Properties.ServiceName));

test('without NAT: the S3 gateway endpoint and every interface endpoint nodes need', () => {
  const t = synth({ natGateways: 0 });
  t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
  const services = interfaceServices(t);
  for (const svc of ['ecr.api', 'ecr.dkr', 'sts', 'eks-auth', '.eks"', 'ec2', 'logs', 'autoscaling']) {
    expect(services.some((s) => s.includes(svc))).toBe(true);
  }
  expect(services).toHaveLength(8);
});

test('with NAT (the default): private image pulls only (ECR API and registry), the rest through the NAT gateway', () => {
  const services = interfaceServices(synth());
  expect(services).toHaveLength(2);
  expect(services.some((s) => s.includes('ecr.api'))).toBe(true);
  expect(services.some((s) => s.includes('ecr.dkr'))).toBe(true);
});

test('an isolated network needs every endpoint', () => {
  expect(() => synth({ natGateways: 0, interfaceEndpoints: InterfaceEndpoints.IMAGE_PULLS })).toThrow(
    /interfaceEndpoints \('image-pulls'\) must be all with natGateways 0/,
  );
});

test('flow logs are on', () => {
  synth().hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'REJECT' });
});

test('subnets carry load balancer discovery tags: every public subnet elb, every node subnet internal-elb (controller subnet discovery)', () => {
  const subnets = Object.values(synth().findResources('AWS::EC2::Subnet')).map(
    (s: any) => s.Properties.Tags as { Key: string; Value: string }[],
  );
  const role = (tags: { Key: string; Value: string }[]) =>
    tags.filter((t) => t.Key.startsWith('kubernetes.io/role/')).map((t) => `${t.Key}=${t.Value}`);
  const kind = (tags: { Key: string; Value: string }[]) => tags.find((t) => t.Key === 'aws-cdk:subnet-type')!.Value;
  expect(subnets.length).toBeGreaterThanOrEqual(4);
  for (const tags of subnets)
    expect(role(tags)).toEqual([
      kind(tags) === 'Public' ? 'kubernetes.io/role/elb=1' : 'kubernetes.io/role/internal-elb=1',
    ]);
});

test('public subnets do not give instances public IPs', () => {
  synth().resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true }, 0);
});
