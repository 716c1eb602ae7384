import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { kubernetesVersionEntry } from '../core/kubernetes-version';

/**
 * The Mountpoint for Amazon S3 CSI driver add-on, once per cluster. Volumes use the pod's own credentials
 * (`authenticationSource: pod`), so the driver itself gets no AWS permissions.
 */
export function ensureMountpointDriver(cluster: eks.ICluster, kubernetesVersion: string): eks.Addon {
  const existing = cluster.node.tryFindChild('MountpointS3Csi');
  if (existing) return existing as eks.Addon;
  const addon = new eks.Addon(cluster, 'MountpointS3Csi', {
    cluster,
    addonName: 'aws-mountpoint-s3-csi-driver',
    addonVersion: kubernetesVersionEntry(kubernetesVersion, 'Mountpoint S3 CSI driver', cluster).addons.mountpointS3Csi,
  });
  (addon.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
  return addon;
}

/** The Mountpoint for Amazon S3 CSI driver as a static method, for every jsii language. */
export class MountpointDriver {
  /** Installs the driver add-on once per cluster. */
  public static ensure(cluster: eks.ICluster, kubernetesVersion: string): eks.Addon {
    return ensureMountpointDriver(cluster, kubernetesVersion);
  }

  private constructor() {}
}
