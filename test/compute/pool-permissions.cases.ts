import { Template } from 'aws-cdk-lib/assertions';
import { CapacityType, GpuNodePool, type GpuNodePoolProps } from '../../lib';
import { clusterStack, resourcesOf } from '../helpers';

/**
 * IAM caps the inline policies of a role at 10,240 characters in aggregate, whitespace not counted (IAM User
 * Guide, "IAM and AWS STS quotas", role policy size): a role whose policies outgrow it fails to deploy. Pools
 * use custom resources, which share one role per stack, so their permissions must not grow with the pools.
 */
const ROLE_POLICY_LIMIT = 10_240;

/** Pools of every kind whose permissions differ: on-demand, EFA, and Capacity Blocks (two more lookups). */
function poolsTemplate(count: number): Template {
  const { stack, gpuCluster } = clusterStack();
  const kinds: Pick<GpuNodePoolProps, 'instanceTypes' | 'efa' | 'capacityType' | 'capacityReservationId'>[] = [
    { instanceTypes: ['g6e.xlarge'] },
    { instanceTypes: ['p5.48xlarge'], efa: true },
    { instanceTypes: ['p5.48xlarge'], capacityType: CapacityType.CAPACITY_BLOCK },
  ];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    new GpuNodePool(stack, `Pool${i}`, {
      cluster: gpuCluster.cluster,
      poolName: `pool-${i}`,
      maxNodes: 2,
      labels: { team: `t${i}` },
      ...kind,
      capacityReservationId: kind.capacityType ? `cr-${String(i).padStart(17, '0')}` : undefined,
    });
  }
  return Template.fromStack(stack);
}

/** Aggregate size of each role's inline policies: AWS::IAM::Policy resources naming it, and its own Policies. */
function inlinePolicySizes(template: Template): Record<string, number> {
  const sizes: Record<string, number> = {};
  const add = (role: string, document: unknown) => {
    sizes[role] = (sizes[role] ?? 0) + JSON.stringify(document).length;
  };
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    for (const role of policy.Properties.Roles ?? [])
      add(role.Ref ?? JSON.stringify(role), policy.Properties.PolicyDocument);
  }
  for (const [id, role] of resourcesOf(template, 'AWS::IAM::Role')) {
    for (const policy of role.Properties.Policies ?? []) add(id, policy.PolicyDocument);
  }
  return sizes;
}

describe('the permissions of pools do not grow with the number of pools', () => {
  const few = inlinePolicySizes(poolsTemplate(3));
  const many = inlinePolicySizes(poolsTemplate(16));

  test("16 pools in one stack (the platform stack once reached the limit at about 16): every role's inline policies stay under IAM's 10,240 characters", () => {
    const over = Object.entries(many).filter(([, size]) => size >= ROLE_POLICY_LIMIT);
    expect(over).toEqual([]);
  });

  test("each role's inline policies are as large with 16 pools as with 3", () => {
    expect(many).toEqual(few);
  });
});
