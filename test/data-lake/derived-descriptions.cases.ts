import { Template } from 'aws-cdk-lib/assertions';
import { DataAccessLevel, DataLake, WorkloadDataAccess } from '../../lib';
import { IAM } from '../../lib/catalog/service-limits';
import { clusterStack, resourcesOf } from '../helpers';

// IAM CreateRole: Description is at most 1,000 characters (IAM API reference, CreateRole; aws-iam's Role
// throws past it). A description the platform writes from user names must fit, whatever those names are.
test('a workload reading 40 long-named zones gets a role description IAM accepts, naming its service account', () => {
  const { stack, gpuCluster } = clusterStack();
  const zones = Array.from({ length: 40 }, (_, i) => `zone-${String(i).padStart(2, '0')}-${'x'.repeat(11)}`);
  const lake = new DataLake(stack, 'Lake', { namePrefix: 'acme', zones });
  new WorkloadDataAccess(stack, 'Access', {
    cluster: gpuCluster.cluster,
    dataLake: lake,
    namespace: 'n'.repeat(63),
    serviceAccount: 's'.repeat(63),
    access: zones.map((zone) => ({ zone, access: DataAccessLevel.READ_WRITE })),
  });
  const descriptions = resourcesOf(Template.fromStack(stack), 'AWS::IAM::Role').map(
    ([, r]) => r.Properties.Description as string | undefined,
  );
  const mine = descriptions.find((d) => d?.startsWith(`Data access of ${'n'.repeat(63)}/${'s'.repeat(63)}: zone-00`));
  expect(mine).toBeDefined();
  expect(mine!.length).toBeLessThanOrEqual(IAM.maxRoleDescriptionLength);
  expect(mine).toMatch(/\.\.\.$/);
});
