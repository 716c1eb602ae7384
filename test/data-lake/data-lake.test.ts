import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLake, PlatformValidationError, type DataLakeProps } from '../../lib';
import { ALLOW_DATA_DELETION_CONTEXT } from '../../lib/data-lake/data-lake';
import { resourcesOf, testApp } from '../helpers';

function lake(props: DataLakeProps = {}, context: Record<string, unknown> = {}) {
  const app = testApp();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  const stack = new Stack(app, 'Data');
  const dataLake = new DataLake(stack, 'DataLake', { namePrefix: 'acme', ...props });
  let template: Template | undefined;
  return {
    stack,
    dataLake,
    get template() {
      return (template ??= Template.fromStack(stack));
    },
  };
}

describe('defaults', () => {
  const { template, dataLake } = lake();
  const zoneBuckets = () => resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) => id.includes('Zone'));

  test('one bucket per default zone, reachable by zone()', () => {
    expect(zoneBuckets()).toHaveLength(4);
    expect(dataLake.zoneNames).toEqual(['raw', 'curated', 'features', 'models']);
    expect(dataLake.zone('models').zoneName).toBe('models');
    expect(() => dataLake.zone('gold')).toThrow(
      "zone ('gold') is not a zone of this lake; its zones: raw, curated, features, models",
    );
    expect(() => dataLake.zone('gold')).toThrow(PlatformValidationError);
  });

  test('one customer-managed key with rotation, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('zone buckets: the lake key with a bucket key, versioned, no public access, retained', () => {
    const [keyId] = resourcesOf(template, 'AWS::KMS::Key')[0];
    for (const [, b] of zoneBuckets()) {
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      ]);
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  test('every bucket denies requests without TLS', () => {
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(resourcesOf(template, 'AWS::S3::Bucket').length);
    for (const [, p] of policies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  test('zone buckets log to the dedicated access-log bucket, which is SSE-S3', () => {
    const [logId, logBucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('AccessLogs'))!;
    expect(
      logBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('AES256');
    for (const [, b] of zoneBuckets()) {
      expect(b.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logId },
        LogFilePrefix: expect.any(String),
      });
    }
  });

  test('documented lifecycle defaults: archive after 90 days, noncurrent versions 30, abort uploads 7', () => {
    for (const [, b] of zoneBuckets()) {
      expect(b.Properties.LifecycleConfiguration.Rules).toEqual([
        expect.objectContaining({
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        }),
      ]);
    }
  });

  test('a Glue database per zone', () => {
    for (const zone of ['raw', 'curated', 'features', 'models']) {
      template.hasResourceProperties('AWS::Glue::Database', {
        DatabaseInput: Match.objectLike({ Name: `acme_${zone}` }),
      });
    }
  });

  test('an Athena workgroup whose results are KMS-encrypted in their own bucket', () => {
    const [resultsId] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('QueryResults'))!;
    const [keyId] = resourcesOf(template, 'AWS::KMS::Key')[0];
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'acme-data-lake',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsId }, '/athena/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      },
    });
  });

  test('documented default: query results expire after 30 days', () => {
    const [, results] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('QueryResults'))!;
    expect(results.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(30);
  });

  test('no Lake Formation resources unless asked', () => {
    template.resourceCountIs('AWS::LakeFormation::Resource', 0);
  });
});

test('lifecycle durations are props', () => {
  const { template } = lake({
    zones: ['raw'],
    archiveAfter: Duration.days(30),
    noncurrentVersionExpiration: Duration.days(5),
    abortIncompleteUploadsAfter: Duration.days(2),
  });
  template.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: {
      Rules: [
        Match.objectLike({
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 5 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
        }),
      ],
    },
  });
});

test('Lake Formation mode registers each zone and leaves table permissions to Lake Formation', () => {
  const { template } = lake({ lakeFormation: true });
  template.resourceCountIs('AWS::LakeFormation::Resource', 4);
  template.hasResourceProperties('AWS::Glue::Database', {
    DatabaseInput: Match.objectLike({ CreateTableDefaultPermissions: [] }),
  });
});

describe('deleting data needs two keys', () => {
  test('removalPolicy DESTROY alone is ignored, with a warning', () => {
    const { template, stack, dataLake } = lake({ removalPolicy: RemovalPolicy.DESTROY });
    expect(dataLake.removalPolicy).toBe(RemovalPolicy.RETAIN);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('removalPolicy destroy is ignored'));
  });

  test('the context flag alone deletes nothing', () => {
    const { template } = lake({}, { [ALLOW_DATA_DELETION_CONTEXT]: true });
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('both together delete buckets (emptied first) and key, and synth warns', () => {
    const { template, stack } = lake({ removalPolicy: RemovalPolicy.DESTROY }, { [ALLOW_DATA_DELETION_CONTEXT]: true });
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 6);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('will be DELETED'));
  });
});

describe('grants', () => {
  function granted(level: 'read' | 'write') {
    const { stack, dataLake } = lake();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
    if (level === 'read') dataLake.grantRead('models', role);
    else dataLake.grantReadWrite('models', role);
    const t = Template.fromStack(stack);
    const statements = resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const bucketId = resourcesOf(t, 'AWS::S3::Bucket').find(([id]) => id.includes('Zonemodels'))![0];
    return { t, statements, bucketId };
  }

  test('grantRead: list and get on the zone only, decrypt only through S3', () => {
    const { statements, bucketId } = granted('read');
    const actions = statements.flatMap((s: any) => ([] as string[]).concat(s.Action));
    expect(actions).not.toEqual(expect.arrayContaining(['s3:PutObject']));
    expect(actions).not.toContain('kms:GenerateDataKey');
    const s3 = statements.find((s: any) => ([] as string[]).concat(s.Action).includes('s3:GetObject'));
    expect(JSON.stringify(s3.Resource)).toContain(bucketId);
    const kms = statements.find((s: any) => s.Action === 'kms:Decrypt');
    expect(kms.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
      },
    });
  });

  test('grantReadWrite adds put/delete and data keys', () => {
    const actions = granted('write').statements.flatMap((s: any) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject', 'kms:GenerateDataKey']));
    expect(actions).not.toContain('s3:PutBucketPolicy');
  });

  test('grants never change a bucket or key policy', () => {
    const { t } = granted('write');
    expect(JSON.stringify(resourcesOf(t, 'AWS::S3::BucketPolicy'))).not.toContain('Reader');
    expect(JSON.stringify(resourcesOf(t, 'AWS::KMS::Key'))).not.toContain('Reader');
  });
});

test('the standalone check names every problem of the props, as the definition does', () => {
  const problems = DataLake.check({ zones: ['raw', 'Raw', 'raw'], archiveAfter: Duration.hours(1) });
  expect(problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
    'zones[1]: must be 1..20 characters: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
    'zones[2]: is listed twice',
    'archiveAfter: must be >= 1',
  ]);
});

describe('deleting and re-creating the data stack', () => {
  // The registry's primary identifier of each type is what `cdk import --resource-mapping` takes.
  const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec');
  const db = loadAwsServiceSpecSync();
  const primaryIdentifier = (type: string): string[] =>
    db.lookup('resource', 'cloudFormationType', 'equals', type).only().primaryIdentifier;

  test('the catalog is retained with the data, and every retained resource is in the import mapping under its primary identifier', () => {
    const stack = new Stack(testApp(), 'Data');
    const lake = new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
    const template = Template.fromStack(stack).toJSON();
    const retained = Object.entries<any>(template.Resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
    expect(retained.filter(([, r]) => r.Type === 'AWS::Glue::Database')).toHaveLength(4);
    const mapping = lake.importMapping();
    expect(Object.keys(mapping).sort()).toEqual(retained.map(([id]) => id).sort());
    for (const [id, r] of retained) expect([id, Object.keys(mapping[id])]).toEqual([id, primaryIdentifier(r.Type)]);
    // Names known at synth are filled in, so a retained name can never block the re-create that imports it.
    expect(
      Object.values(mapping)
        .filter((m) => m.DatabaseName || m.Name)
        .map((m) => m.DatabaseName ?? m.Name)
        .sort(),
    ).toEqual(['acme-data-lake', 'acme_curated', 'acme_features', 'acme_models', 'acme_raw']);
  });

  test('nothing retained blocks the re-create: each retained resource with a fixed name is imported by that name', () => {
    const stack = new Stack(testApp(), 'Data');
    const lake = new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
    const mapping = lake.importMapping();
    for (const [id, r] of Object.entries<any>(Template.fromStack(stack).toJSON().Resources)) {
      const name =
        r.Properties?.Name ?? r.Properties?.DatabaseInput?.Name ?? r.Properties?.BucketName ?? r.Properties?.AliasName;
      if (typeof name !== 'string') continue;
      // A fixed name either goes with its resource (not retained: deleted with the stack) or is imported.
      if (r.DeletionPolicy === 'Retain') expect([id, Object.values(mapping[id] ?? {})]).toEqual([id, [name]]);
      else expect([id, r.DeletionPolicy ?? 'Delete']).toEqual([id, 'Delete']);
    }
  });
});

// The compose path: a grantee in another stack reads the lake through the lake stack's outputs (always there)
// with Fn::GetStackOutput, so adding or removing it never changes, or locks, the lake's stack.
test("a grant from another stack leaves the lake's stack untouched and imports nothing", () => {
  const build = (withGrantee: boolean) => {
    const app = testApp();
    const data = new Stack(app, 'Data');
    const dataLake = new DataLake(data, 'DataLake', { namePrefix: 'acme' });
    let jobs: Stack | undefined;
    if (withGrantee) {
      jobs = new Stack(app, 'Jobs');
      dataLake.grantReadWrite(
        'curated',
        new iam.Role(jobs, 'Job', { assumedBy: new iam.ServicePrincipal('emr-serverless.amazonaws.com') }),
      );
    }
    return {
      data: Template.fromStack(data).toJSON(),
      jobs: jobs && Template.fromStack(jobs).toJSON(),
      deps: jobs?.dependencies.map((s) => s.stackName),
    };
  };
  const alone = build(false);
  const shared = build(true);
  expect(shared.data).toEqual(alone.data);
  const jobs = JSON.stringify(shared.jobs);
  expect(jobs).not.toContain('Fn::ImportValue');
  expect(jobs).toContain('"Fn::GetStackOutput":{"StackName":"Data","OutputName":"DataLakeZonecuratedArnExport');
  expect(shared.deps).toEqual(['Data']);
});

// More of this domain's cases, run in this file's worker so the domain's modules load once (test time).
import './derived-descriptions.cases';
import './zone-bucket-events.cases';

// More of this domain's cases, run in this file's worker so the domain's modules load and warm once (test time).
import './data-stack.cases';
