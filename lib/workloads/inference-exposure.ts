import { Token } from 'aws-cdk-lib';
import { k8s } from 'cdk8s-plus-27';
import type { Chart } from 'cdk8s';
import { parseCidr } from '../catalog/service-limits';
import { KEDA_HTTP_INTERCEPTOR } from '../catalog/keda-http-add-on';
import type { Problem } from '../core/problems';
import { authAnnotations, authenticates, authProblems, type ExposureAuth } from './exposure-auth';

/** Who can reach an exposed inference service. */
export enum ExposureVisibility {
  /** An internal ALB: reachable from the VPC (and networks routed to it). */
  INTERNAL = 'internal',
  /** An internet-facing ALB: HTTPS only, with `auth` or `allowedCidrs` (or both). */
  INTERNET = 'internet',
}

/** An inference service reached from outside the cluster, through a shared ALB (AWS Load Balancer Controller). */
export interface InferenceExposure {
  /** @default ExposureVisibility.INTERNAL */
  readonly visibility?: ExposureVisibility;
  /** The host name clients call (a DNS name you point at the ALB). @default - any host: one such service per ALB */
  readonly host?: string;
  /** An ACM certificate (same region) for HTTPS; required for `internet`. @default - internal services: HTTP */
  readonly certificateArn?: string;
  /**
   * IPv4 ranges admitted (at most 3: one source-ip condition of the service's listener rule). `internet` needs these
   * or `auth`. @default - internal: the VPC; internet with auth: any address
   */
  readonly allowedCidrs?: string[];
  /**
   * Authentication at the load balancer (Cognito sign-in for browsers, or bearer JWTs for API clients), on the
   * service's HTTPS rule; needs `certificateArn`. @default - none: reachable by whoever `allowedCidrs` admits
   */
  readonly auth?: ExposureAuth;
  /**
   * How long a request may wait, in seconds, while the service starts a replica (node launch, image pull, model
   * load). With `minReplicas: 0` the load balancer's interceptor holds the request this long for a ready replica,
   * then answers 504. The ALB's idle timeout is set 60 s above it (IDLE_TIMEOUT_MARGIN_SECONDS), so the
   * ALB does not cut a held request. 1..3940 (the ALB idle timeout's 4000 less the margin). @default 600
   * @asType integer
   */
  readonly coldStartTimeoutSeconds?: number;
  /**
   * A regional AWS WAFv2 web ACL for the load balancer (`arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id>`).
   * It protects the whole shared ALB: every service of the group gets it. @default - none: the ALB's WAF settings are left unchanged
   */
  readonly wafAclArn?: string;
}

/** The ALB an exposure joins: an IngressGroup shared by every service of one platform and visibility. */
export interface LoadBalancerGroup {
  /** The IngressGroup's name (`alb.ingress.kubernetes.io/group.name`): lowercase alphanumerics, '-' or '.', at most 63. */
  readonly name: string;
  /** The VPC's CIDR: ALB nodes reach `ip` targets from addresses in it, which the service's NetworkPolicy admits. */
  readonly vpcCidr: string;
  /**
   * The ALB security group's inbound ranges: the SAME list on every Ingress of the group (the controller refuses a
   * group whose Ingresses disagree on a port: annotations.md v3.5.0, inbound-cidrs "exclusive per listen-port").
   * @default - the service's allowedCidrs, else the VPC CIDR
   */
  readonly inboundCidrs?: string[];
  /**
   * The ALB's idle timeout in seconds, the SAME on every Ingress of the group (load-balancer-attributes is
   * "Exclusive" across an IngressGroup: annotations.md v3.5.0): at least each member's coldStartTimeoutSeconds plus
   * {@link IDLE_TIMEOUT_MARGIN_SECONDS}. @default - this service's coldStartTimeoutSeconds plus the margin
   */
  readonly idleTimeoutSeconds?: number;
  /** The group's WAFv2 web ACL (wafv2-acl-arn is "Exclusive" across the group, annotations.md v3.5.0). @default - this service's wafAclArn */
  readonly wafAclArn?: string;
  /**
   * The ALB's name (`load-balancer-name`, "Exclusive" across the group, applied at the Ingress's creation only:
   * annotations.md v3.5.0), so dashboards can find its metrics: 1..32 letters, digits or '-', not starting or
   * ending with '-', not starting with `internal-` (ELB API reference, CreateLoadBalancer Name). An ALB that exists
   * keeps its name: the controller finds it by its resource-ID tag and replaces it only for another type or scheme
   * (pkg/deploy/elbv2/load_balancer_synthesizer.go isSDKLoadBalancerRequiresReplacement, v3.5.0), so adding the name
   * to a deployed group neither replaces the ALB nor changes its DNS name.
   * @default - the controller's: `k8s-<group name, alphanumerics, 17 at most>-<hash>`
   */
  readonly loadBalancerName?: string;
}

/** TLS 1.3 with 1.2 fallback, the ELB default for new HTTPS listeners (ELB user guide, "Security policies for your Application Load Balancer"). */
export const ALB_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
/** A listener rule's source-ip condition takes up to three match evaluations (controller annotations.md v3.5.0, conditions: limitations). */
export const MAX_ALLOWED_CIDRS = 3;
const CERTIFICATE_ARN =
  /^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;
/** RFC 1123 host name as ALB host-header rules match it: lowercase labels of 1..63, at most 253 characters, two labels at least. */
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const GROUP = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const ALB_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;
/** The ALB attribute idle_timeout.timeout_seconds: 1-4000 seconds, default 60 (ELB API reference, LoadBalancerAttribute). */
export const ALB_MAX_IDLE_TIMEOUT_SECONDS = 4000;
/**
 * Idle time the ALB allows beyond the cold-start wait: a held request is silent for the wait, then until the
 * server's first byte; 60 s is the ALB's own default idle timeout, what a request had before it could be held.
 */
export const IDLE_TIMEOUT_MARGIN_SECONDS = 60;
/** @default of InferenceExposure.coldStartTimeoutSeconds. */
export const DEFAULT_COLD_START_TIMEOUT_SECONDS = 600;
const MAX_COLD_START = ALB_MAX_IDLE_TIMEOUT_SECONDS - IDLE_TIMEOUT_MARGIN_SECONDS;
/** A regional WAFv2 web ACL (the controller supports regional ACLs only: annotations.md v3.5.0, wafv2-acl-arn). */
const WAF_ACL_ARN =
  /^arn:aws(-[a-z]+)*:wafv2:[a-z]{2}(-[a-z]+)+-\d:\d{12}:regional\/webacl\/[\w-]{1,128}\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;

/** The ALB idle timeout an exposure needs: its cold-start wait plus the margin. */
export function idleTimeoutFor(e: InferenceExposure): number {
  return (e.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_TIMEOUT_SECONDS) + IDLE_TIMEOUT_MARGIN_SECONDS;
}

function wafProblem(arn: string | undefined, field: string): Problem[] {
  if (arn === undefined || Token.isUnresolved(arn) || WAF_ACL_ARN.test(arn)) return [];
  return [
    {
      field,
      value: arn,
      message:
        'must be a regional WAFv2 web ACL ARN: arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id> (the controller attaches regional ACLs only; CloudFront-scope ACLs cannot protect an ALB)',
    },
  ];
}

/** The exposure's rules, field names under `at` (the definition passes `inference[i].expose`). */
export function exposureProblems(e: InferenceExposure, at = 'expose'): Problem[] {
  const out: Problem[] = [];
  const bad = (field: string, value: unknown, message: string) => out.push({ field: `${at}.${field}`, value, message });
  const visibility = e.visibility ?? ExposureVisibility.INTERNAL;
  if (!Object.values(ExposureVisibility).includes(visibility))
    bad('visibility', visibility, `must be one of ${Object.values(ExposureVisibility).join(', ')}`);
  if (e.host !== undefined && !Token.isUnresolved(e.host) && !HOST.test(e.host)) {
    bad(
      'host',
      e.host,
      "must be a DNS name of lowercase labels (a-z, 0-9, '-', 1..63 each, two at least), at most 253 characters, e.g. chat.ml.example.com",
    );
  }
  if (
    e.certificateArn !== undefined &&
    !Token.isUnresolved(e.certificateArn) &&
    !CERTIFICATE_ARN.test(e.certificateArn)
  ) {
    bad(
      'certificateArn',
      e.certificateArn,
      "must be an ACM certificate ARN: arn:<partition>:acm:<region>:<account>:certificate/<id>, in the ALB's region",
    );
  }
  const cidrs = e.allowedCidrs ?? [];
  cidrs.forEach((c, i) => {
    if (Token.isUnresolved(c)) return;
    const parsed = parseCidr(c);
    if (!parsed) bad(`allowedCidrs[${i}]`, c, 'must be an IPv4 CIDR such as 203.0.113.0/24 (the ALBs are IPv4)');
    else if (parsed.hostBits) bad(`allowedCidrs[${i}]`, c, `has host bits set; did you mean ${parsed.network}?`);
  });
  if (cidrs.length > MAX_ALLOWED_CIDRS) {
    bad(
      'allowedCidrs',
      cidrs,
      `names ${cidrs.length} ranges; at most ${MAX_ALLOWED_CIDRS} (one source-ip condition of the service's ALB rule); use a wider range`,
    );
  }
  const cold = e.coldStartTimeoutSeconds;
  if (
    cold !== undefined &&
    !Token.isUnresolved(cold) &&
    !(Number.isInteger(cold) && cold >= 1 && cold <= MAX_COLD_START)
  )
    bad(
      'coldStartTimeoutSeconds',
      cold,
      `must be a whole number of seconds from 1 to ${MAX_COLD_START}: the ALB idle timeout, set ${IDLE_TIMEOUT_MARGIN_SECONDS} s above it, is at most ${ALB_MAX_IDLE_TIMEOUT_SECONDS}`,
    );
  out.push(...wafProblem(e.wafAclArn, `${at}.wafAclArn`));
  if (e.auth !== undefined) out.push(...authProblems(e.auth, e.certificateArn !== undefined, `${at}.auth`));
  if (visibility === ExposureVisibility.INTERNET) {
    if (e.certificateArn === undefined)
      bad('certificateArn', undefined, 'is required with visibility internet: internet services listen on HTTPS only');
    if (cidrs.length === 0 && !authenticates(e.auth))
      bad(
        'allowedCidrs',
        undefined,
        'is required with visibility internet unless auth is set: an internet service needs authentication at the load balancer or named ranges',
      );
  }
  return out;
}

/** An ALB name ELB accepts (CreateLoadBalancer Name), under `field`. */
export function loadBalancerNameProblems(name: string, field: string): Problem[] {
  if (Token.isUnresolved(name) || (ALB_NAME.test(name) && !name.startsWith('internal-'))) return [];
  return [
    {
      field,
      value: name,
      message:
        "must be 1..32 letters, digits or '-', neither starting nor ending with '-', not starting with 'internal-' (ELB CreateLoadBalancer Name)",
    },
  ];
}

/** Problems of a load balancer group (name, CIDRs), under `at`. */
export function groupProblems(g: LoadBalancerGroup, at = 'loadBalancerGroup'): Problem[] {
  const out: Problem[] = [];
  if (!GROUP.test(g.name))
    out.push({
      field: `${at}.name`,
      value: g.name,
      message:
        "must be 1..63 lowercase alphanumerics, '-' or '.', starting and ending alphanumeric (controller annotations.md, group.name)",
    });
  const idle = g.idleTimeoutSeconds;
  if (
    idle !== undefined &&
    !Token.isUnresolved(idle) &&
    !(Number.isInteger(idle) && idle >= 1 && idle <= ALB_MAX_IDLE_TIMEOUT_SECONDS)
  )
    out.push({
      field: `${at}.idleTimeoutSeconds`,
      value: idle,
      message: `must be a whole number of seconds from 1 to ${ALB_MAX_IDLE_TIMEOUT_SECONDS} (ALB idle_timeout.timeout_seconds)`,
    });
  out.push(...wafProblem(g.wafAclArn, `${at}.wafAclArn`));
  if (g.loadBalancerName !== undefined)
    out.push(...loadBalancerNameProblems(g.loadBalancerName, `${at}.loadBalancerName`));
  for (const [field, list] of [
    ['vpcCidr', [g.vpcCidr]],
    ['inboundCidrs', g.inboundCidrs ?? []],
  ] as const) {
    list.forEach((c) => {
      const parsed = Token.isUnresolved(c) ? { hostBits: false } : parseCidr(c);
      if (!parsed || parsed.hostBits)
        out.push({ field: `${at}.${field}`, value: c, message: 'must be an IPv4 CIDR without host bits' });
    });
  }
  return out;
}

/**
 * Rules between a service's exposure and its group and replicas (construct props; the definition states the group
 * ones across its services): the group's idle timeout covers the service's cold start, one WAF ACL per group, and a
 * service that scales to zero names its host (the interceptor that holds its requests routes on the Host header).
 */
export function exposureFitProblems(e: InferenceExposure, g: LoadBalancerGroup, minReplicas: number): Problem[] {
  const out: Problem[] = [];
  const need = idleTimeoutFor(e);
  if (g.idleTimeoutSeconds !== undefined && !Token.isUnresolved(g.idleTimeoutSeconds) && g.idleTimeoutSeconds < need)
    out.push({
      field: 'loadBalancerGroup.idleTimeoutSeconds',
      value: g.idleTimeoutSeconds,
      message: `must be >= ${need}: expose.coldStartTimeoutSeconds plus ${IDLE_TIMEOUT_MARGIN_SECONDS} s, or the ALB cuts a held request`,
    });
  if (g.wafAclArn !== undefined && e.wafAclArn !== undefined && g.wafAclArn !== e.wafAclArn)
    out.push({
      field: 'expose.wafAclArn',
      value: e.wafAclArn,
      message: `differs from the group's (${g.wafAclArn}): one web ACL protects the whole shared ALB`,
    });
  if (minReplicas === 0 && e.host === undefined)
    out.push({
      field: 'expose.host',
      message:
        "is required with minReplicas 0: the KEDA HTTP add-on's interceptor, which holds the first request while a replica starts, routes on the Host header",
    });
  return out;
}

/** The IngressGroup of a platform's services of one visibility: `<platform>-<visibility>`. */
export function ingressGroupName(platform: string, visibility: ExposureVisibility): string {
  return `${platform}-${visibility}`;
}

/** The ALB of a platform's group: `<platform>-int` or `-ext` (a platform name of 28 characters at most fits the 32 of an ALB name). */
export function loadBalancerNameFor(platform: string, visibility: ExposureVisibility): string {
  return `${platform}-${visibility === ExposureVisibility.INTERNET ? 'ext' : 'int'}`;
}

/**
 * The start of the name the controller gives an exposed service's target group: `k8s-<namespace>-<service>-` of
 * the Ingress backend, each cut to its first 8 alphanumerics (buildTargetGroupName, pkg/ingress/model_build_target_group.go
 * at v3.5.0; a hash of the cluster, group, Ingress and Service UID follows, unknown at synth). A service held at zero
 * (`held`) is backed by the interceptor's Service, whose prefix every held service of the group shares.
 */
export function targetGroupPrefix(name: string, namespace: string, held: boolean): string {
  const cut = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  const [ns, svc] = held ? [KEDA_HTTP_INTERCEPTOR.namespace, KEDA_HTTP_INTERCEPTOR.service] : [namespace, name];
  return `k8s-${cut(ns)}-${cut(svc)}-`;
}

/** The ranges a service admits: its allowedCidrs, else any address (internet with auth) or the VPC. */
export function admittedCidrs(e: InferenceExposure, vpcCidr: string): string[] {
  const cidrs = e.allowedCidrs ?? [];
  if (cidrs.length > 0) return cidrs;
  return e.visibility === ExposureVisibility.INTERNET ? ['0.0.0.0/0'] : [vpcCidr];
}

/**
 * The URL clients call: `https://<host>/` (`http://` without a certificate). Without a host it names the ALB's DNS
 * name, which the controller creates at run time (unknown at synth), as `<ALB DNS name>`.
 */
export function endpointUrl(e: InferenceExposure): string {
  return `${e.certificateArn !== undefined ? 'https' : 'http'}://${e.host ?? '<ALB DNS name>'}/`;
}

/**
 * Where a service's Ingress lives: its own namespace, or with `viaNamespace` (requests held by the interceptor) the
 * interceptor's, named after the service and its namespace (unique there).
 */
export function ingressOf(name: string, namespace: string, viaNamespace?: string): { name: string; namespace: string } {
  return viaNamespace !== undefined ? { name: `${name}.${namespace}`, namespace: viaNamespace } : { name, namespace };
}

/** The service's listener: HTTPS 443 with a certificate (no HTTP listener at all), else HTTP 80 (internal only). */
function listenPorts(e: InferenceExposure): string {
  return JSON.stringify([e.certificateArn !== undefined ? { HTTPS: 443 } : { HTTP: 80 }]);
}

/** Where the ALB sends a service's requests when not to its own pods: the request-holding interceptor. */
export interface ExposureBackend {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly healthPort: number;
  readonly healthPath: string;
}

/**
 * The Ingress of an exposed service (class `alb`, target type `ip`, in its group's ALB). Its backend is the
 * service itself, with a NetworkPolicy admitting the ALB's nodes (addresses of the VPC) to its pods; or, with
 * `via`, the interceptor's Service: the Ingress then lives in the interceptor's namespace (an Ingress backend names
 * a Service of its own namespace: networking.k8s.io/v1 IngressServiceBackend) in the same IngressGroup, and the
 * ALB health-checks the interceptor's readiness endpoint (a check on the service's path would wake it).
 * Annotations as documented by the pinned controller (docs/guide/ingress/annotations.md at v3.5.0).
 */
export function exposeService(
  chart: Chart,
  opts: {
    readonly name: string;
    readonly namespace: string;
    readonly port: number;
    readonly healthPath: string;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly expose: InferenceExposure;
    readonly group: LoadBalancerGroup;
    readonly via?: ExposureBackend;
  },
): void {
  const { name, expose, group, via } = opts;
  const backend = via
    ? { namespace: via.namespace, service: via.service, port: via.port }
    : { namespace: opts.namespace, service: name, port: opts.port };
  const internet = expose.visibility === ExposureVisibility.INTERNET;
  const cidrs = expose.allowedCidrs ?? [];
  const tls = expose.certificateArn !== undefined;
  const waf = group.wafAclArn ?? expose.wafAclArn;
  const annotations: Record<string, string> = {
    'alb.ingress.kubernetes.io/group.name': group.name,
    'alb.ingress.kubernetes.io/scheme': internet ? 'internet-facing' : 'internal',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/listen-ports': listenPorts(expose),
    // Exclusive per port across the group: every member gives the group's list (LoadBalancerGroup.inboundCidrs).
    'alb.ingress.kubernetes.io/inbound-cidrs': (group.inboundCidrs ?? admittedCidrs(expose, group.vpcCidr)).join(','),
    // Exclusive across the group too: every member gives the group's idle timeout (LoadBalancerGroup.idleTimeoutSeconds).
    'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${group.idleTimeoutSeconds ?? idleTimeoutFor(expose)}`,
    'alb.ingress.kubernetes.io/healthcheck-path': via ? via.healthPath : opts.healthPath,
    ...(via ? { 'alb.ingress.kubernetes.io/healthcheck-port': String(via.healthPort) } : {}),
    ...(waf !== undefined ? { 'alb.ingress.kubernetes.io/wafv2-acl-arn': waf } : {}),
    ...(group.loadBalancerName !== undefined
      ? { 'alb.ingress.kubernetes.io/load-balancer-name': group.loadBalancerName }
      : {}),
    ...(tls
      ? {
          'alb.ingress.kubernetes.io/certificate-arn': expose.certificateArn!,
          'alb.ingress.kubernetes.io/ssl-policy': ALB_TLS_POLICY,
        }
      : {}),
    // Per Ingress, so per service: its own rule authenticates (auth-type / jwt-validation, annotations.md v3.5.0).
    ...authAnnotations(expose.auth),
    // The service's own ranges, on its own rule: the group's security group admits the union of every member's.
    ...(cidrs.length > 0
      ? {
          [`alb.ingress.kubernetes.io/conditions.${backend.service}`]: JSON.stringify([
            { field: 'source-ip', sourceIpConfig: { values: cidrs } },
          ]),
        }
      : {}),
  };
  new k8s.KubeIngress(chart, 'Ingress', {
    metadata: {
      ...ingressOf(name, opts.namespace, via?.namespace),
      labels: opts.labels,
      annotations,
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          host: expose.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: backend.service, port: { number: backend.port } } },
              },
            ],
          },
        },
      ],
    },
  });
  if (via) return;
  new k8s.KubeNetworkPolicy(chart, 'LoadBalancerIngress', {
    metadata: { name: `allow-alb-${name}`, namespace: opts.namespace, labels: opts.labels },
    spec: {
      podSelector: { matchLabels: opts.selector },
      policyTypes: ['Ingress'],
      // ip targets: the ALB's nodes connect from their own addresses in the VPC's subnets (controller docs, target-type ip).
      ingress: [
        {
          from: [{ ipBlock: { cidr: group.vpcCidr } }],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(opts.port) }],
        },
      ],
    },
  });
}
