import { App, Size, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AmiFamily, CapacityType, GpuCluster, GpuNodePool, PlatformNetwork } from '../lib';

/**
 * Composing the constructs in your own stack, without AiPlatform: a network, a cluster and two GPU pools.
 * Each construct takes what it needs as props.
 */
export class MyGpuStack extends Stack {
  public readonly gpu: GpuCluster;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const network = new PlatformNetwork(this, 'Network', { maxAzs: 2 });
    this.gpu = new GpuCluster(this, 'Gpu', {
      vpc: network.vpc,
      nodeSubnets: network.nodeSubnets,
      kubernetesVersion: '1.35',
      adminRoleArns: ['arn:aws:iam::123456789012:role/platform-admin'],
    });
    new GpuNodePool(this, 'Inference', {
      cluster: this.gpu.cluster,
      poolName: 'inference',
      instanceTypes: ['g6.xlarge'],
      maxNodes: 4,
      capacityType: CapacityType.SPOT,
      amiFamily: AmiFamily.BOTTLEROCKET,
    });
    new GpuNodePool(this, 'Training', {
      cluster: this.gpu.cluster,
      poolName: 'training',
      instanceTypes: ['p4d.24xlarge'],
      maxNodes: 2,
      efa: true,
      diskSize: Size.gibibytes(400),
    });
  }
}

/** Builds the example into an app (the tests call this; your bin/ would too). */
export function buildOwnStackApp(app: App = new App()): MyGpuStack {
  return new MyGpuStack(app, 'MyGpuStack');
}
