import { fullDiff } from '@aws-cdk/cloudformation-diff';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PlatformValidationError } from '../core/problems';
import type { ReplaceAllowance } from '../definition/types';
import type { PlatformPlan } from '../plan/plan';
import { refusals, type Refusal, type RatedChange } from './private/refusals';
import { ChangeKind, describe, kindOf } from './private/translate';
import { renderChangeMarkdown } from './render-changes';

export { ChangeKind } from './private/translate';
export type { Refusal } from './private/refusals';

/** One resource change, in the platform's words. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly kind: ChangeKind;
  /** The platform item: `zone:raw`, `key:lake`, `pool:train`, `inference:chat`, `chart:keda`, or type and ID. */
  readonly item: string;
  /** What the change does, e.g. "GPU pool `train` is replaced: its nodes are drained and running training restarts." */
  readonly says: string;
  /** For a Kubernetes manifest: each object created, deleted or changed. */
  readonly objects?: { readonly object: string; readonly says: string }[];
}

/** One stack's changes. */
export interface StackChanges {
  readonly stack: string;
  /** `added` (new stack), `removed` (leaves the app), `changed` or `unchanged`. */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly changes: ResourceChange[];
}

/** What deploying an assembly over a baseline assembly does. */
export interface ChangeReport {
  readonly name: string;
  /** The baseline assembly's directory. */
  readonly baseline: string;
  readonly stacks: StackChanges[];
  /** Changes that would fail at deploy or lose data; those with `allowed` are accepted by the definition. */
  readonly refusals: Refusal[];
}

/** A synthesized app: each stack's template by stack name, and the platform's plan when it wrote one. */
export interface AssemblyTemplates {
  readonly stacks: Record<string, any>;
  readonly plan?: PlatformPlan;
}

/** Reads a cloud assembly directory (a `cdk.out`): its stacks' templates and the plan of the platform `name`. */
export function readAssembly(dir: string, name: string): AssemblyTemplates {
  if (!existsSync(join(dir, 'manifest.json')))
    throw new PlatformValidationError('The change report', [
      {
        field: '-c ai-platform:baseline',
        value: dir,
        message: 'is not a cloud assembly (no manifest.json): give the cdk.out directory of a previous synth',
      },
    ]);
  const assembly = new CloudAssembly(dir, { skipVersionCheck: true });
  const planFile = join(dir, 'plan', `${name}.json`);
  return {
    stacks: Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])),
    plan: existsSync(planFile) ? (JSON.parse(readFileSync(planFile, 'utf8')) as PlatformPlan) : undefined,
  };
}

/**
 * What deploying `after` over `before` does, stack by stack, with @aws-cdk/cloudformation-diff (the engine of
 * `cdk diff`; it rates replacements from the CloudFormation registry schemas), and the changes that would fail at
 * deploy or lose data. `allowReplace` (the definition's) accepts those the user can make safe.
 */
export function compareAssemblies(
  name: string,
  baseline: string,
  before: AssemblyTemplates,
  after: AssemblyTemplates,
  allowReplace: readonly ReplaceAllowance[] = [],
): ChangeReport {
  const plans = [after.plan, before.plan];
  const rated: RatedChange[] = [];
  const kubernetesRefusals: Refusal[] = [];
  const stacks: StackChanges[] = [];
  for (const stack of [...new Set([...Object.keys(before.stacks), ...Object.keys(after.stacks)])].sort()) {
    const [old, now] = [before.stacks[stack], after.stacks[stack]];
    const changes: ResourceChange[] = [];
    fullDiff(old ?? {}, now ?? {}).resources.forEachDifference((id, change) => {
      const kind = kindOf(change);
      const { item, says, objects } = describe(id, change, kind, plans);
      rated.push({ stack, id, change, kind, item });
      changes.push({
        logicalId: id,
        resourceType: change.resourceType ?? '',
        kind,
        item: item.item,
        says,
        ...(objects.length > 0 ? { objects: objects.map((o) => ({ object: o.object, says: o.says })) } : {}),
      });
      for (const o of objects.filter((x) => x.refused))
        kubernetesRefusals.push({
          stack,
          logicalId: id,
          item: item.item,
          reason: `${item.words}: ${o.object}: ${o.refused}`,
          wayOut: `give the workload a new name (a new object), or delete ${o.object} with kubectl before the deploy`,
        });
    });
    const status =
      old === undefined ? 'added' : now === undefined ? 'removed' : changes.length > 0 ? 'changed' : 'unchanged';
    stacks.push({ stack, status, changes });
  }
  const allowed = new Map(allowReplace.map((a) => [a.item, a.reason]));
  return {
    name,
    baseline,
    stacks,
    refusals: [...refusals(rated, before.stacks, after.stacks, allowed), ...kubernetesRefusals],
  };
}

/**
 * Writes `plan/<name>-changes.md` and `plan/<name>-changes.json` into the assembly directory, and throws a
 * PlatformValidationError listing the refused changes the definition does not accept.
 */
export function writeChangeReport(
  outdir: string,
  name: string,
  baselineDir: string,
  allowReplace: readonly ReplaceAllowance[],
): ChangeReport {
  if (resolve(baselineDir) === resolve(outdir))
    throw new PlatformValidationError('The change report', [
      {
        field: '-c ai-platform:baseline',
        value: baselineDir,
        message: `is the directory this synth writes (${outdir}): give a copy of the previous cdk.out (cp -r cdk.out cdk.out.prev)`,
      },
    ]);
  const report = compareAssemblies(
    name,
    baselineDir,
    readAssembly(baselineDir, name),
    readAssembly(outdir, name),
    allowReplace,
  );
  mkdirSync(join(outdir, 'plan'), { recursive: true });
  writeFileSync(join(outdir, 'plan', `${name}-changes.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outdir, 'plan', `${name}-changes.md`), renderChangeMarkdown(report));
  const refused = report.refusals.filter((r) => r.allowed === undefined);
  if (refused.length > 0)
    throw new PlatformValidationError(
      'The change',
      refused.map((r) => ({
        field: `[${r.stack}]`,
        value: undefined,
        message: `${r.reason}. Way out: ${r.wayOut}`,
      })),
      undefined,
      `The change against ${baselineDir} would fail at deploy or lose data (${refused.length} problem${refused.length === 1 ? '' : 's'}; the report is in ${join(outdir, 'plan', `${name}-changes.md`)}):`,
    );
  return report;
}
