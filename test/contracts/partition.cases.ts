import * as path from 'node:path';
import { DefaultStackSynthesizer, Stack, type FileAssetLocation, type FileAssetSource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DataLake, DataPipeline, PipelineScript, PipelineTrigger } from '../../lib';
import { testApp } from '../helpers';

// The same constructs in the China partition. What CloudFormation would put in place of the pseudo parameters
// there (AWS::URLSuffix is amazonaws.com.cn, AWS::Partition aws-cn: CloudFormation user guide, "Pseudo parameters
// reference"; the values CDK's region-info records for cn-north-1) is substituted, then the service-facing names
// are read as IAM would see them.
const REGION = 'cn-north-1';
const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::URLSuffix': RegionInfo.get(REGION).domainSuffix!,
  'AWS::Partition': RegionInfo.get(REGION).partition!,
  'AWS::AccountId': '123456789012',
};

/** A template value with pseudo parameters and Fn::Join evaluated; other intrinsics are left as they are. */
function evaluate(v: any): any {
  if (Array.isArray(v)) return v.map(evaluate);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Ref' && PSEUDO[v.Ref] !== undefined) return PSEUDO[v.Ref];
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = v['Fn::Join'];
      const evaluated = evaluate(parts);
      if (evaluated.every((p: unknown) => typeof p === 'string')) return evaluated.join(sep);
      return { 'Fn::Join': [sep, evaluated] };
    }
    return Object.fromEntries(keys.map((k) => [k, evaluate(v[k])]));
  }
  return v;
}

function strings(v: any): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

function chinaStack() {
  const keyArn = `arn:aws-cn:kms:${REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  // A synthesizer whose asset bucket has a customer managed key, so the script's kms:ViaService grant is made too.
  class KeyedSynthesizer extends DefaultStackSynthesizer {
    public addFileAsset(asset: FileAssetSource): FileAssetLocation {
      return { ...super.addFileAsset(asset), kmsKeyArn: keyArn };
    }
  }
  const stack = new Stack(testApp(), 'China', {
    env: { account: '123456789012', region: REGION },
    synthesizer: new KeyedSynthesizer(),
  });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: [`${REGION}a`, `${REGION}b`],
    privateSubnetIds: ['subnet-0private0a', 'subnet-0private0b'],
  });
  const dataLake = new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
  new DataPipeline(stack, 'Pipeline', {
    pipelineName: 'reviews-clean',
    dataLake,
    vpc,
    sources: ['raw'],
    target: 'curated',
    script: PipelineScript.fromAsset(path.join(__dirname, '../../examples/jobs/reviews_clean.py')),
    trigger: PipelineTrigger.schedule('cron(0 2 * * ? *)'),
  });
  dataLake.grantRead(
    'models',
    new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
  );
  return evaluate(Template.fromStack(stack).toJSON());
}

const template = chinaStack();
const statements: any[] = Object.values<any>(template.Resources)
  .flatMap((r) => [r.Properties?.PolicyDocument, r.Properties?.KeyPolicy, r.Properties?.AssumeRolePolicyDocument])
  .filter(Boolean)
  .flatMap((d) => d.Statement);

test("kms:ViaService names S3's China endpoint, s3.cn-north-1.amazonaws.com.cn (KMS developer guide, kms:ViaService: the service endpoint)", () => {
  const via = [...new Set(statements.flatMap((s) => strings(s.Condition?.StringEquals?.['kms:ViaService'] ?? [])))];
  expect(via).toEqual([`s3.${REGION}.amazonaws.com.cn`]);
  // The lake grant, the pipeline's job role and the keyed script asset all carry it.
  expect(statements.filter((s) => s.Condition?.StringEquals?.['kms:ViaService']).length).toBeGreaterThanOrEqual(3);
});

test('the log key trusts the regional CloudWatch Logs principal of the partition, logs.cn-north-1.amazonaws.com.cn', () => {
  const regional = statements.flatMap((s) => strings(s.Principal?.Service ?? [])).filter((p) => p.startsWith('logs.'));
  expect([...new Set(regional)]).toEqual([`logs.${REGION}.amazonaws.com.cn`]);
});

test('no ARN names the aws partition and no regional endpoint name lacks the China suffix', () => {
  const all = strings(template);
  expect(all.filter((s) => /(^|[^-\w])arn:aws:/.test(s))).toEqual([]);
  expect(all.filter((s) => new RegExp(`\\.${REGION}\\.amazonaws\\.com(?!\\.cn)`).test(s))).toEqual([]);
});

test('global service principals stay <service>.amazonaws.com: CDK renders them so in every partition (aws-iam principals.js, ServicePrincipalToken)', () => {
  const global = statements.flatMap((s) => strings(s.Principal?.Service ?? [])).filter((p) => !p.startsWith('logs.'));
  expect(global.length).toBeGreaterThan(0);
  for (const p of global) expect(p).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)?\.amazonaws\.com$/);
});
