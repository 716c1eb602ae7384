import { AwsSolutionsChecks } from 'cdk-nag';
import { Template } from 'aws-cdk-lib/assertions';
import { DeliveryApproval, PlatformPipeline, type AiPlatformDefinition } from '../../lib';
import { testApp } from '../helpers';

// One small platform delivered to three stages, one per approval value; synthesized once for the file.
const definition: AiPlatformDefinition = {
  name: 'ship',
  network: { availabilityZones: ['us-east-1a', 'us-east-1b'] },
  cluster: { endpointAccess: 'private' as never },
  nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], maxNodes: 2 }],
  delivery: {
    source: {
      connectionArn: 'arn:aws:codeconnections:us-east-1:333333333333:connection/abc-123',
      repository: 'acme/ml',
      definitionFile: 'platform.yaml',
    },
    account: '333333333333',
    region: 'us-east-1',
    stages: [
      { name: 'dev', account: '111111111111', region: 'us-east-1', approval: DeliveryApproval.NONE },
      { name: 'qa', account: '222222222222', region: 'us-east-1', approval: DeliveryApproval.MANUAL },
      { name: 'prod', account: '444444444444', region: 'us-east-1', approval: DeliveryApproval.ON_REPLACEMENT },
    ],
  },
};
const app = testApp();
const pipeline = new PlatformPipeline(app, 'Delivery', { definition });
const template = Template.fromStack(pipeline.pipelineStack).toJSON();
const ACCOUNTS = ['111111111111', '222222222222', '444444444444'];

const resourcesOf = (t: any, type: string) =>
  Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type) as [string, any][];
const stagesOf = (t: any): any[] => resourcesOf(t, 'AWS::CodePipeline::Pipeline')[0][1].Properties.Stages;
const copy = (t: any) => JSON.parse(JSON.stringify(t));

/** Stage order: review, approval (when asked for), deploy, one environment after the other. */
function orderProblems(t: any): string[] {
  const names = stagesOf(t).map((s) => s.Name);
  const expected = [
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'Review-dev',
    'dev',
    'Review-qa',
    'Approve-qa',
    'qa',
    'Review-prod',
    'Approve-prod',
    'prod',
  ];
  return JSON.stringify(names) === JSON.stringify(expected) ? [] : [`stages ${names.join(', ')}`];
}

/** In a deploy stage: data, then monitoring, then platform, then the shards (the CLI's dependency order), verify last. */
function deployOrderProblems(t: any, stage: string): string[] {
  const actions: any[] = stagesOf(t).find((s) => s.Name === stage).Actions;
  const order = (name: string) => actions.find((a) => a.Name === name)?.RunOrder ?? NaN;
  const problems: string[] = [];
  const chain = ['ship-data.Deploy', 'ship-monitoring.Prepare', 'ship-monitoring.Deploy', 'ship-platform.Prepare'];
  chain.forEach((a, i) => {
    if (i > 0 && !(order(chain[i - 1]) < order(a))) problems.push(`${a} does not run after ${chain[i - 1]}`);
  });
  for (const shard of ['pools-1', 'workloads-4'])
    if (!(order('ship-platform.Deploy') < order(`ship-${shard}.Prepare`))) problems.push(`${shard} before platform`);
  const last = Math.max(...actions.map((a) => a.RunOrder));
  if (order('Verify') !== last || actions.filter((a) => a.RunOrder === last).length !== 1)
    problems.push('Verify is not alone and last');
  return problems;
}

/** Approvals: none for `none`, an unconditional one for `manual`, one skipped unless the report needs it for `on-replacement`. */
function approvalProblems(t: any): string[] {
  const stages = stagesOf(t);
  const problems: string[] = [];
  if (stages.some((s) => s.Name === 'Approve-dev')) problems.push('dev (none) has an approval');
  const qa = stages.find((s) => s.Name === 'Approve-qa');
  if (!qa || qa.BeforeEntry) problems.push('qa (manual) has no unconditional approval');
  if (qa && qa.Actions.some((a: any) => a.ActionTypeId.Category !== 'Approval'))
    problems.push('qa approval stage runs more');
  const prod = stages.find((s) => s.Name === 'Approve-prod');
  const changes = stages.find((s) => s.Name === 'Review-prod')?.Actions[0];
  const condition = prod?.BeforeEntry?.Conditions?.[0];
  const rule = condition?.Rules?.[0];
  if (
    !changes?.Namespace ||
    condition?.Result !== 'SKIP' ||
    rule?.RuleTypeId?.Provider !== 'VariableCheck' ||
    rule?.Configuration?.Variable !== `#{${changes.Namespace}.APPROVAL_NEEDED}` ||
    rule?.Configuration?.Operator !== 'EQ' ||
    rule?.Configuration?.Value !== 'true'
  )
    problems.push(
      `prod (on-replacement): the approval stage is not skipped unless APPROVAL_NEEDED=true: ${JSON.stringify(prod?.BeforeEntry)}`,
    );
  // The change step must export the variable the rule reads (CodeBuild env.exported-variables).
  const project = resourcesOf(t, 'AWS::CodeBuild::Project').find(([id]) =>
    id.startsWith('PipelineReviewprodChanges'),
  )?.[1];
  if (!JSON.stringify(project?.Properties.Source.BuildSpec).includes('APPROVAL_NEEDED'))
    problems.push("prod's change step does not export APPROVAL_NEEDED");
  return problems;
}

/** Every role assumed is the stack's own, or a stage account's CDK bootstrap role (`cdk-hnb659fds-*`). */
function assumedRoleProblems(t: any): string[] {
  const problems: string[] = [];
  for (const [id, policy] of resourcesOf(t, 'AWS::IAM::Policy'))
    for (const st of policy.Properties.PolicyDocument.Statement) {
      if (![st.Action].flat().some((a: string) => a.startsWith('sts:'))) continue;
      for (const r of [st.Resource].flat()) {
        if (r?.['Fn::GetAtt'] && t.Resources[r['Fn::GetAtt'][0]]?.Type === 'AWS::IAM::Role') continue;
        const arn =
          typeof r === 'string'
            ? r
            : (r?.['Fn::Sub'] ??
              r?.['Fn::Join']?.[1].map((x: any) => (typeof x === 'string' ? x : '${AWS::Partition}')).join(''));
        const m = /^arn:\$\{AWS::Partition\}:iam::(\d{12}):role\/cdk-hnb659fds-[a-z-]+-role-(\d{12})-[a-z0-9-]+$/.exec(
          arn,
        );
        if (m && ACCOUNTS.includes(m[1]) && m[1] === m[2]) continue;
        // CDK Pipelines' self-mutation: any role of the pipeline's own account that carries the bootstrap tag
        // (pipelines codepipeline.js: iam:ResourceTag/aws-cdk:bootstrap-role in deploy, file- and image-publishing).
        const tags = st.Condition?.['ForAnyValue:StringEquals']?.['iam:ResourceTag/aws-cdk:bootstrap-role'];
        if (
          arn === 'arn:*:iam::333333333333:role/*' &&
          id.startsWith('PipelineUpdatePipelineSelfMutation') &&
          tags?.length > 0
        )
          continue;
        problems.push(`${id} may assume ${JSON.stringify(r)}`);
      }
    }
  return problems;
}

/** CDK Pipelines' own statements on `*` (read-only describes, CodeBuild builds); nothing else has a bare `*`. */
const KNOWN_STAR: Record<string, string[]> = {
  PipelineUpdatePipelineSelfMutation: ['cloudformation:DescribeStacks', 's3:ListBucket'],
  PipelineAssetsFileRole: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'],
};
function wildcardProblems(t: any): string[] {
  const problems: string[] = [];
  for (const [id, policy] of resourcesOf(t, 'AWS::IAM::Policy'))
    for (const st of policy.Properties.PolicyDocument.Statement) {
      const actions: string[] = [st.Action].flat();
      if (actions.includes('*')) problems.push(`${id} allows every action`);
      if (![st.Resource].flat().includes('*')) continue;
      const known = Object.entries(KNOWN_STAR).find(([prefix]) => id.startsWith(prefix))?.[1] ?? [];
      for (const a of actions.filter((x) => !known.includes(x))) problems.push(`${id} ${a} on *`);
    }
  return problems;
}

/** The pipeline's artifacts and the stages' baselines are KMS-encrypted and logged to an SSE-S3 log bucket. */
function encryptionProblems(t: any): string[] {
  const problems: string[] = [];
  // A pipeline with stages in other Regions has one artifact store per Region (ArtifactStores).
  const p = resourcesOf(t, 'AWS::CodePipeline::Pipeline')[0][1].Properties;
  const stores = p.ArtifactStore ? [p.ArtifactStore] : p.ArtifactStores.map((s: any) => s.ArtifactStore);
  for (const store of stores)
    if (store?.EncryptionKey?.Type !== 'KMS')
      problems.push(`the artifact store ${JSON.stringify(store?.Location)} has no KMS key`);
  // Server access logs are delivered only to an SSE-S3 bucket (S3 user guide, "Enabling Amazon S3 server access
  // logging": default encryption of the destination bucket); that bucket holds logs only.
  const buckets = resourcesOf(t, 'AWS::S3::Bucket');
  const logDestinations = new Set(
    buckets.map(([, b]) => b.Properties.LoggingConfiguration?.DestinationBucketName?.Ref).filter(Boolean),
  );
  for (const [id, b] of buckets) {
    const algorithm =
      b.Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
        ?.SSEAlgorithm;
    if (logDestinations.has(id) ? algorithm !== 'AES256' : algorithm !== 'aws:kms')
      problems.push(`${id} is not ${logDestinations.has(id) ? 'SSE-S3 (a log bucket)' : 'KMS'}-encrypted`);
    else if (!logDestinations.has(id) && !b.Properties.LoggingConfiguration)
      problems.push(`${id} has no server access logs`);
  }
  return problems;
}

test.each([
  ['stage order', orderProblems, (t: any) => stagesOf(t).reverse()],
  [
    'deploy order in a stage',
    (t: any) => deployOrderProblems(t, 'prod'),
    (t: any) =>
      stagesOf(t)
        .find((s) => s.Name === 'prod')
        .Actions.forEach((a: any) => (a.RunOrder = 1)),
  ],
  [
    'approval placement',
    approvalProblems,
    (t: any) => delete stagesOf(t).find((s) => s.Name === 'Approve-prod').BeforeEntry,
  ],
  [
    'roles assumed',
    assumedRoleProblems,
    (t: any) =>
      resourcesOf(t, 'AWS::IAM::Policy')[0][1].Properties.PolicyDocument.Statement.push({
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::111111111111:role/Admin',
      }),
  ],
  [
    'no wildcard beyond those',
    wildcardProblems,
    (t: any) =>
      resourcesOf(t, 'AWS::IAM::Policy')[0][1].Properties.PolicyDocument.Statement.push({
        Action: 's3:GetObject',
        Resource: '*',
      }),
  ],
  [
    'artifacts encrypted',
    encryptionProblems,
    (t: any) => delete resourcesOf(t, 'AWS::S3::Bucket')[0][1].Properties.BucketEncryption,
  ],
] as const)('%s holds, and fails on a broken template', (_name, problems, breakIt) => {
  expect(problems(template)).toEqual([]);
  const broken = copy(template);
  breakIt(broken);
  expect(problems(broken).length).toBeGreaterThan(0);
});

test('each stage deploys the platform to its own account and Region', () => {
  expect(Object.keys(pipeline.platforms)).toEqual(['dev', 'qa', 'prod']);
  expect(pipeline.platforms.prod.platformStack.account).toBe('444444444444');
  expect(pipeline.platforms.prod.platformStack.region).toBe('us-east-1');
  expect(pipeline.platforms.prod.platformStack.stackName).toBe('ship-platform');
});

test("the verify step reads the stage with its account's read-only bootstrap lookup role", () => {
  const project = resourcesOf(template, 'AWS::CodeBuild::Project').find(([id]) =>
    id.startsWith('PipelineprodVerify'),
  )![1];
  const spec = JSON.stringify(project.Properties.Source.BuildSpec);
  expect(spec).toContain('cdk-hnb659fds-lookup-role-444444444444-us-east-1');
  expect(spec).toContain('aws eks describe-cluster --name ship');
  expect(spec).toContain('describe-alarms');
});

// cdk-nag on the pipeline built above (synthesized once for the file): every finding fixed or acknowledged with
// its reason (lib/delivery/private/pipeline-findings.ts).
test('the delivery pipeline stack has no unacknowledged AwsSolutions finding', () => {
  const found = new AwsSolutionsChecks()
    .validateScope(pipeline.pipelineStack)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath ?? r.resourceLogicalId}`),
    );
  expect(found).toEqual([]);
});
