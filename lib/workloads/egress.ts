import { k8s } from 'cdk8s-plus-27';
import { parseCidr } from '../catalog/service-limits';
import type { Problem } from '../core/problems';

/** Transport protocols a NetworkPolicy port takes (Kubernetes NetworkPolicyPort.protocol). */
export enum EgressProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** A port, or a range of ports, on one protocol. */
export interface EgressPort {
  /** The port, 1..65535; the first of the range when `endPort` is given. @asType integer */
  readonly port: number;
  /** The last port of a range, `port`..65535. @default - the one port @asType integer */
  readonly endPort?: number;
  /** @default EgressProtocol.TCP */
  readonly protocol?: EgressProtocol;
}

/** Destinations the pods of a namespace may reach, on some ports: address ranges, other namespaces, or both. */
export interface EgressAllowance {
  /** A name for the policy, e.g. `postgres` (it ends the policy name `allow-egress-<name>`). */
  readonly name: string;
  /** Destination address ranges: IPv4 or IPv6 CIDRs without host bits (`10.0.5.0/24`, `2001:db8::/32`). @default - none */
  readonly cidrs?: string[];
  /** Namespaces whose pods may be reached (by their `kubernetes.io/metadata.name` label). @default - none */
  readonly namespaces?: string[];
  readonly ports: EgressPort[];
}

const PROTOCOLS = Object.values(EgressProtocol) as string[];
const isPort = (p: unknown): p is number => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

/**
 * Problems of declared egress, as the API server validates a NetworkPolicy (k8s.io/kubernetes
 * pkg/apis/networking/validation: ValidateNetworkPolicyPort — protocol TCP|UDP|SCTP, port 1..65535,
 * `endPort` >= `port`; ValidateIPBlock — a CIDR), plus what strict CIDR validation (the StrictIPCIDRValidation
 * gate) and a reader expect: no host bits, canonical addresses. Field names are relative to the owner (`egress[i]...`).
 */
export function egressProblems(declared: readonly EgressAllowance[], at = 'egress'): Problem[] {
  const problems: Problem[] = [];
  const bad = (field: string, value: unknown, message: string) => problems.push({ field, value, message });
  declared.forEach((d, i) => {
    const f = `${at}[${i}]`;
    if (!/^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/.test(d.name ?? ''))
      bad(
        `${f}.name`,
        d.name,
        "must be 1..50 lowercase letters, digits and '-', starting and ending alphanumeric (it ends the policy name allow-egress-<name>)",
      );
    if (declared.findIndex((o) => o.name === d.name) !== i) bad(`${f}.name`, d.name, 'is listed twice');
    const cidrs = d.cidrs ?? [];
    const namespaces = d.namespaces ?? [];
    if (cidrs.length === 0 && namespaces.length === 0)
      bad(`${f}.cidrs`, '[]', 'must name at least one address range (or set namespaces)');
    cidrs.forEach((c, j) => {
      const parsed = parseNetworkCidr(c);
      if (!parsed) bad(`${f}.cidrs[${j}]`, c, 'must be an IPv4 or IPv6 CIDR such as 10.0.0.0/16 or 2001:db8::/32');
      else if (parsed.network !== c)
        bad(`${f}.cidrs[${j}]`, c, `must name the network without host bits, in canonical form: ${parsed.network}`);
    });
    namespaces.forEach((n, j) => {
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n))
        bad(
          `${f}.namespaces[${j}]`,
          n,
          "must be a namespace name (DNS-1123 label: 1..63 lowercase letters, digits and '-', starting and ending alphanumeric)",
        );
    });
    if (d.ports.length === 0) bad(`${f}.ports`, '[]', 'must name at least one port');
    d.ports.forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (!isPort(p.port)) bad(`${pf}.port`, p.port, 'must be a whole number between 1 and 65535');
      if (p.endPort !== undefined && !isPort(p.endPort))
        bad(`${pf}.endPort`, p.endPort, 'must be a whole number between 1 and 65535');
      else if (p.endPort !== undefined && isPort(p.port) && p.endPort < p.port)
        bad(`${pf}.endPort`, p.endPort, `must be >= port (${p.port})`);
      if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
        bad(`${pf}.protocol`, p.protocol, `must be one of ${PROTOCOLS.join(', ')}`);
    });
  });
  return problems;
}

/** The NetworkPolicy egress rule of a declared egress: its ranges and namespaces, on its ports. */
export function egressRule(d: EgressAllowance): k8s.NetworkPolicyEgressRule {
  return {
    to: [
      ...(d.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
      // Every namespace carries `kubernetes.io/metadata.name` (set by the API server since Kubernetes 1.22).
      ...(d.namespaces ?? []).map((ns) => ({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      })),
    ],
    ports: d.ports.map((p) => ({
      protocol: p.protocol ?? EgressProtocol.TCP,
      port: k8s.IntOrString.fromNumber(p.port),
      ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
    })),
  };
}

/**
 * An IPv4 or IPv6 CIDR and its network in canonical form (IPv4 dotted decimal; IPv6 lowercase, zeros
 * compressed as RFC 5952 writes them); undefined when it is not one.
 */
export function parseNetworkCidr(value: string): { network: string; hostBits: boolean } | undefined {
  if (!value.includes(':')) {
    const v4 = parseCidr(value);
    return v4 && { network: v4.network, hostBits: v4.hostBits };
  }
  const m = /^([0-9A-Fa-f:]+)\/(\d{1,3})$/.exec(value);
  if (!m || Number(m[2]) > 128 || (m[2].length > 1 && m[2].startsWith('0'))) return undefined;
  const address = parseIpv6(m[1]);
  if (address === undefined) return undefined;
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  const base = address & mask;
  return { network: `${formatIpv6(base)}/${prefix}`, hostBits: base !== address };
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const [head, tail] = [groups(halves[0]), halves.length === 2 ? groups(halves[1]) : []];
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array(8 - count).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  return all.reduce((a, g) => (a << 16n) + BigInt(parseInt(g, 16)), 0n);
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups (the first of equal ones) becomes '::'.
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
