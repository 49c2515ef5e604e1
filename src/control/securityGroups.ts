// Security groups: rules by CIDR, by referenced group, or by prefix list; every new group starts
// with AWS's allow-all egress rule. Authorize and revoke are all-or-nothing, as on AWS.
import { AwsError } from "../model/errors.js";
import { findPrefixList } from "../model/catalog/index.js";
import { formatIpv4, maskOf, parseIpv4 } from "../model/net.js";
import type { IpProtocol, SecurityGroup, SecurityGroupRule, Tag } from "../model/types.js";
import { type Ctx, base, checkIdFormat, get, invalidParam } from "./context.js";

/** One IpPermission of AuthorizeSecurityGroupIngress/Egress: a protocol and ports, several peers. */
export interface IpPermission {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  ipRanges?: { cidrIp: string; description?: string }[];
  groupIds?: string[];
  prefixListIds?: string[];
  /** Referenced groups with a rule description (the API's UserIdGroupPairs). */
  groups?: { groupId: string; userId?: string; description?: string }[];
  /** Prefix lists with a rule description (the API's PrefixListIds). */
  prefixLists?: { prefixListId: string; description?: string }[];
}

export const RULES_PER_DIRECTION = 60;

export function createSecurityGroup(ctx: Ctx, input: { groupName: string; description: string; vpcId: string; tags?: Tag[] }): SecurityGroup {
  const vpc = get(ctx, "vpcs", input.vpcId);
  if (input.groupName.length === 0 || input.groupName.length > 255) throw invalidParam(`Invalid value '${input.groupName}' for groupName.`);
  if (input.groupName.toLowerCase().startsWith("sg-")) throw invalidParam("Group names may not be in the format sg-*.");
  checkText(input.groupName, "GroupName");
  checkText(input.description, "GroupDescription");
  // AWS: "Names are case-insensitive and must be unique within the VPC."
  for (const g of ctx.world.securityGroups.inVpc(vpc.id)) {
    if (g.groupName.toLowerCase() === input.groupName.toLowerCase()) {
      throw new AwsError("InvalidGroup.Duplicate", `The security group '${input.groupName}' already exists for VPC '${vpc.id}'`);
    }
  }
  const sg: SecurityGroup = { ...base(ctx, "sg", input.tags), vpcId: vpc.id, groupName: input.groupName, description: input.description, rules: [] };
  sg.rules.push({ id: ctx.world.ids.next("sgr"), isEgress: true, ipProtocol: "-1", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" });
  ctx.world.securityGroups.set(sg.id, sg);
  return sg;
}

const VALID_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

/** Names and descriptions: up to 255 characters of AWS's documented set (a-z, A-Z, 0-9, spaces, ._-:/()#,@[]+=&;{}!$*). */
function checkText(text: string, param: string): void {
  if (text.length > 255) throw invalidParam(`Value (${text}) for parameter ${param} is invalid. Length exceeds maximum of 255.`);
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) throw invalidParam(`Value (${text}) for parameter ${param} is invalid. Character sets beyond ASCII are not supported.`);
  if (!VALID_TEXT.test(text)) throw invalidParam(`Value (${text}) for parameter ${param} is invalid. Valid characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*`);
}

function checkRuleDescription(d: string | undefined): { description?: string } {
  if (d === undefined || d === "") return {};
  if (d.length > 255 || !VALID_TEXT.test(d)) {
    throw invalidParam("Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
  }
  return { description: d };
}

export function deleteSecurityGroup(ctx: Ctx, groupId: string): void {
  const sg = get(ctx, "securityGroups", groupId);
  if (sg.groupName === "default") {
    throw new AwsError("CannotDelete", `the specified group: "${sg.id}" name: "default" cannot be deleted by a user`);
  }
  const w = ctx.world;
  const used = w.networkInterfaces.inVpc(sg.vpcId).some((e) => e.groupIds.includes(sg.id)) ||
    [...w.securityGroups.values()].some((g) => g.id !== sg.id && g.rules.some((r) => r.referencedGroupId === sg.id));
  if (used) throw new AwsError("DependencyViolation", `resource ${sg.id} has a dependent object`);
  w.securityGroups.delete(sg.id);
}

function normalizeProtocol(p: string): IpProtocol {
  switch (p.toLowerCase()) {
    case "-1": case "all": return "-1";
    case "tcp": case "6": return "tcp";
    case "udp": case "17": return "udp";
    case "icmp": case "1": return "icmp";
    default: throw invalidParam(`Invalid value '${p}' for IP protocol. Unknown protocol.`);
  }
}

/** Expands permissions into one rule per peer, validated against the group's VPC. */
function expand(ctx: Ctx, sg: SecurityGroup, isEgress: boolean, perms: IpPermission[]): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  for (const p of perms) {
    const ipProtocol = normalizeProtocol(p.ipProtocol);
    let fromPort = -1;
    let toPort = -1;
    if (ipProtocol === "tcp" || ipProtocol === "udp") {
      if (p.fromPort === undefined || p.toPort === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter fromPort and toPort for TCP and UDP");
      for (const port of [p.fromPort, p.toPort]) {
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidParam(`Invalid value '${port}' for portRange. Must be between 0 and 65535.`);
      }
      if (p.fromPort > p.toPort) throw invalidParam(`Invalid TCP/UDP port range: fromPort (${p.fromPort}) must not be greater than toPort (${p.toPort}).`);
      fromPort = p.fromPort;
      toPort = p.toPort;
    } else if (ipProtocol === "icmp") {
      fromPort = p.fromPort ?? -1;
      toPort = p.toPort ?? -1;
      // AWS: "If the start port is -1 (all ICMP types), then the end port must be -1 (all ICMP codes)."
      if (fromPort === -1 && toPort !== -1) throw invalidParam(`Invalid value '${toPort}' for portRange. ICMP code must be -1 when the ICMP type is -1.`);
    }
    const common = { isEgress, ipProtocol, fromPort, toPort };
    const peers = (p.ipRanges?.length ?? 0) + (p.groupIds?.length ?? 0) + (p.prefixListIds?.length ?? 0) + (p.groups?.length ?? 0) + (p.prefixLists?.length ?? 0);
    if (peers === 0) throw new AwsError("MissingParameter", "The request must contain the parameter ipRanges, groupIds or prefixListIds");
    for (const r of p.ipRanges ?? []) {
      rules.push({ id: "", ...common, cidrIpv4: canonicalCidr(r.cidrIp), ...checkRuleDescription(r.description) });
    }
    for (const g of [...(p.groupIds ?? []).map((groupId) => ({ groupId, userId: undefined, description: undefined })), ...(p.groups ?? [])]) {
      const ref = g.userId !== undefined && g.userId !== ctx.account ? peerAccountGroup(ctx, sg, g.groupId, g.userId) : get(ctx, "securityGroups", g.groupId);
      if (ref.vpcId !== sg.vpcId && !peered(ctx, ref.vpcId, sg.vpcId)) {
        throw invalidParam(`You have specified two resources that belong to different networks.`);
      }
      rules.push({ id: "", ...common, referencedGroupId: ref.id, ...checkRuleDescription(g.description) });
    }
    for (const pl of [...(p.prefixListIds ?? []).map((prefixListId) => ({ prefixListId, description: undefined })), ...(p.prefixLists ?? [])]) {
      if (!findPrefixList(ctx.region, pl.prefixListId)) throw new AwsError("InvalidPrefixListID.NotFound", `The prefix list ID '${pl.prefixListId}' does not exist`);
      rules.push({ id: "", ...common, prefixListId: pl.prefixListId, ...checkRuleDescription(pl.description) });
    }
  }
  return rules;
}

/**
 * AWS canonicalizes rule CIDRs: 100.68.0.18/18 is stored (and compared for duplicates) as
 * 100.68.0.0/18, unlike subnet and ACL CIDRs, which must already be network addresses.
 */
function canonicalCidr(text: string): string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const ip = m ? parseIpv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix <= 32)) throw invalidParam(`Value (${text}) for parameter cidrIp is invalid. This is not a valid CIDR block.`);
  return `${formatIpv4((ip & maskOf(prefix)) >>> 0)}/${prefix}`;
}

/**
 * Another account's group, named with its UserId: AWS allows it when its VPC and the group's
 * are peered (active, same Region); otherwise it answers as if the group did not exist.
 */
function peerAccountGroup(ctx: Ctx, sg: SecurityGroup, groupId: string, userId: string): SecurityGroup {
  checkIdFormat("securityGroups", groupId);
  const ref = ctx.world.securityGroups.get(groupId);
  if (!ref || ref.ownerId !== userId || ref.region !== ctx.region || !peered(ctx, ref.vpcId, sg.vpcId)) {
    throw new AwsError("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
  }
  return ref;
}

function peered(ctx: Ctx, a: string, b: string): boolean {
  for (const p of ctx.world.peeringConnections.values()) {
    if (p.status === "active" && ((p.requesterVpcId === a && p.accepterVpcId === b) || (p.requesterVpcId === b && p.accepterVpcId === a))) return true;
  }
  return false;
}

function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  return a.isEgress === b.isEgress && a.ipProtocol === b.ipProtocol && a.fromPort === b.fromPort && a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 && a.referencedGroupId === b.referencedGroupId && a.prefixListId === b.prefixListId;
}

export function describeRule(r: SecurityGroupRule): string {
  const peer = r.cidrIpv4 ?? r.referencedGroupId ?? r.prefixListId ?? "";
  const proto = r.ipProtocol === "-1" ? "ALL" : r.ipProtocol.toUpperCase();
  const ports = r.ipProtocol === "-1" ? "" : `, from port: ${r.fromPort}, to port: ${r.toPort}`;
  return `peer: ${peer}, ${proto}${ports}, ALLOW`;
}

export function authorize(ctx: Ctx, groupId: string, isEgress: boolean, perms: IpPermission[]): SecurityGroupRule[] {
  const sg = get(ctx, "securityGroups", groupId);
  const rules = expand(ctx, sg, isEgress, perms);
  for (const [i, r] of rules.entries()) {
    if (sg.rules.some((x) => sameRule(x, r)) || rules.slice(0, i).some((x) => sameRule(x, r))) {
      throw new AwsError("InvalidPermission.Duplicate", `the specified rule "${describeRule(r)}" already exists`);
    }
  }
  const count = sg.rules.filter((r) => r.isEgress === isEgress).length + rules.length;
  if (count > RULES_PER_DIRECTION) {
    throw new AwsError("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
  }
  for (const r of rules) r.id = ctx.world.ids.next("sgr");
  sg.rules.push(...rules);
  return rules;
}

/** Removes the rules the permissions describe (all must exist: no default VPC here); returns them. */
export function revoke(ctx: Ctx, groupId: string, isEgress: boolean, perms: IpPermission[]): SecurityGroupRule[] {
  const sg = get(ctx, "securityGroups", groupId);
  const rules = expand(ctx, sg, isEgress, perms);
  for (const r of rules) {
    if (!sg.rules.some((x) => sameRule(x, r))) {
      throw new AwsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
    }
  }
  const removed = sg.rules.filter((x) => rules.some((r) => sameRule(x, r)));
  sg.rules = sg.rules.filter((x) => !removed.includes(x));
  return removed;
}

/** Removes rules by id (RevokeSecurityGroupIngress/Egress SecurityGroupRuleId.N); every id must be a rule of this group and direction. */
export function revokeRuleIds(ctx: Ctx, groupId: string, isEgress: boolean, ruleIds: string[]): SecurityGroupRule[] {
  const sg = get(ctx, "securityGroups", groupId);
  const removed: SecurityGroupRule[] = [];
  for (const id of new Set(ruleIds)) {
    if (!/^sgr-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw new AwsError("InvalidSecurityGroupRuleId.Malformed", `Invalid id: "${id}" (expecting "sgr-...")`);
    const rule = sg.rules.find((r) => r.id === id && r.isEgress === isEgress);
    if (!rule) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
    removed.push(rule);
  }
  sg.rules = sg.rules.filter((x) => !removed.includes(x));
  return removed;
}

/** Replaces one direction's rules wholesale (the lab file's reconcile): validated first, then swapped. */
export function replaceRules(ctx: Ctx, groupId: string, isEgress: boolean, perms: IpPermission[]): void {
  const sg = get(ctx, "securityGroups", groupId);
  const wanted = expand(ctx, sg, isEgress, perms);
  const kept = sg.rules.filter((x) => x.isEgress === isEgress && wanted.some((r) => sameRule(x, r)));
  const added = wanted.filter((r, i) => !kept.some((x) => sameRule(x, r)) && !wanted.slice(0, i).some((x) => sameRule(x, r)));
  if (kept.length + added.length > RULES_PER_DIRECTION) {
    throw new AwsError("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
  }
  for (const r of added) r.id = ctx.world.ids.next("sgr");
  sg.rules = [...sg.rules.filter((x) => x.isEgress !== isEgress), ...kept, ...added];
}
