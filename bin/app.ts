#!/usr/bin/env node
/**
 * The reference app. `npx cdk synth` builds the reference platform of examples/;
 * `npx cdk synth -c definition=platform.yaml` builds a definition file (.yaml, .yml or .json) instead.
 * An invalid definition prints every problem and exits 1 without writing templates.
 * `-c ai-platform:baseline=DIR` (a previous cdk.out) also writes what the change does to DIR's stacks into
 * cdk.out/plan/<name>-changes.md and .json, and exits 1 on a change that would fail at deploy or lose data.
 */
import { App, Stage } from 'aws-cdk-lib';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { referencePlatform } from '../examples/reference-platform';
import { definitionWarningsSummary } from './definition-warnings';
import { reportUserError } from './user-error';
import { AiPlatform, loadDefinitionFile, PlatformPipeline, type AiPlatformDefinition } from '../lib';
import { DefinitionError } from '../lib/definition/problems';
import { stageDefinition } from '../lib/definition/resolve-delivery';
import { bindNamedZones } from '../lib/delivery/private/zones-context';
import { resolveDefinition } from '../lib/definition/resolve';
import type { ResolvedDeliveryStage } from '../lib/definition/resolved';

// aws-cdk-lib's built-in CloudFormation validation is off unless asked for (-c ai-platform:cfnValidation=true):
// it costs about 4 s and 250 MB a synth, and what it checks (resource property types and enums) is what
// cfn-lint checks on every template in CI, and more; the definition's own limits run before either.
// No construct stack traces in the assembly (`stackTraces: false` sets the context aws:cdk:disable-stack-trace:
// aws-cdk-lib core/lib/app.js; Annotations then record no trace: core/lib/annotations.js), so the CDK CLI prints a
// warning without a `.build/lib/….js:line:col` location, which names this library's build, not the definition.
const app = new App({
  stackTraces: false,
  builtinCloudFormationValidation: isTrue(
    new App({ autoSynth: false }).node.tryGetContext('ai-platform:cfnValidation'),
  ),
});
const file: string | undefined = app.node.tryGetContext('definition');
// A definition with `delivery` gives the pipeline stack `<name>-delivery` (whose stages hold the platform's stacks
// for each environment) instead of the platform's stacks: deploy the pipeline once, and it deploys the platform.
// `-c ai-platform:stage=<stage>` gives one stage's platform alone (its overrides and environment): the pipeline's
// change step synthesizes it so, to compare it with the stage's last deployed assembly.
const stageName: string | undefined = app.node.tryGetContext('ai-platform:stage');
let platforms: AiPlatform[];
try {
  const definition = (file ? loadDefinitionFile(file) : referencePlatform) as AiPlatformDefinition;
  if (stageName !== undefined) {
    const stage = deliveryStage(definition, stageName);
    const env = { account: stage.account, region: stage.region };
    bindNamedZones(app, stage.account, stage.region, definition.network?.availabilityZones ?? []);
    platforms = [
      new AiPlatform(app, 'AiPlatform', { definition: stageDefinition(definition, stage), env, source: file }),
    ];
  } else if (definition.delivery) {
    const pipeline = new PlatformPipeline(app, 'AiPlatformDelivery', { definition, definitionFile: file });
    platforms = Object.values(pipeline.platforms);
  } else platforms = [new AiPlatform(app, 'AiPlatform', { definition, source: file })];
} catch (e) {
  failOn(e);
}
const platform = platforms[0];
try {
  const assembly = app.synth();
  const tooLarge = AiPlatform.templateSizeProblems(assembly);
  if (tooLarge.length > 0) {
    process.stderr.write(`${tooLarge.join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write(definitionWarningsSummary(platform.definition.warnings, file));
  for (const p of platforms) {
    const { monthlyIdleUsd, monthlyCeilingUsd } = p.plan.cost;
    // A stage's plan is in its own assembly directory (cdk.out/assembly-<stage>/plan/).
    const dir = relative(process.cwd(), Stage.of(p.platformStack)!.outdir) || assembly.directory;
    process.stderr.write(
      `Plan: ${dir}/plan/${p.plan.name}.md (idle $${monthlyIdleUsd.toLocaleString('en-US')}, ceiling $${monthlyCeilingUsd.toLocaleString('en-US')} a month)\n`,
    );
  }
  const baseline: string | undefined = app.node.tryGetContext('ai-platform:baseline');
  if (baseline) {
    // Loaded only when asked for: the diff engine (@aws-cdk/cloudformation-diff) is a tool of this app, kept out of
    // the library's jsii API and its dependencies.
    const { writeChangeReport } =
      require('../lib/change-report/change-report') as typeof import('../lib/change-report/change-report');
    const { reviewChanges } =
      require('../lib/change-report/approval') as typeof import('../lib/change-report/approval');
    const report = writeChangeReport(
      assembly.directory,
      platform.plan.name,
      baseline,
      platform.definition.allowReplace,
    );
    // Whether the change replaces or removes nodes, data or endpoints: a delivery stage with
    // `approval: on-replacement` waits for a person exactly then.
    writeFileSync(
      join(assembly.directory, 'plan', `${platform.plan.name}-review.json`),
      `${JSON.stringify(reviewChanges(report), null, 2)}\n`,
    );
    const counts = report.stacks
      .flatMap((s) => s.changes)
      .reduce<Record<string, number>>((n, c) => ({ ...n, [c.kind]: (n[c.kind] ?? 0) + 1 }), {});
    process.stderr.write(
      `Changes against ${baseline}: ${assembly.directory}/plan/${platform.plan.name}-changes.md (${
        Object.entries(counts)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ') || 'none'
      })\n`,
    );
  }
} catch (e) {
  // Limits checked at validation (e.g. CloudFormation's 500 resources per stack) are validation errors too:
  // a message, not a stack trace; validation runs before any template is written.
  failOn(e);
}

/** The stage `-c ai-platform:stage` names, from the definition's `delivery`. */
function deliveryStage(definition: AiPlatformDefinition, name: string): ResolvedDeliveryStage {
  const stages = resolveDefinition(definition, file).delivery?.stages ?? [];
  const stage = stages.find((s) => s.name === name);
  if (stage) return stage;
  throw new DefinitionError(
    [
      {
        path: '-c ai-platform:stage',
        field: '-c ai-platform:stage',
        value: name,
        message: stages.length
          ? `must name a stage of delivery.stages: ${stages.map((s) => s.name).join(', ')}`
          : 'needs a definition with delivery.stages',
      },
    ],
    file,
  );
}

/** Input refused: its message and exit 1. Anything else is a fault of this library: thrown, with its stack. */
function failOn(e: unknown): never {
  if (reportUserError(e, (text) => process.stderr.write(text))) process.exit(1);
  throw e;
}

/**
 * A context flag set to exactly true (or 'true'). It is read through a throwaway App (never synthesized),
 * which takes context from wherever the CLI put it (environment or overflow file), because the real App
 * needs the flag in its props.
 */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
