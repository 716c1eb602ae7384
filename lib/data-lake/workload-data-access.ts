import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PodIdentityRole } from '../core/pod-identity-role';
import { acknowledgeIamFindings } from '../core/acknowledge';
import { DataAccessLevel } from './data-access-level';
import type { IDataLakeRef } from './data-lake-ref';

/** One zone a workload may use, and how. */
export interface ZoneAccess {
  /** A zone of the data lake. */
  readonly zone: string;
  readonly access: DataAccessLevel;
}

/** Props of {@link WorkloadDataAccess}. */
export interface WorkloadDataAccessProps {
  readonly cluster: eks.ICluster;
  readonly dataLake: IDataLakeRef;
  /** The workload's Kubernetes namespace and service account. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The zones and access levels the workload declares. */
  readonly access: ZoneAccess[];
}

/**
 * The AWS identity of one workload: a Pod Identity role for its service account whose policy names only
 * the declared zones' buckets, at the declared level, and the key only through S3.
 */
export class WorkloadDataAccess extends Construct {
  public readonly role: iam.Role;
  public readonly namespace: string;
  public readonly serviceAccount: string;

  constructor(scope: Construct, id: string, props: WorkloadDataAccessProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.serviceAccount = props.serviceAccount;
    const identity = new PodIdentityRole(this, 'Identity', {
      cluster: props.cluster,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      description: `Data access of ${props.namespace}/${props.serviceAccount}: ${props.access.map((a) => `${a.zone}:${a.access}`).join(', ')}`,
    });
    this.role = identity.role;
    for (const a of props.access) {
      if (a.access === DataAccessLevel.READ_WRITE) props.dataLake.grantReadWrite(a.zone, this.role);
      else props.dataLake.grantRead(a.zone, this.role);
    }
    acknowledgeIamFindings(this, {
      wildcards: 'Object actions need <zone bucket ARN>/*; the policy names only the zones this workload declares',
    });
  }
}
