import { Template } from 'aws-cdk-lib/assertions';
import { clusterStack, resourcesOf } from '../helpers';
import { AcceleratorVendor, AmiFamily, MountpointDriver } from '../../lib';
import { findInstance, knownFamilies, knownInstanceTypes, PRICES_AS_OF } from '../../lib/catalog/accelerators';
import { findAmi } from '../../lib/catalog/ami';
import {
  DEFAULT_KUBERNETES_VERSION,
  findKubernetesVersion,
  HELM_CHARTS,
  supportedKubernetesVersions,
} from '../../lib/catalog/versions';

test.each([
  'g4dn',
  'g5',
  'g6',
  'g6e',
  'gr6',
  'p4d',
  'p4de',
  'p5',
  'p5e',
  'p5en',
  'p6-b200',
  'inf2',
  'trn1',
  'trn2',
  'm7i',
])('the catalog covers the %s family', (family) => {
  expect(knownFamilies()).toContain(family);
});

test.each(knownInstanceTypes())('%s has consistent facts', (type) => {
  const f = findInstance(type)!;
  expect(f.instanceType).toBe(type);
  expect(f.vcpu).toBeGreaterThan(0);
  expect(f.memoryGiB).toBeGreaterThan(0);
  expect(f.onDemandHourlyUsd).toBeGreaterThan(0);
  if (f.vendor === AcceleratorVendor.NONE) {
    expect(f.acceleratorCount).toBe(0);
  } else {
    expect(f.acceleratorCount).toBeGreaterThan(0);
    expect(f.acceleratorMemoryGiB).toBeGreaterThan(0);
    expect(f.acceleratorModel).not.toBe('');
  }
});

test('well-known facts', () => {
  expect(findInstance('p5.48xlarge')).toMatchObject({
    vendor: AcceleratorVendor.NVIDIA,
    acceleratorModel: 'H100',
    acceleratorCount: 8,
    acceleratorMemoryGiB: 80,
    vcpu: 192,
    memoryGiB: 2048,
    maxEfaInterfaces: 32,
  });
  expect(findInstance('g6e.xlarge')).toMatchObject({
    acceleratorModel: 'L40S',
    acceleratorCount: 1,
    maxEfaInterfaces: 0,
  });
  expect(findInstance('trn2.48xlarge')).toMatchObject({ vendor: AcceleratorVendor.AWS_NEURON, acceleratorCount: 16 });
  expect(findInstance('inf2.48xlarge')).toMatchObject({ vendor: AcceleratorVendor.AWS_NEURON, acceleratorCount: 12 });
  expect(findInstance('g9.xlarge')).toBeUndefined();
  expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

test.each([
  [AmiFamily.AL2023, AcceleratorVendor.NVIDIA, 'AL2023_x86_64_NVIDIA', false],
  [AmiFamily.AL2023, AcceleratorVendor.AWS_NEURON, 'AL2023_x86_64_NEURON', false],
  [AmiFamily.AL2023, AcceleratorVendor.NONE, 'AL2023_x86_64_STANDARD', true],
  [AmiFamily.BOTTLEROCKET, AcceleratorVendor.NVIDIA, 'BOTTLEROCKET_x86_64_NVIDIA', true],
  [AmiFamily.BOTTLEROCKET, AcceleratorVendor.NONE, 'BOTTLEROCKET_x86_64', true],
])('AMI for %s / %s is %s', (family, vendor, amiType, bundles) => {
  expect(findAmi(family, vendor)).toEqual({ amiType, bundlesDevicePlugin: bundles });
});

test('no catalog entry uses the retired AL2 AMIs', () => {
  for (const family of Object.values(AmiFamily)) {
    for (const vendor of Object.values(AcceleratorVendor)) {
      expect(findAmi(family, vendor)?.amiType ?? '').not.toMatch(/^AL2_/);
    }
  }
});

test('Kubernetes versions: 1.33 to 1.36, newest with a kubectl layer is the default', () => {
  expect(supportedKubernetesVersions()).toEqual(['1.33', '1.34', '1.35', '1.36']);
  expect(DEFAULT_KUBERNETES_VERSION).toBe('1.36');
  for (const v of supportedKubernetesVersions()) {
    const entry = findKubernetesVersion(v)!;
    expect(entry.addons.kubeProxy).toMatch(new RegExp(`^v${v.replace('.', '\\.')}\\.\\d+-eksbuild\\.\\d+$`));
    for (const version of Object.values(entry.addons).filter((x) => x !== undefined))
      expect(version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  }
});

// A pinned build that does not exist fails AWS::EKS::Addon and rolls the stack back; every build string pinned
// must be one a source lists (lib/catalog/versions.ts); unverified add-ons take EKS's default build instead.
test("an add-on without a verified build takes EKS's default: no AddonVersion in the template", () => {
  // The catalog's Mountpoint entry has no verified build: the add-on as a cluster gets it, without a platform.
  const { stack, gpuCluster } = clusterStack();
  MountpointDriver.ensure(gpuCluster.cluster, gpuCluster.kubernetesVersion);
  const [, addon] = resourcesOf(Template.fromStack(stack), 'AWS::EKS::Addon').find(
    ([, a]) => a.Properties.AddonName === 'aws-mountpoint-s3-csi-driver',
  )!;
  expect(addon.Properties.AddonVersion).toBeUndefined();
});

test.each(Object.entries(HELM_CHARTS))('Helm chart %s is pinned to an exact version', (_name, chart) => {
  expect(chart.version).toMatch(/^v?\d+\.\d+\.\d+$/);
  expect(chart.repository).toMatch(/^(https|oci):\/\//);
});
