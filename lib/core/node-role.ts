import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeIamFindings } from './acknowledge';

/**
 * The IAM role of a node: join the cluster and pull images, nothing more. No CNI permissions (the VPC CNI
 * has its own Pod Identity role) and no instance credentials for pods (IMDSv2 hop limit 1).
 */
export function createNodeRole(scope: Construct, id: string): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'EKS node: join the cluster and pull images',
    managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'].map((name) =>
      iam.ManagedPolicy.fromAwsManagedPolicyName(name),
    ),
  });
  acknowledgeIamFindings(role, {
    managedPolicies:
      'Nodes need the AWS-maintained EKS worker-node and ECR pull-only policies; pods cannot use them (IMDSv2 hop limit 1) and get their own roles through Pod Identity',
  });
  return role;
}
