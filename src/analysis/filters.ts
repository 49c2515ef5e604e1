// Packet filters. Security groups are stateful allow-lists on an ENI: any rule of any group
// admits. Network ACLs are stateless, numbered rules on a subnet: the lowest-numbered rule that
// matches decides, and return traffic is checked again, against the client's ephemeral ports.
import { findPrefixList } from "../model/catalog/index.js";
import { containsIp, parseCidr } from "../model/net.js";
import type { NetworkAcl, NetworkAclEntry, NetworkInterface, SecurityGroupRule } from "../model/types.js";
import type { World } from "../model/world.js";
import type { MatchedRule } from "./types.js";

export type Protocol = "tcp" | "udp" | "icmp";
const PROTOCOL_NUMBER: Record<Protocol, string> = { tcp: "6", udp: "17", icmp: "1" };

/** Ephemeral source ports clients use: the range AWS documents for Linux, and the wide range for NAT and on-prem. */
export const EPHEMERAL = { linux: { from: 32768, to: 61000 }, wide: { from: 1024, to: 65535 } };

export interface SgVerdict { allowed: boolean; rule?: MatchedRule }

export function sgRuleText(r: SecurityGroupRule): string {
  const proto = r.ipProtocol === "-1" ? "all traffic" : r.ipProtocol;
  const ports = r.ipProtocol === "-1" || r.fromPort === -1 ? "" : r.fromPort === r.toPort ? ` ${r.fromPort}` : ` ${r.fromPort}-${r.toPort}`;
  return `${proto}${ports} ${r.isEgress ? "to" : "from"} ${r.cidrIpv4 ?? r.referencedGroupId ?? r.prefixListId ?? "?"}`;
}

/**
 * Whether the ENI's security groups let this flow through in one direction. `peer` is the far
 * end's address and, when it is an ENI that can be referenced (same or peered VPC), its ENI.
 */
export function evaluateSecurityGroups(
  world: World, eni: NetworkInterface, egress: boolean, peerIp: number, protocol: Protocol, port: number, peerEni?: NetworkInterface,
): SgVerdict {
  for (const groupId of eni.groupIds) {
    const sg = world.securityGroups.get(groupId);
    if (!sg) continue;
    for (const r of sg.rules) {
      if (r.isEgress !== egress) continue;
      if (r.ipProtocol !== "-1" && r.ipProtocol !== protocol) continue;
      if ((protocol === "tcp" || protocol === "udp") && r.ipProtocol !== "-1" && (port < r.fromPort || port > r.toPort)) continue;
      if (!peerMatches(world, sg.region, r, peerIp, peerEni)) continue;
      return { allowed: true, rule: { securityGroupId: sg.id, groupName: sg.groupName, securityGroupRuleId: r.id, direction: egress ? "egress" : "ingress", rule: sgRuleText(r) } };
    }
  }
  return { allowed: false };
}

function peerMatches(world: World, region: string, r: SecurityGroupRule, ip: number, peerEni?: NetworkInterface): boolean {
  if (r.cidrIpv4) return containsIp(parseCidr(r.cidrIpv4)!, ip);
  if (r.prefixListId) return (findPrefixList(region, r.prefixListId)?.cidrs ?? []).some((c) => containsIp(parseCidr(c)!, ip));
  if (r.referencedGroupId) return peerEni !== undefined && peerEni.groupIds.includes(r.referencedGroupId) && world.securityGroups.has(r.referencedGroupId);
  return false;
}

export interface AclSegment { from: number; to: number; action: "allow" | "deny"; ruleNumber: number; cidr: string }
export interface AclVerdict { allowed: boolean; segments: AclSegment[]; rule: MatchedRule }

function entryText(e: NetworkAclEntry): string {
  const proto = e.protocol === "-1" ? "all" : ({ "6": "tcp", "17": "udp", "1": "icmp" } as Record<string, string>)[e.protocol] ?? e.protocol;
  const ports = e.portRange ? ` ${e.portRange.from}-${e.portRange.to}` : "";
  return `${e.ruleNumber === 32767 ? "*" : e.ruleNumber} ${e.ruleAction} ${proto}${ports} ${e.cidrBlock}`;
}

/**
 * Evaluates every port in [from, to] at once: rules are taken lowest number first, each claims
 * the ports it matches that no earlier rule claimed. The flow passes only if every port is
 * allowed: a return path that admits half the ephemeral range fails half the connections.
 */
export function evaluateAcl(acl: NetworkAcl, egress: boolean, peerIp: number, protocol: Protocol, ports: { from: number; to: number }): AclVerdict {
  const entries = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  let open: { from: number; to: number }[] = [{ ...ports }];
  const segments: AclSegment[] = [];
  const usesPorts = protocol === "tcp" || protocol === "udp";
  for (const e of entries) {
    if (open.length === 0) break;
    if (e.protocol !== "-1" && e.protocol !== PROTOCOL_NUMBER[protocol]) continue;
    if (!containsIp(parseCidr(e.cidrBlock)!, peerIp)) continue;
    const range = usesPorts && e.portRange ? e.portRange : { from: 0, to: 65535 };
    const next: { from: number; to: number }[] = [];
    for (const o of open) {
      const lo = Math.max(o.from, range.from);
      const hi = Math.min(o.to, range.to);
      if (lo > hi) { next.push(o); continue; }
      segments.push({ from: lo, to: hi, action: e.ruleAction, ruleNumber: e.ruleNumber, cidr: e.cidrBlock });
      if (o.from < lo) next.push({ from: o.from, to: lo - 1 });
      if (hi < o.to) next.push({ from: hi + 1, to: o.to });
    }
    open = next;
  }
  segments.sort((a, b) => a.from - b.from);
  const allowed = segments.length > 0 && open.length === 0 && segments.every((s) => s.action === "allow");
  const deciding = segments.find((s) => s.action === "deny") ?? segments[0];
  const entry = deciding ? entries.find((e) => e.ruleNumber === deciding.ruleNumber) : undefined;
  return {
    allowed,
    segments,
    rule: {
      networkAclId: acl.id,
      direction: egress ? "outbound" : "inbound",
      ruleNumber: entry ? (entry.ruleNumber === 32767 ? "*" : entry.ruleNumber) : undefined,
      ruleAction: entry?.ruleAction,
      rule: entry ? entryText(entry) : undefined,
    },
  };
}

/** "ports 32768-60999 allowed by rule 100" or the denied parts, for people. */
export function describeSegments(v: AclVerdict, usesPorts: boolean): string {
  const label = (s: AclSegment): string => `${s.ruleNumber === 32767 ? "*" : `rule ${s.ruleNumber}`} (${s.action})`;
  if (!usesPorts) return v.segments[0] ? `decided by ${label(v.segments[0])}` : "no rule matches";
  return v.segments.map((s) => `${s.from === s.to ? `port ${s.from}` : `ports ${s.from}-${s.to}`}: ${label(s)}`).join("; ");
}
