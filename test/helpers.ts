import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { referencePlatform } from '../examples/reference-platform';
import { AiPlatform, GpuCluster, type AiPlatformDefinition } from '../lib';

const cdkJson = require('../cdk.json');

/**
 * An app with the project's feature flags. Asset staging (copying the 36 MB kubectl layer) and the built-in
 * CloudFormation validation are off to keep tests fast; the example snapshot test and CI's `cdk synth` +
 * cfn-lint run them.
 */
export function testApp(opts: { validate?: boolean } = {}): App {
  return new App({
    context: { ...cdkJson.context, 'aws:cdk:disable-asset-staging': true },
    // No construct stack traces in metadata (as the CLI app: bin/app.ts): capturing one per construct costs
    // about a tenth of each synthesis, and no test reads them.
    stackTraces: false,
    builtinCloudFormationValidation: opts.validate ?? false,
  });
}

/** A deep copy of the reference definition with changes applied. */
export function referenceWith(change: (d: any) => void = () => undefined): AiPlatformDefinition {
  const copy = JSON.parse(JSON.stringify(referencePlatform));
  change(copy);
  return copy;
}

/**
 * The reference without its jobs and pipelines (training, optimizations, Spark and Ray pipelines): its cluster, pools,
 * data lake, service, team and monitoring as they are. For tests of those parts, where building the jobs too would
 * only cost time (npm test is held to 60 s on 2 cores).
 */
export function leanReferenceWith(change: (d: any) => void = () => undefined): AiPlatformDefinition {
  return referenceWith((d) => {
    d.training = [];
    d.optimizations = [];
    d.pipelines = [];
    change(d);
  });
}

const built = new Map<string, { app: App; platform: AiPlatform; template: Template }>();

/**
 * The platform of a definition with its platform-stack template, built once per test file and definition
 * (tests read it; a test that changes the app builds its own with `new AiPlatform(testApp(), ...)`).
 */
export function synthPlatform(definition: AiPlatformDefinition = referencePlatform) {
  const key = JSON.stringify(definition);
  let entry = built.get(key);
  if (!entry) {
    const app = testApp();
    const platform = new AiPlatform(app, 'AiPlatform', { definition });
    entry = { app, platform, template: computeTemplate(platform) };
    built.set(key, entry);
  }
  return entry;
}

/**
 * The platform stack's template with the shard stacks' resources merged in (their logical IDs prefixed with
 * the stack name), for assertions about pools and workloads wherever their names placed them.
 */
export function computeTemplate(platform: AiPlatform): Template {
  const json = Template.fromStack(platform.platformStack).toJSON();
  for (const stack of platform.shardStacks) {
    for (const [id, r] of Object.entries(Template.fromStack(stack).toJSON().Resources ?? {}))
      json.Resources[`${stack.stackName}:${id}`] = r;
  }
  return Template.fromJSON(json);
}

/** A stack with a VPC and a GpuCluster, for constructs used on their own. */
export function clusterStack(props: Partial<ConstructorParameters<typeof GpuCluster>[2]> = {}) {
  const app = testApp();
  const stack = new Stack(app, 'Test');
  // An imported VPC: the constructs under test choose from its subnets, without a VPC synthesized per test.
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0private0a', 'subnet-0private0b'],
    publicSubnetIds: ['subnet-0public0a', 'subnet-0public0b'],
  });
  const gpuCluster = new GpuCluster(stack, 'Gpu', { vpc, ...props });
  return { app, stack, vpc, gpuCluster };
}

/** Resources of one type in a template, as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, any][] {
  return Object.entries(template.findResources(type));
}

/** Every manifest of a set of cdk8s charts, as plain objects. */
export function manifestsOf(charts: Record<string, { toJson(): unknown[] }>): any[] {
  return Object.values(charts).flatMap((c) => c.toJson() as any[]);
}

/** Validates manifests against the Kubernetes and vendored CRD schemas (in a child process: the models are ESM). */
export function schemaProblems(manifests: unknown[]): string[];
/** Validates several named sets of manifests in one child process; problems by set name. */
export function schemaProblems(sets: Record<string, unknown[]>): Record<string, string[]>;
export function schemaProblems(manifests: unknown[] | Record<string, unknown[]>): string[] | Record<string, string[]> {
  const { spawnSync } = require('node:child_process');
  const { mkdtempSync, writeFileSync } = require('node:fs');
  const { tmpdir } = require('node:os');
  const { join } = require('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'manifests-')), 'manifests.json');
  writeFileSync(file, JSON.stringify(manifests));
  const run = spawnSync(process.execPath, [join(__dirname, 'support/validate-manifests.mjs'), file], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`manifest validator failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
