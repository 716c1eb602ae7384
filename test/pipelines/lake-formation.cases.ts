import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataLake, DataPipeline, PipelineScript, TableFormat } from '../../lib';
import { resourcesOf, testApp } from '../helpers';
import { actionsOf, SCRIPT, statementsOf } from './fixture';

/** A Lake Formation lake and a pipeline with a table on it, in one stack (the compose path). */
function build() {
  const app = testApp();
  const stack = new Stack(app, 'Lf');
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-a', 'subnet-b'],
  });
  const dataLake = new DataLake(stack, 'DataLake', { namePrefix: 'acme', lakeFormation: true });
  new DataPipeline(stack, 'Pipeline', {
    pipelineName: 'reviews-clean',
    dataLake,
    vpc,
    sources: ['raw'],
    target: 'curated',
    script: PipelineScript.fromAsset(SCRIPT),
    table: { tableName: 'reviews', format: TableFormat.PARQUET },
  });
  const template = Template.fromStack(stack);
  return { app, stack, dataLake, template, id: (c: any) => stack.getLogicalId(c.node.defaultChild ?? c) };
}

/** Every logical ID a resource waits for, directly or not (DependsOn, Ref, Fn::GetAtt). */
function waitsFor(template: Template, from: string): Set<string> {
  const resources = template.toJSON().Resources;
  const seen = new Set<string>();
  const visit = (id: string) => {
    const r = resources[id] ?? {};
    const direct = new Set<string>([].concat(r.DependsOn ?? []));
    JSON.stringify(r.Properties ?? {}, (k, v) => {
      if (k === 'Ref' && typeof v === 'string') direct.add(v);
      if (k === 'Fn::GetAtt' && Array.isArray(v)) direct.add(v[0]);
      return v;
    });
    for (const d of direct)
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
  };
  visit(from);
  return seen;
}

describe('Lake Formation mode deploys: the registering role, the order, the administrator', () => {
  const { app, stack, dataLake, template, id } = build();
  const registrations = resourcesOf(template, 'AWS::LakeFormation::Resource');

  test('each zone is registered with a role of its own (not the service-linked role, which has no right on the lake key)', () => {
    expect(registrations).toHaveLength(dataLake.zoneNames.length);
    for (const [, r] of registrations) {
      expect(r.Properties.UseServiceLinkedRole).toBe(false);
      expect(r.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    }
    expect(new Set(registrations.map(([, r]) => r.Properties.RoleArn['Fn::GetAtt'][0])).size).toBe(1);
  });

  test('the role is trusted by Lake Formation (and Glue), reads and writes the zones, and may encrypt and decrypt with the lake key', () => {
    const roleId = registrations[0][1].Properties.RoleArn['Fn::GetAtt'][0];
    const trusted = template
      .toJSON()
      .Resources[roleId].Properties.AssumeRolePolicyDocument.Statement.flatMap((s: any) =>
        [].concat(s.Principal.Service),
      );
    expect(trusted.sort()).toEqual(['glue.amazonaws.com', 'lakeformation.amazonaws.com']);
    const st = statementsOf(template, roleId);
    const keyArn = { 'Fn::GetAtt': [id(dataLake.key), 'Arn'] };
    const onKey = st.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn)).flatMap(actionsOf);
    expect(onKey).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']));
    for (const zone of dataLake.zoneNames) {
      const bucket = id(dataLake.zone(zone));
      const onObjects = st.filter((s) => JSON.stringify(s.Resource).includes(bucket)).flatMap(actionsOf);
      expect(onObjects).toEqual(
        expect.arrayContaining(['s3:GetObject*', 's3:PutObject', 's3:DeleteObject*', 's3:List*']),
      );
    }
  });

  test("each registration waits for the role's policy; each database for its zone's registration; the pipeline's grants for both", () => {
    const roleId = registrations[0][1].Properties.RoleArn['Fn::GetAtt'][0];
    const [policyId] = resourcesOf(template, 'AWS::IAM::Policy').find(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    )!;
    for (const zone of dataLake.zoneNames) {
      const [regId] = registrations.find(([, r]) =>
        JSON.stringify(r.Properties.ResourceArn).includes(id(dataLake.zone(zone))),
      )!;
      expect(waitsFor(template, regId)).toContain(policyId);
      expect(waitsFor(template, id(dataLake.databases[zone]))).toContain(regId);
    }
    const curatedReg = registrations.find(([, r]) =>
      JSON.stringify(r.Properties.ResourceArn).includes(id(dataLake.zone('curated'))),
    )![0];
    for (const [grantId] of resourcesOf(template, 'AWS::LakeFormation::PrincipalPermissions')) {
      expect([...waitsFor(template, grantId)]).toEqual(
        expect.arrayContaining([id(dataLake.databases.curated), curatedReg]),
      );
    }
  });

  test('a warning, with a stable ID to acknowledge, says the deploying role must be a data lake administrator and where to set it', () => {
    Annotations.fromStack(stack).hasWarning(
      `/${dataLake.node.path}`,
      Match.stringLikeRegexp(
        'must be a Lake Formation data lake administrator.*Data lake administrators.*put-data-lake-settings.*ai-platform:lake-formation-admin-required',
      ),
    );
  });

  test('an IAM-governed lake has neither registrations, nor the role, nor the warning', () => {
    const app2 = testApp();
    const s = new Stack(app2, 'Iam');
    new DataLake(s, 'DataLake', { namePrefix: 'acme' });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::LakeFormation::Resource', 0);
    expect(JSON.stringify(t.toJSON())).not.toContain('lakeformation.amazonaws.com');
    expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('lake-formation-admin-required'))).toEqual(
      [],
    );
  });

  test('has no unacknowledged cdk-nag findings (the object wildcards of the role are acknowledged with a reason)', () => {
    app.synth();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath}`)),
    ).toEqual([]);
  });
});
