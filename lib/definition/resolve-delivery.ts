import { nodePoolProblems } from '../compute/pool-checks';
import { monitoringProblems } from '../monitoring/monitoring-checks';
import type { ProblemCollector } from './problems';
import type { ResolvedDelivery, ResolvedDeliveryStage } from './resolved';
import { duplicates } from './rules';
import {
  DeliveryApproval,
  type AiPlatformDefinition,
  type DeliveryDefinition,
  type DeliveryOverrides,
  type NodePoolDefinition,
} from './types';

const ACCOUNT = /^\d{12}$/;
// Region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-7`.
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
// CodeConnections ARNs (codeconnections, and codestar-connections for connections made before the rename):
// arn:<partition>:codeconnections:<region>:<account>:connection/<id>.
const CONNECTION =
  /^arn:aws(?:-cn|-us-gov)?:(?:codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/;
// GitHub, GitLab and Bitbucket owners and repositories: letters, digits, `.`, `_`, `-`.
const REPOSITORY = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
// A CodePipeline stage name takes [A-Za-z0-9.@_-], up to 100 characters (API StageDeclaration.name); the pipeline
// prefixes it (`Review-`, `Approve-`), and the stage's construct ID is also a cloud assembly directory name.
const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
const BRANCH = /^[^\s~^:?*[\\]+$/;

/** The definition's `delivery`, checked, with its defaults. */
export function resolveDelivery(
  delivery: DeliveryDefinition,
  def: AiPlatformDefinition,
  out: ProblemCollector,
): ResolvedDelivery {
  const at = 'delivery';
  const src = delivery.source;
  out.check(
    CONNECTION.test(src.connectionArn),
    `${at}.source.connectionArn`,
    src.connectionArn,
    'must be a CodeConnections connection ARN: arn:<partition>:codeconnections:<region>:<account>:connection/<id> (or codestar-connections for an older connection)',
  );
  out.check(
    REPOSITORY.test(src.repository),
    `${at}.source.repository`,
    src.repository,
    'must be owner/name, e.g. acme/ml-platform',
  );
  const branch = src.branch ?? 'main';
  out.check(BRANCH.test(branch), `${at}.source.branch`, branch, 'must be a Git branch name');
  out.check(delivery.stages.length > 0, `${at}.stages`, delivery.stages, 'must list at least one stage');
  for (const d of duplicates(delivery.stages.map((s) => s.name.toLowerCase())))
    out.error(
      `${at}.stages[${d.index}].name`,
      delivery.stages[d.index].name,
      'must be unique among stages (ignoring case)',
    );
  // Every stage deploys the platform's stacks under the same names (`<name>-platform`, ...): one stage per place.
  for (const d of duplicates(delivery.stages.map((s) => `${s.account}/${s.region}`)))
    out.error(
      `${at}.stages[${d.index}].account`,
      delivery.stages[d.index].account,
      `deploys to ${delivery.stages[d.index].region} like an earlier stage: the platform's stack names would collide; give each stage its own account or Region`,
    );
  const stages: ResolvedDeliveryStage[] = delivery.stages.map((s, i) => {
    const here = `${at}.stages[${i}]`;
    out.check(
      STAGE_NAME.test(s.name),
      `${here}.name`,
      s.name,
      'must be 1..40 characters: letters, digits and "-", starting with a letter',
    );
    checkPlace(s.account, s.region, here, out);
    checkOverrides(s.overrides ?? {}, def, `${here}.overrides`, out);
    return {
      name: s.name,
      account: s.account,
      region: s.region,
      approval: s.approval ?? DeliveryApproval.ON_REPLACEMENT,
      overrides: s.overrides ?? {},
    };
  });
  // A stack bound to an account and Region looks its Availability Zones up in the account at synth (a context
  // lookup, with credentials), unless the VPC names them: synth stays offline only with named zones.
  const zones = def.network?.availabilityZones;
  if (!zones)
    out.error(
      'network.availabilityZones',
      undefined,
      "must name the VPC's zones with delivery (e.g. [us-east-1a, us-east-1b]): each stage's stacks are bound to an account and Region, and without named zones synth would look them up in the account",
    );
  else
    stages.forEach((s, i) => {
      const foreign = zones.filter((z) => !z.startsWith(s.region));
      if (foreign.length > 0)
        out.error(
          `delivery.stages[${i}].region`,
          s.region,
          `must be the Region of network.availabilityZones (${foreign.join(', ')} are not in it): every stage deploys the same VPC`,
        );
    });
  if (delivery.account !== undefined || delivery.region !== undefined)
    checkPlace(delivery.account ?? stages[0]?.account, delivery.region ?? stages[0]?.region, at, out);
  return {
    source: {
      connectionArn: src.connectionArn,
      repository: src.repository,
      branch,
      definitionFile: src.definitionFile,
    },
    stages,
    account: delivery.account ?? stages[0]?.account,
    region: delivery.region ?? stages[0]?.region,
  };
}

function checkPlace(account: string | undefined, region: string | undefined, at: string, out: ProblemCollector) {
  out.check(ACCOUNT.test(account ?? ''), `${at}.account`, account, 'must be a 12-digit AWS account ID, quoted in YAML');
  out.check(REGION.test(region ?? ''), `${at}.region`, region, 'must be an AWS Region name, e.g. us-east-1');
}

/** Overrides name pools of the definition and keep each pool's and monitoring's own rules. */
function checkOverrides(o: DeliveryOverrides, def: AiPlatformDefinition, at: string, out: ProblemCollector): void {
  const pools = o.nodePools ?? [];
  for (const d of duplicates(pools.map((p) => p.name)))
    out.error(`${at}.nodePools[${d.index}].name`, d.name, 'must be unique among the overrides');
  pools.forEach((p, i) => {
    const pool = def.nodePools.find((x) => x.name === p.name);
    if (
      !out.check(
        pool !== undefined,
        `${at}.nodePools[${i}].name`,
        p.name,
        `must be one of nodePools[].name: ${def.nodePools.map((x) => x.name).join(', ')}`,
      )
    )
      return;
    // The pool's own rules (GpuNodePool's), on the pool as this stage sizes it; only the sizes are this stage's.
    for (const problem of nodePoolProblems(overridePool(pool!, p)))
      if (problem.field === 'minNodes' || problem.field === 'maxNodes')
        out.error(`${at}.nodePools[${i}].${problem.field}`, problem.value, problem.message);
  });
  if (o.monitoring) out.addAll(`${at}.monitoring`, monitoringProblems(o.monitoring));
}

function overridePool(pool: NodePoolDefinition, o: { minNodes?: number; maxNodes?: number }): NodePoolDefinition {
  return { ...pool, minNodes: o.minNodes ?? pool.minNodes, maxNodes: o.maxNodes ?? pool.maxNodes };
}

/**
 * The definition one stage deploys: the same platform with the stage's overrides (pool sizes, alarm e-mails,
 * budget) applied, and without `delivery` (a stage deploys the platform, not the pipeline).
 */
export function stageDefinition(def: AiPlatformDefinition, stage: ResolvedDeliveryStage): AiPlatformDefinition {
  const { delivery: _delivery, ...platform } = def;
  const o = stage.overrides;
  const sizes = new Map((o.nodePools ?? []).map((p) => [p.name, p]));
  return {
    ...platform,
    nodePools: def.nodePools.map((p) => (sizes.has(p.name) ? overridePool(p, sizes.get(p.name)!) : p)),
    ...(o.monitoring
      ? {
          monitoring: {
            ...def.monitoring,
            ...(o.monitoring.alarmEmails !== undefined ? { alarmEmails: [...o.monitoring.alarmEmails] } : {}),
            ...(o.monitoring.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: o.monitoring.monthlyBudgetUsd } : {}),
          },
        }
      : {}),
  };
}
