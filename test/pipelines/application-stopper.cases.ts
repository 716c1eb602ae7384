import { Duration, Size, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DataLake, DataPipeline, PipelineScript } from '../../lib';
import { resourcesOf, testApp } from '../helpers';
import { actionsOf, buildNew, SCRIPT, statementsOf } from './fixture';
import { full } from '../support/full-tests';

const STOPPER = 'Custom::EmrServerlessApplicationStopper';

/** Logical IDs a resource waits for: DependsOn, Ref and Fn::GetAtt (CloudFormation orders by all three). */
function directDeps(resource: any): Set<string> {
  const deps = new Set<string>([].concat(resource.DependsOn ?? []));
  const walk = (v: any): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (typeof v.Ref === 'string') deps.add(v.Ref);
      if (Array.isArray(v['Fn::GetAtt'])) deps.add(v['Fn::GetAtt'][0]);
      Object.values(v).forEach(walk);
    }
  };
  walk(resource.Properties);
  return deps;
}

function dependsOn(template: Template, from: string, on: string): boolean {
  const resources = template.toJSON().Resources;
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    for (const d of directDeps(resources[id] ?? {})) {
      if (d === on) return true;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return false;
}

function stoppers(template: Template): { update: [string, any]; remove: [string, any] } {
  const all = resourcesOf(template, STOPPER);
  return {
    update: all.find(([, r]) => r.Properties.Mode === 'before-update')!,
    remove: all.find(([, r]) => r.Properties.Mode === 'before-delete')!,
  };
}

describe('the application is stopped before CloudFormation updates or deletes it', () => {
  const { template, pipeline, id } = buildNew();
  const appId = id(pipeline.application);
  const { update, remove } = stoppers(template);

  test('the application waits for the before-update stopper (DependsOn), which does not wait for the application (no cycle)', () => {
    expect(template.toJSON().Resources[appId].DependsOn).toContain(update[0]);
    expect(dependsOn(template, update[0], appId)).toBe(false);
  });

  test('the before-delete stopper depends on the application (DependsOn), so CloudFormation deletes it, and stops the application, first', () => {
    expect(remove[1].DependsOn).toContain(appId);
    expect(remove[1].Properties.ApplicationId).toEqual({ 'Fn::GetAtt': [appId, 'ApplicationId'] });
    expect(dependsOn(template, appId, remove[0])).toBe(false);
  });

  test('the before-update stopper finds the application by its name, known at synth', () => {
    expect(update[1].Properties.ApplicationName).toBe('reviews-clean');
    expect(template.toJSON().Resources[appId].Properties.Name).toBe('reviews-clean');
  });

  test('the stopper role: ListApplications on * (it takes no resource), get and stop on this application only, nothing else', () => {
    const [roleId] = resourcesOf(template, 'AWS::IAM::Role').find(([, r]) =>
      JSON.stringify(r.Properties.Description ?? '').includes('Stops EMR Serverless'),
    )!;
    const emr = statementsOf(template, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('emr-serverless:')));
    expect(emr).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'emr-serverless:ListApplications', Resource: '*' }),
        expect.objectContaining({
          Action: ['emr-serverless:GetApplication', 'emr-serverless:StopApplication'],
          Resource: { 'Fn::GetAtt': [appId, 'Arn'] },
        }),
      ]),
    );
    expect(emr).toHaveLength(2);
    expect(emr.flatMap(actionsOf)).not.toContain('emr-serverless:CancelJobRun');
  });
});

full.describe('the before-update stopper changes exactly when the application does', () => {
  const appOf = (t: Template) => resourcesOf(t, 'AWS::EMRServerless::Application')[0][1].Properties;
  const base = buildNew();
  test.each<[string, Parameters<typeof buildNew>[0], Parameters<typeof buildNew>[1], boolean]>([
    ['a tag', {}, { edit: (s) => Tags.of(s).add('team', 'data') }, true],
    ['the release', { releaseLabel: 'emr-7.11.0' }, {}, true],
    ['the capacity', { maxCapacity: { maxVcpu: 32, maxMemory: Size.gibibytes(128) } }, {}, true],
    ['the subnets', { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, {}, true],
    ['the run timeout (the queue timeout of the application)', { runTimeout: Duration.minutes(45) }, {}, true],
    ['the alarm topic (not the application)', {}, { topic: false }, false],
    ['the job arguments (not the application)', { jobArguments: ['--x', 'y'] }, {}, false],
  ])('%s', (_edit, props, opts, appChanges) => {
    const after = buildNew(props, opts);
    expect(JSON.stringify(appOf(after.template)) !== JSON.stringify(appOf(base.template))).toBe(appChanges);
    expect(
      JSON.stringify(stoppers(after.template).update[1].Properties) !==
        JSON.stringify(stoppers(base.template).update[1].Properties),
    ).toBe(appChanges);
  });
});

/** The deployed handler code, run against a fake EMR Serverless: what it calls, and when it says it is done. */
describe('the stopper functions', () => {
  const { template } = buildNew();
  const fns = resourcesOf(template, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Code.ZipFile);
  const code = fns[0][1].Properties.Code.ZipFile as string;

  function run(apps: Record<string, { name: string; states: string[]; refuse?: number }>) {
    const calls: string[] = [];
    const command = (name: string) =>
      class {
        constructor(public input: any) {
          (this as any).name = name;
        }
      };
    const names = [
      'ListApplicationsCommand',
      'GetApplicationCommand',
      'StopApplicationCommand',
      'CancelJobRunCommand',
      'DeleteApplicationCommand',
    ];
    const sdk: any = Object.fromEntries(names.map((n) => [n, command(n)]));
    sdk.EMRServerlessClient = class {
      async send(c: any) {
        const app = apps[c.input.applicationId];
        calls.push(`${c.name.replace('Command', '')}${c.input.applicationId ? ` ${c.input.applicationId}` : ''}`);
        if (c.name === 'ListApplicationsCommand')
          return { applications: Object.entries(apps).map(([i, a]) => ({ id: i, name: a.name })) };
        if (!app) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
        if (c.name === 'GetApplicationCommand')
          return { application: { state: app.states.length > 1 ? app.states.shift() : app.states[0] } };
        if (c.name === 'StopApplicationCommand' && (app.refuse ?? 0) > 0) {
          app.refuse!--;
          throw Object.assign(new Error('Application has running jobs'), { name: 'ValidationException' });
        }
        return {};
      }
    };
    const exports: any = {};
    new Function('require', 'exports', 'console', code)(() => sdk, exports, { log: () => undefined });
    return { calls, handler: exports as { onEvent: (e: any) => Promise<any>; isComplete: (e: any) => Promise<any> } };
  }
  async function untilComplete(handler: any, event: any, max = 10): Promise<number> {
    const r = await handler.onEvent(event);
    for (let i = 1; i <= max; i++) if ((await handler.isComplete({ ...event, ...r })).IsComplete) return i;
    return -1;
  }
  const updateEvent = (type: string, old?: string) => ({
    RequestType: type,
    LogicalResourceId: 'BeforeUpdate',
    PhysicalResourceId: type === 'Create' ? undefined : 'BeforeUpdate',
    ResourceProperties: { Mode: 'before-update', ApplicationName: 'reviews-clean' },
    ...(old ? { OldResourceProperties: { Mode: 'before-update', ApplicationName: old } } : {}),
  });

  test('the two handlers are the same inline code', () => {
    expect(fns.map(([, f]) => f.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
    expect(new Set(fns.map(([, f]) => f.Properties.Code.ZipFile)).size).toBe(1);
  });

  test('before an update: stops the STARTED application of that name, and is done once it is STOPPED; other applications untouched', async () => {
    const { calls, handler } = run({
      a1: { name: 'reviews-clean', states: ['STARTED', 'STOPPING', 'STOPPED'] },
      b2: { name: 'other', states: ['STARTED'] },
    });
    expect(await untilComplete(handler, updateEvent('Update'))).toBe(3);
    expect(calls).toContain('StopApplication a1');
    expect(calls.join()).not.toContain('b2');
  });

  test('a rename stops the application of the old name too', async () => {
    const { calls, handler } = run({ a1: { name: 'old-name', states: ['STARTED', 'STOPPED'] } });
    expect(await untilComplete(handler, updateEvent('Update', 'old-name'))).toBe(2);
    expect(calls).toContain('StopApplication a1');
  });

  test('a job run in progress: the stop is retried until the run ends, and no run is ever cancelled', async () => {
    const { calls, handler } = run({
      a1: { name: 'reviews-clean', states: ['STARTED', 'STARTED', 'STARTED', 'STOPPING', 'STOPPED'], refuse: 2 },
    });
    expect(await untilComplete(handler, updateEvent('Update'))).toBe(5);
    expect(calls.filter((c) => c === 'StopApplication a1')).toHaveLength(3);
    expect(calls.join()).not.toMatch(/CancelJobRun|DeleteApplication/);
  });

  test('a create (the application does not exist yet, or predates the permission) and a delete of the before-update stopper touch nothing', async () => {
    for (const type of ['Create', 'Delete']) {
      const { calls, handler } = run({ a1: { name: 'reviews-clean', states: ['STARTED'] } });
      expect(await untilComplete(handler, updateEvent(type))).toBe(1);
      expect(calls).toEqual([]);
    }
  });

  test('before a delete: stops the application by its ID; an application already gone is done', async () => {
    const event = (type: string, id: string) => ({
      RequestType: type,
      LogicalResourceId: 'BeforeDelete',
      PhysicalResourceId: 'BeforeDelete',
      ResourceProperties: { Mode: 'before-delete', ApplicationName: 'reviews-clean', ApplicationId: id },
    });
    let r = run({ a1: { name: 'reviews-clean', states: ['STARTED', 'STOPPED'] } });
    expect(await untilComplete(r.handler, event('Delete', 'a1'))).toBe(2);
    expect(r.calls).toEqual(['GetApplication a1', 'StopApplication a1', 'GetApplication a1']);
    r = run({});
    expect(await untilComplete(r.handler, event('Delete', 'gone'))).toBe(1);
    r = run({ a1: { name: 'reviews-clean', states: ['STARTED'] } });
    expect(await untilComplete(r.handler, event('Update', 'a1'))).toBe(1);
    expect(r.calls).toEqual([]);
  });

  test('the physical ID never changes, so an update never makes CloudFormation delete (and stop) the old one', async () => {
    const { handler } = run({});
    expect((await handler.onEvent(updateEvent('Create'))).PhysicalResourceId).toBe('BeforeUpdate');
    expect((await handler.onEvent(updateEvent('Update', 'x'))).PhysicalResourceId).toBe('BeforeUpdate');
  });
});

/** A stack with `n` pipelines on one lake, as the platform stack holds them. */
function pipelinesStack(n: number): Template {
  const stack = new Stack(testApp(), 'Many');
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-a', 'subnet-b'],
  });
  const dataLake = new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
  for (let i = 0; i < n; i++) {
    new DataPipeline(stack, `Pipeline${i}`, {
      pipelineName: `acme-ml-reviews-pipeline-${i}`,
      dataLake,
      vpc,
      sources: ['raw'],
      target: 'curated',
      script: PipelineScript.fromAsset(SCRIPT),
    });
  }
  return Template.fromStack(stack);
}

/**
 * Characters of inline policy per role as IAM counts them ("Role policy size cannot exceed 10,240 characters", the
 * aggregate of its inline policies, whitespace not counted), with references replaced by values of realistic length.
 */
function deployedPolicySizes(template: Template): Map<string, number> {
  const ARN = 'arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabcdefghij123';
  const deployed = (doc: unknown) =>
    JSON.stringify(doc)
      .replace(/\{"Fn::GetAtt":\["[A-Za-z0-9]+","Arn"\]\}/g, `"${ARN}"`)
      .replace(/\s/g, '').length;
  const sizes = new Map<string, number>();
  for (const [, p] of resourcesOf(template, 'AWS::IAM::Policy')) {
    for (const r of p.Properties.Roles)
      sizes.set(r.Ref, (sizes.get(r.Ref) ?? 0) + deployed(p.Properties.PolicyDocument));
  }
  return sizes;
}

full.describe('one stopper provider per stack, whatever the number of pipelines', () => {
  const stopperFunctions = (t: Template) =>
    resourcesOf(t, 'AWS::Lambda::Function').filter(([, f]) =>
      String(f.Properties.Code.ZipFile ?? '').includes('StopApplicationCommand'),
    );
  const tokens = (t: Template) =>
    new Set(resourcesOf(t, STOPPER).map(([, r]) => JSON.stringify(r.Properties.ServiceToken)));

  test('two pipelines share the functions, the provider (one waiter state machine) and the role; each keeps its own two stoppers', () => {
    const one = pipelinesStack(1);
    const two = pipelinesStack(2);
    expect(stopperFunctions(two)).toHaveLength(2);
    expect(tokens(two).size).toBe(1);
    expect(resourcesOf(two, 'AWS::Lambda::Function')).toHaveLength(resourcesOf(one, 'AWS::Lambda::Function').length);
    expect(resourcesOf(two, 'AWS::StepFunctions::StateMachine')).toHaveLength(
      resourcesOf(one, 'AWS::StepFunctions::StateMachine').length + 1,
    );
    expect(resourcesOf(two, STOPPER)).toHaveLength(4);
  });

  test('each application is stopped by its own statement on the shared role: get and stop name that application only', () => {
    const t = pipelinesStack(2);
    const apps = resourcesOf(t, 'AWS::EMRServerless::Application').map(([appId]) => appId);
    const [roleId] = resourcesOf(t, 'AWS::IAM::Role').find(([, r]) =>
      JSON.stringify(r.Properties.Description ?? '').includes('Stops EMR Serverless'),
    )!;
    const stops = statementsOf(t, roleId).filter((s) => actionsOf(s).includes('emr-serverless:StopApplication'));
    expect(stops.map((s) => s.Resource)).toEqual(
      expect.arrayContaining(apps.map((a) => ({ 'Fn::GetAtt': [a, 'Arn'] }))),
    );
    expect(stops.map((s) => s.Resource)).toHaveLength(2);
  });

  test("at 20 pipelines every role of the stack stays under IAM's 10,240 characters of inline policy", () => {
    const sizes = deployedPolicySizes(pipelinesStack(20));
    const over = [...sizes].filter(([, n]) => n > 10_240);
    expect(over).toEqual([]);
    expect(Math.max(...sizes.values())).toBeGreaterThan(2_000); // the shared role is measured, with its 20 statements
  });
});
