/**
 * Contracts CloudFormation and EKS enforce on the templates, as pure checks over synthesized templates
 * (the JSON CloudFormation receives). Each returns the problems it finds; an empty list means the contract
 * holds. Each contract names its source.
 */

type Template = { Resources?: Record<string, any>; Outputs?: Record<string, any> };

/** Every value in an object tree with its path. */
function* walk(value: any, path = ''): Generator<[string, any]> {
  yield [path, value];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* walk(value[i], `${path}[${i}]`);
    return;
  }
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* walk(v, path ? `${path}.${k}` : k);
}

function ofType(t: Template, type: string): [string, any][] {
  return Object.entries(t.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/**
 * A `Ref` to an AWS::EKS::Nodegroup returns `<cluster>/<nodegroup>`, which EKS APIs that take a node group
 * name reject (CloudFormation AWS::EKS::Nodegroup, Return values; aws-cdk issue 22442): no template may use it.
 */
export function nodegroupRefProblems(t: Template): string[] {
  const nodegroups = new Set(ofType(t, 'AWS::EKS::Nodegroup').map(([id]) => id));
  const problems: string[] = [];
  for (const [id, r] of Object.entries(t.Resources ?? {})) {
    for (const [path, v] of walk(r.Properties ?? {})) {
      if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.Ref === 'string' && nodegroups.has(v.Ref)) {
        // Custom::AWS parameters are JSON text joined with Refs: this finds those too.
        problems.push(`${id}.${path}: Ref to node group ${v.Ref} (cluster/nodegroup); use Fn::GetAtt NodegroupName`);
      }
    }
  }
  return problems;
}

/**
 * A Capacity Block node group (EKS user guide, "Capacity Blocks for ML" with managed node groups; CreateNodegroup
 * API): capacity type CAPACITY_BLOCK, no instance types on the group, a launch template with the instance type,
 * market type `capacity-block` and the reservation, and subnets in the reservation's AZ only (one subnet).
 */
export function capacityBlockProblems(t: Template): string[] {
  const problems: string[] = [];
  for (const [id, ng] of ofType(t, 'AWS::EKS::Nodegroup').filter(
    ([, r]) => r.Properties.CapacityType === 'CAPACITY_BLOCK',
  )) {
    const p = ng.Properties;
    if (p.InstanceTypes !== undefined)
      problems.push(`${id}: InstanceTypes must not be set on a Capacity Block node group`);
    const ltId = p.LaunchTemplate?.Id?.Ref;
    const lt = ltId ? t.Resources?.[ltId]?.Properties?.LaunchTemplateData : undefined;
    if (!lt) {
      problems.push(`${id}: needs a launch template of this stack`);
      continue;
    }
    if (typeof lt.InstanceType !== 'string') problems.push(`${id}: the launch template must name the InstanceType`);
    if (lt.InstanceMarketOptions?.MarketType !== 'capacity-block')
      problems.push(`${id}: the launch template's InstanceMarketOptions.MarketType must be capacity-block`);
    if (!lt.CapacityReservationSpecification?.CapacityReservationTarget?.CapacityReservationId)
      problems.push(`${id}: the launch template must target the reservation`);
    if (!Array.isArray(p.Subnets) || p.Subnets.length !== 1)
      problems.push(
        `${id}: must launch into exactly one subnet (the reservation's AZ), has ${JSON.stringify(p.Subnets)}`,
      );
  }
  return problems;
}

/** Direct dependencies of each resource: DependsOn, Ref and Fn::GetAtt. */
function dependencies(t: Template): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(t.Resources ?? {})) {
    const set = new Set<string>([r.DependsOn ?? []].flat());
    for (const [, v] of walk(r.Properties ?? {})) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        if (typeof v.Ref === 'string') set.add(v.Ref);
        if (Array.isArray(v['Fn::GetAtt'])) set.add(v['Fn::GetAtt'][0]);
      }
    }
    deps.set(id, set);
  }
  return deps;
}

function dependsOn(deps: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (at === to) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...(deps.get(at) ?? []));
  }
  return false;
}

/** aws-eks-v2 HelmChartOptions.timeout: "Maximum 15 minutes" (the kubectl handler is a Lambda function). */
const MAX_HELM_TIMEOUT_SECONDS = 900;

/**
 * Every Helm release waits for what its pods need: the system node group (the node group labelled
 * `ai-platform/pool: system`) and the core add-ons (VPC CNI, CoreDNS, kube-proxy), and has an explicit timeout
 * within the handler's 15 minutes; otherwise a release can race the nodes and fail the stack.
 */
export function helmOrderingProblems(t: Template): string[] {
  const deps = dependencies(t);
  const system = ofType(t, 'AWS::EKS::Nodegroup')
    .filter(([, r]) => r.Properties.Labels?.['ai-platform/pool'] === 'system')
    .map(([id]) => id);
  const core = ofType(t, 'AWS::EKS::Addon')
    .filter(([, r]) => ['vpc-cni', 'coredns', 'kube-proxy'].includes(r.Properties.AddonName))
    .map(([id]) => id);
  const problems: string[] = [];
  if (system.length !== 1) problems.push(`expected one system node group, found ${system.length}`);
  for (const [id, r] of ofType(t, 'Custom::AWSCDK-EKS-HelmChart')) {
    for (const target of [...system, ...core])
      if (!dependsOn(deps, id, target)) problems.push(`${id}: does not wait for ${target}`);
    const timeout = /^(\d+)s$/.exec(r.Properties.Timeout ?? '');
    if (!timeout) problems.push(`${id}: has no explicit Timeout`);
    else if (Number(timeout[1]) > MAX_HELM_TIMEOUT_SECONDS)
      problems.push(`${id}: Timeout ${r.Properties.Timeout} is over 15 minutes`);
  }
  return problems;
}

/**
 * One access entry per principal (EKS CreateAccessEntry fails with ResourceInUseException for a principal that
 * has one), and none for an AMP managed scraper's role: AMP creates that entry itself for clusters in API
 * authentication mode (AMP user guide, "Configuring your Amazon EKS cluster" for managed collectors).
 */
export function accessEntryProblems(t: Template): string[] {
  const problems: string[] = [];
  const scrapers = new Set(ofType(t, 'AWS::APS::Scraper').map(([id]) => id));
  const seen = new Map<string, string>();
  for (const [id, r] of ofType(t, 'AWS::EKS::AccessEntry')) {
    const principal = JSON.stringify(r.Properties.PrincipalArn);
    const getAtt = r.Properties.PrincipalArn?.['Fn::GetAtt'];
    if (getAtt && scrapers.has(getAtt[0]))
      problems.push(`${id}: an access entry for the managed scraper ${getAtt[0]}, which AMP creates itself`);
    const key = `${JSON.stringify(r.Properties.ClusterName)}|${principal}`;
    if (seen.has(key)) problems.push(`${id}: a second access entry for ${principal} (first: ${seen.get(key)})`);
    seen.set(key, id);
  }
  return problems;
}

/**
 * Cross-stack references may only point at the data stack, which no compute change touches: an export
 * another stack imports cannot be removed or changed ("Export ... cannot be updated as it is in use"), so an
 * export of the platform stack (a node group's ASG name, say) would block removing or renaming a pool.
 */
export function crossStackProblems(stacks: Record<string, Template>, stableStack: string): string[] {
  const exportsOf = (t: Template) =>
    new Set(
      Object.values(t.Outputs ?? {})
        .map((o: any) => JSON.stringify(o.Export?.Name))
        .filter((x) => x !== undefined),
    );
  const stable = stacks[stableStack] ? exportsOf(stacks[stableStack]) : new Set<string>();
  const problems: string[] = [];
  for (const [name, t] of Object.entries(stacks)) {
    for (const [path, v] of walk(t)) {
      if (
        v &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        v['Fn::ImportValue'] !== undefined &&
        !stable.has(JSON.stringify(v['Fn::ImportValue']))
      ) {
        problems.push(
          `${name}.${path}: imports ${JSON.stringify(v['Fn::ImportValue'])}, which is not an export of ${stableStack}`,
        );
      }
    }
  }
  return problems;
}
