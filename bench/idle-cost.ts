/**
 * The idle monthly cost of synthesized CloudFormation templates, priced from this library's catalogs: the same
 * estimate for our templates and for the peer's, so the benchmark compares like with like. Counts what runs
 * with no workload: EKS clusters, NAT gateways, interface endpoints (per subnet), node groups and ASGs at their
 * minimum size, KMS keys and managed Prometheus collectors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOURS_PER_MONTH, monthlyInstancePrice, SERVICE_PRICES } from '../lib/catalog/prices';

type Resource = { Type: string; Properties?: any };

export function idleCostOfTemplates(dir: string): { total: number; items: Record<string, number> } {
  const resources: Record<string, Resource> = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.template.json'))) {
    Object.assign(resources, JSON.parse(readFileSync(join(dir, f), 'utf8')).Resources ?? {});
  }
  const all = Object.values(resources);
  const of = (...types: string[]) => all.filter((r) => types.includes(r.Type));
  const month = HOURS_PER_MONTH;
  const launchTemplateType = (ref: any) => resources[ref?.Ref]?.Properties?.LaunchTemplateData?.InstanceType;
  const items = {
    eksClusters: of('AWS::EKS::Cluster', 'Custom::AWSCDK-EKS-Cluster').length * SERVICE_PRICES.eksClusterHourly * month,
    natGateways:
      of('AWS::EC2::NatGateway').length * (SERVICE_PRICES.natGatewayHourly + SERVICE_PRICES.publicIpv4Hourly) * month,
    interfaceEndpoints:
      of('AWS::EC2::VPCEndpoint')
        .filter((r) => r.Properties?.VpcEndpointType === 'Interface')
        .reduce((n, r) => n + (r.Properties.SubnetIds?.length ?? 1), 0) *
      SERVICE_PRICES.interfaceEndpointHourlyPerAz *
      month,
    nodesAtMinimum: [
      ...of('AWS::EKS::Nodegroup').map((r) => ({
        min: r.Properties.ScalingConfig?.MinSize ?? 0,
        types: r.Properties.InstanceTypes ?? [launchTemplateType(r.Properties.LaunchTemplate?.Id)],
      })),
      ...of('AWS::AutoScaling::AutoScalingGroup').map((r) => ({
        min: Number(r.Properties.MinSize ?? 0),
        types: [launchTemplateType(r.Properties.LaunchTemplate?.LaunchTemplateId)],
      })),
    ].reduce(
      (n, g) =>
        n + g.min * Math.min(...g.types.filter((t: unknown) => typeof t === 'string').map(monthlyInstancePrice)),
      0,
    ),
    kmsKeys: of('AWS::KMS::Key').length * SERVICE_PRICES.kmsKeyMonthly,
    prometheusCollectors: of('AWS::APS::Scraper').length * SERVICE_PRICES.prometheusCollectorHourly * month,
    // The AWS Load Balancer Controller makes one ALB per IngressGroup at run time, so the templates hold no ALB:
    // read the groups off the Ingress manifests the templates deliver (an internet one also holds a public IPv4
    // address in each public subnet).
    loadBalancers:
      albGroups(of('Custom::AWSCDK-EKS-KubernetesResource')).reduce(
        (n, g) =>
          n +
          SERVICE_PRICES.albHourly +
          (g.internet ? of('AWS::EC2::Subnet').filter(isPublic).length * SERVICE_PRICES.publicIpv4Hourly : 0),
        0,
      ) * month,
  };
  return { total: Object.values(items).reduce((a, b) => a + b, 0), items };
}

/** The IngressGroups of the `alb` class the manifests create, and whether each is internet-facing. */
function albGroups(manifests: Resource[]): { name: string; internet: boolean }[] {
  const groups = new Map<string, boolean>();
  for (const r of manifests) {
    const m = r.Properties?.Manifest;
    // A manifest with deploy-time values is an Fn::Join: its literal parts with a placeholder still parse as JSON.
    const text =
      typeof m === 'string'
        ? m
        : (m?.['Fn::Join']?.[1] ?? []).map((p: unknown) => (typeof p === 'string' ? p : 'deploy-time')).join('');
    let objects: any[];
    try {
      objects = JSON.parse(text);
    } catch {
      continue;
    }
    for (const o of [objects].flat()) {
      const annotations = o?.metadata?.annotations ?? {};
      if (o?.kind !== 'Ingress' || o.spec?.ingressClassName !== 'alb') continue;
      const name = annotations['alb.ingress.kubernetes.io/group.name'] ?? `${o.metadata.namespace}/${o.metadata.name}`;
      groups.set(
        name,
        (groups.get(name) ?? false) || annotations['alb.ingress.kubernetes.io/scheme'] === 'internet-facing',
      );
    }
  }
  return [...groups].map(([name, internet]) => ({ name, internet }));
}

function isPublic(subnet: Resource): boolean {
  return (subnet.Properties?.Tags ?? []).some((t: any) => t.Key === 'aws-cdk:subnet-type' && t.Value === 'Public');
}
