import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fitDescription } from '../catalog/service-limits';

/** Props of {@link PodIdentityRole}. */
export interface PodIdentityRoleProps {
  /** The cluster whose pods assume the role. */
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** @default - no description */
  readonly description?: string;
}

/**
 * An IAM role for exactly one Kubernetes service account, through EKS Pod Identity: trusted only by the
 * Pod Identity service of this account, and associated with one namespace/service account of one cluster.
 * Grant it what the workload needs (`bucket.grantRead(role)`), nothing else.
 */
export class PodIdentityRole extends Construct implements iam.IGrantable {
  public readonly role: iam.Role;
  public readonly association: eks.CfnPodIdentityAssociation;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.role = createPodIdentityRole(
      this,
      'Role',
      props.description ?? `Pod Identity role for ${props.namespace}/${props.serviceAccount}`,
    );
    this.grantPrincipal = this.role;
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
  }
}

/**
 * A role EKS Pod Identity may hand to pods of this account (sts:AssumeRole and sts:TagSession), and no one
 * else. Pair it with an association: a `CfnPodIdentityAssociation`, or an EKS add-on's `podIdentityAssociations`.
 */
export function createPodIdentityRole(scope: Construct, id: string, description: string): iam.Role {
  const principal = new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
  });
  const role = new iam.Role(scope, id, { assumedBy: principal, description: fitDescription(description) });
  role.assumeRolePolicy?.addStatements(
    new iam.PolicyStatement({ actions: ['sts:TagSession'], principals: [principal] }),
  );
  return role;
}
