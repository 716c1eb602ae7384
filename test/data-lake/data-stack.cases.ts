import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AiPlatform } from '../../lib';
import { leanReferenceWith, referenceWith, resourcesOf, synthPlatform, testApp } from '../helpers';
import { full } from '../support/full-tests';

const dataTemplate = (definition: ReturnType<typeof referenceWith>) => {
  const app = testApp();
  const platform = new AiPlatform(app, 'AiPlatform', { definition });
  return { platform, template: Template.fromStack(platform.dataStack) };
};
// The reference data stack, of the reference platform the suites of this worker share (synthPlatform).
const reference = (() => {
  const { platform } = synthPlatform();
  return { platform, template: Template.fromStack(platform.dataStack) };
})();

describe('the reference data stack', () => {
  const { platform, template } = reference;

  test('is its own termination-protected stack', () => {
    expect(platform.dataStack.stackName).toBe('acme-ml-data');
    expect(platform.dataStack.terminationProtection).toBe(true);
  });

  // Construct IDs are the contract that keeps stateful resources in place: a changed logical ID replaces a
  // bucket or key. If this test fails, a refactor is about to delete data.
  test('buckets and key keep their logical IDs', () => {
    expect(
      resourcesOf(template, 'AWS::S3::Bucket')
        .map(([id]) => id)
        .sort(),
    ).toEqual([
      'DataLakeAccessLogs1DA51325',
      'DataLakeQueryResults3C924743',
      'DataLakeZonecurated5780EA69',
      'DataLakeZonefeatures4CF4E2AF',
      'DataLakeZonemodels311A9AC1',
      'DataLakeZoneraw2CA93480',
    ]);
    expect(resourcesOf(template, 'AWS::KMS::Key').map(([id]) => id)).toEqual(['DataLakeKey6ACD72F9']);
  });

  test('exports the key and every zone (ARN and name) for the platform and monitoring stacks', () => {
    const exports = Object.values(template.findOutputs('*'))
      .map((o: any) => o.Export.Name)
      .sort();
    expect(exports).toEqual([
      'acme-ml-data-lake-curated-bucket-arn',
      'acme-ml-data-lake-curated-bucket-name',
      'acme-ml-data-lake-features-bucket-arn',
      'acme-ml-data-lake-features-bucket-name',
      'acme-ml-data-lake-key-arn',
      'acme-ml-data-lake-models-bucket-arn',
      'acme-ml-data-lake-models-bucket-name',
      'acme-ml-data-lake-raw-bucket-arn',
      'acme-ml-data-lake-raw-bucket-name',
    ]);
  });

  test('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    const app = platform.node.root as any;
    app.synth();
    const report = new AwsSolutionsChecks().validateScope(platform.dataStack);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath}`)),
    ).toEqual([]);
  });
});

test('changing anything outside dataLake (pools, cluster, workloads, teams, monitoring, pipelines) leaves the data stack byte-identical', () => {
  const before = JSON.stringify(reference.template.toJSON());
  const after = JSON.stringify(
    dataTemplate(
      referenceWith((d) => {
        d.nodePools.push({ name: 'extra', instanceTypes: ['g5.xlarge'], maxNodes: 2 });
        d.nodePools[0].maxNodes = 7;
        d.cluster.kubernetesVersion = '1.34';
        d.inference[0].dataAccess = [
          { zone: 'raw', access: 'read-write' },
          { zone: 'features', access: 'read' },
        ];
        d.inference[0].maxReplicas = 2;
        d.training = [];
        d.teams = [];
        d.monitoring = { alarmEmails: ['other@example.com'] };
        // Pipelines: one removed, one changed (zones, trigger, capacity, table), one added.
        d.pipelines.shift();
        d.pipelines[0] = {
          ...d.pipelines[0],
          from: ['raw', 'features'],
          to: 'models',
          trigger: { schedule: 'rate(6 hours)' },
          maxCapacity: { vcpu: 32, memoryGiB: 128 },
          table: { name: 'scored' },
        };
        d.pipelines.push({
          name: 'features-daily',
          script: 's3://jobs/features.py',
          from: ['curated'],
          to: 'features',
          trigger: { onArrival: { zone: 'curated' } },
        });
      }),
    ).template.toJSON(),
  );
  expect(after).toBe(before);
});

test('changing dataLake does change the data stack (the comparison above can fail)', () => {
  const before = JSON.stringify(reference.template.toJSON());
  const after = JSON.stringify(
    dataTemplate(
      // Without the jobs and pipelines: the test above shows they leave the data stack as it is.
      leanReferenceWith((d) => {
        d.dataLake.archiveAfterDays = 60;
      }),
    ).template.toJSON(),
  );
  expect(after).not.toBe(before);
});

describe('workload identities', () => {
  const { platform, template } = synthPlatform();
  const policyOf = (workload: string) => {
    const role = platform.workloadAccess[workload].role;
    const roleId = platform.platformStack.getLogicalId(role.node.defaultChild as any);
    return resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  };

  test('each workload with dataAccess gets a Pod Identity association for its service account', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'llm', ServiceAccount: 'llm' });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'pretrain',
      ServiceAccount: 'pretrain',
    });
  });

  test('{ zone: models, access: read } can read that one bucket, not write it, not read another zone', () => {
    const statements = policyOf('llm');
    const text = JSON.stringify(statements);
    // The bucket's ARN, read from the data stack's output (Fn::GetStackOutput), and no other zone's.
    expect(text).toContain('"StackName":"acme-ml-data","OutputName":"DataLakeZonemodelsArnExport');
    for (const zone of ['raw', 'curated', 'features']) expect(text).not.toContain(`DataLakeZone${zone}ArnExport`);
    const actions = statements.flatMap((s: any) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']));
    for (const write of ['s3:PutObject', 's3:DeleteObject', 'kms:GenerateDataKey', 'kms:Encrypt'])
      expect(actions).not.toContain(write);
    for (const s of statements) expect(s.Effect).toBe('Allow');
    expect(text).not.toContain('"*"');
  });

  test('read-write zones get write actions only on those zones', () => {
    const statements = policyOf('pretrain');
    const writes = statements.filter((s: any) => ([] as string[]).concat(s.Action).includes('s3:PutObject'));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0].Resource)).toContain('DataLakeZonemodelsArnExport');
    expect(JSON.stringify(writes[0].Resource)).not.toContain('DataLakeZonecuratedArnExport');
  });

  full.test('workloads without dataAccess get no role', () => {
    // The reference's service reads its model from a zone (a role for that prefix): without the model, it reads nothing.
    const { platform: p } = synthPlatform(
      referenceWith((d) => {
        delete d.inference[0].dataAccess;
        delete d.inference[0].model;
      }),
    );
    expect(Object.keys(p.workloadAccess)).toEqual(['pretrain', 'finetune', 'awq', 'embed-reviews']);
  });
});
