// Security groups on the wire: Create/Delete/Describe, Authorize/Revoke in both directions (with
// the legacy top-level ingress parameters) and DescribeSecurityGroupRules. Rules are stored one
// per peer; Describe regroups them into IpPermissions the way AWS shows them.
import { type Ctx, get } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { type IpPermission, authorize, createSecurityGroup, deleteSecurityGroup, revoke, revokeRuleIds } from "../../control/securityGroups.js";
import { AwsError } from "../../model/errors.js";
import type { SecurityGroup, SecurityGroupRule, Tag } from "../../model/types.js";
import { type ActionTable, type TagSpecification, as, paginate, tagsFor } from "../actions.js";
import { type DescribeInput, describe, owned } from "./common.js";

// ---- presenters ----

export function securityGroupArn(sg: SecurityGroup): string {
  return `arn:aws:ec2:${sg.region}:${sg.ownerId}:security-group/${sg.id}`;
}

/** The account that owns a referenced group (the caller's own when it is gone). */
function ownerOf(ctx: Ctx, groupId: string): string {
  return ctx.world.securityGroups.get(groupId)?.ownerId ?? ctx.account;
}

/** A rule as DescribeSecurityGroupRules and Authorize* show it. */
export function presentSecurityGroupRule(ctx: Ctx, sg: SecurityGroup, r: SecurityGroupRule): object {
  return {
    securityGroupRuleId: r.id, groupId: sg.id, groupOwnerId: sg.ownerId, isEgress: r.isEgress, ipProtocol: r.ipProtocol,
    fromPort: r.fromPort, toPort: r.toPort, cidrIpv4: r.cidrIpv4, prefixListId: r.prefixListId, description: r.description,
    referencedGroupInfo: r.referencedGroupId !== undefined ? { groupId: r.referencedGroupId, userId: ownerOf(ctx, r.referencedGroupId) } : undefined,
    tags: [], securityGroupRuleArn: `arn:aws:ec2:${sg.region}:${sg.ownerId}:security-group-rule/${r.id}`,
  };
}

interface ApiIpPermission {
  ipProtocol: string; fromPort?: number; toPort?: number;
  ipRanges: { cidrIp: string; description?: string }[];
  ipv6Ranges: never[];
  prefixListIds: { prefixListId: string; description?: string }[];
  userIdGroupPairs: { groupId: string; userId: string; description?: string }[];
}

/**
 * AWS shows one IpPermission per (protocol, from port, to port), listing every peer of those
 * rules; the all-protocols permission carries no ports.
 */
export function ipPermissions(ctx: Ctx, rules: SecurityGroupRule[]): ApiIpPermission[] {
  const byKey = new Map<string, ApiIpPermission>();
  for (const r of rules) {
    const key = `${r.ipProtocol} ${r.fromPort} ${r.toPort}`;
    let p = byKey.get(key);
    if (!p) {
      p = { ipProtocol: r.ipProtocol, ...(r.ipProtocol === "-1" ? {} : { fromPort: r.fromPort, toPort: r.toPort }), ipRanges: [], ipv6Ranges: [], prefixListIds: [], userIdGroupPairs: [] };
      byKey.set(key, p);
    }
    const d = r.description !== undefined ? { description: r.description } : {};
    if (r.cidrIpv4 !== undefined) p.ipRanges.push({ cidrIp: r.cidrIpv4, ...d });
    if (r.prefixListId !== undefined) p.prefixListIds.push({ prefixListId: r.prefixListId, ...d });
    if (r.referencedGroupId !== undefined) p.userIdGroupPairs.push({ groupId: r.referencedGroupId, userId: ownerOf(ctx, r.referencedGroupId), ...d });
  }
  return [...byKey.values()];
}

export function presentSecurityGroup(ctx: Ctx, sg: SecurityGroup): object {
  return {
    groupId: sg.id, groupName: sg.groupName, description: sg.description, ownerId: sg.ownerId, vpcId: sg.vpcId,
    ipPermissions: ipPermissions(ctx, sg.rules.filter((r) => !r.isEgress)),
    ipPermissionsEgress: ipPermissions(ctx, sg.rules.filter((r) => r.isEgress)),
    tags: sg.tags, securityGroupArn: securityGroupArn(sg),
  };
}

// ---- filters ----

/** Protocol filters match the name or the number (tcp or 6). */
function protocolValues(p: string): string[] {
  return ({ tcp: ["tcp", "6"], udp: ["udp", "17"], icmp: ["icmp", "1"] } as Record<string, string[]>)[p] ?? [p];
}

function ruleFilters(ctx: Ctx, prefix: string, egress: boolean): FilterTable<SecurityGroup> {
  const rules = (sg: SecurityGroup): SecurityGroupRule[] => sg.rules.filter((r) => r.isEgress === egress);
  const refs = (sg: SecurityGroup): SecurityGroup[] => rules(sg).flatMap((r) => {
    const g = r.referencedGroupId !== undefined ? ctx.world.securityGroups.get(r.referencedGroupId) : undefined;
    return g ? [g] : [];
  });
  return {
    [`${prefix}ip-permission.cidr`]: (sg) => rules(sg).map((r) => r.cidrIpv4),
    [`${prefix}ip-permission.from-port`]: (sg) => rules(sg).map((r) => r.fromPort),
    [`${prefix}ip-permission.to-port`]: (sg) => rules(sg).map((r) => r.toPort),
    [`${prefix}ip-permission.protocol`]: (sg) => rules(sg).flatMap((r) => protocolValues(r.ipProtocol)),
    [`${prefix}ip-permission.group-id`]: (sg) => rules(sg).map((r) => r.referencedGroupId),
    [`${prefix}ip-permission.group-name`]: (sg) => refs(sg).map((g) => g.groupName),
    [`${prefix}ip-permission.user-id`]: (sg) => refs(sg).map((g) => g.ownerId),
    [`${prefix}ip-permission.prefix-list-id`]: (sg) => rules(sg).map((r) => r.prefixListId),
    [`${prefix}ip-permission.ipv6-cidr`]: () => [],
  };
}

const groupFilters = (ctx: Ctx): FilterTable<SecurityGroup> => ({
  "description": (sg) => sg.description,
  "group-id": (sg) => sg.id,
  "group-name": (sg) => sg.groupName,
  "owner-id": (sg) => sg.ownerId,
  "vpc-id": (sg) => sg.vpcId,
  ...ruleFilters(ctx, "", false),
  ...ruleFilters(ctx, "egress.", true),
});

interface RuleRow { sg: SecurityGroup; rule: SecurityGroupRule; tags: Tag[] }

const RULE_FILTERS: FilterTable<RuleRow> = {
  "group-id": (r) => r.sg.id,
  "security-group-rule-id": (r) => r.rule.id,
};

// ---- inputs ----

interface ApiPermissionInput {
  ipProtocol?: string; fromPort?: number; toPort?: number;
  userIdGroupPairs?: { groupId?: string; groupName?: string; userId?: string; description?: string }[];
  ipRanges?: { cidrIp?: string; description?: string }[];
  ipv6Ranges?: unknown[];
  prefixListIds?: { prefixListId?: string; description?: string }[];
}

interface LegacyInput {
  cidrIp?: string; fromPort?: number; toPort?: number; ipProtocol?: string;
  sourceSecurityGroupName?: string; sourceSecurityGroupOwnerId?: string;
}

interface RuleCallInput extends LegacyInput {
  groupId?: string; groupName?: string; ipPermissions?: ApiPermissionInput[];
  tagSpecifications?: TagSpecification[]; securityGroupRuleIds?: string[];
}

const LEGACY = ["cidrIp", "fromPort", "toPort", "ipProtocol", "sourceSecurityGroupName", "sourceSecurityGroupOwnerId"] as const;

/**
 * A group named by id, or by name. AWS takes names only for the default VPC, which vpclab
 * does not have: a name is accepted when exactly one of the caller's groups has it, and an
 * ambiguous name gets the error AWS gives without a default VPC.
 */
function groupByName(ctx: Ctx, name: string, vpcId?: string): SecurityGroup {
  const matches = owned(ctx, "securityGroups").filter((g) => g.groupName.toLowerCase() === name.toLowerCase() && (vpcId === undefined || g.vpcId === vpcId));
  if (matches.length === 0) throw new AwsError("InvalidGroup.NotFound", `The security group '${name}' does not exist`);
  if (matches.length > 1) throw new AwsError("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.");
  return matches[0]!;
}

function targetGroup(ctx: Ctx, i: { groupId?: string; groupName?: string }): SecurityGroup {
  if (i.groupId !== undefined) return get(ctx, "securityGroups", i.groupId);
  if (i.groupName !== undefined) return groupByName(ctx, i.groupName);
  throw new AwsError("MissingParameter", "The request must contain the parameter groupName or groupId");
}

/** IpPermission.N as the control layer takes it: names resolved in the group's VPC, IPv6 refused. */
function toControl(ctx: Ctx, sg: SecurityGroup, perms: ApiPermissionInput[]): IpPermission[] {
  return perms.map((p, n) => {
    if (p.ipProtocol === undefined) throw new AwsError("MissingParameter", `The request must contain the parameter IpPermissions.${n + 1}.IpProtocol`);
    if ((p.ipv6Ranges?.length ?? 0) > 0) throw new AwsError("InvalidParameterValue", "vpclab models IPv4 only: Ipv6Ranges are not supported");
    return {
      ipProtocol: p.ipProtocol,
      ...(p.fromPort !== undefined ? { fromPort: p.fromPort } : {}),
      ...(p.toPort !== undefined ? { toPort: p.toPort } : {}),
      ipRanges: (p.ipRanges ?? []).map((r, k) => {
        if (r.cidrIp === undefined) throw new AwsError("MissingParameter", `The request must contain the parameter IpPermissions.${n + 1}.IpRanges.${k + 1}.CidrIp`);
        return { cidrIp: r.cidrIp, ...(r.description !== undefined ? { description: r.description } : {}) };
      }),
      groups: (p.userIdGroupPairs ?? []).map((g) => {
        const groupId = g.groupId ?? (g.groupName !== undefined ? groupByName(ctx, g.groupName, sg.vpcId).id : undefined);
        if (groupId === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter groupId or groupName");
        // A group of another account (UserId) is allowed across an active peering; control/ checks it.
        return { groupId, ...(g.userId !== undefined ? { userId: g.userId } : {}), ...(g.description !== undefined ? { description: g.description } : {}) };
      }),
      prefixLists: (p.prefixListIds ?? []).map((pl) => {
        if (pl.prefixListId === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter prefixListId");
        return { prefixListId: pl.prefixListId, ...(pl.description !== undefined ? { description: pl.description } : {}) };
      }),
    };
  });
}

/**
 * The permissions of an ingress call: IpPermissions, or the legacy top-level CidrIp/IpProtocol/
 * FromPort/ToPort, or SourceSecurityGroupName, which AWS documents as granting full ICMP, UDP
 * and TCP access from that group.
 */
function ingressPermissions(ctx: Ctx, sg: SecurityGroup, i: RuleCallInput): IpPermission[] {
  const legacy = LEGACY.filter((k) => i[k] !== undefined);
  if (i.ipPermissions?.length) {
    if (legacy.length > 0) throw new AwsError("InvalidParameterCombination", `The parameter 'ipPermissions' may not be used in combination with '${legacy[0]!}'`);
    return toControl(ctx, sg, i.ipPermissions);
  }
  if (i.sourceSecurityGroupName !== undefined || i.sourceSecurityGroupOwnerId !== undefined) {
    const other = legacy.find((k) => k !== "sourceSecurityGroupName" && k !== "sourceSecurityGroupOwnerId");
    if (other) throw new AwsError("InvalidParameterCombination", `The parameter 'sourceSecurityGroupName' may not be used in combination with '${other}'. Use IpPermissions for a specific protocol and port range.`);
    if (i.sourceSecurityGroupName === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter sourceSecurityGroupName");
    const userIdGroupPairs = [{ groupName: i.sourceSecurityGroupName, ...(i.sourceSecurityGroupOwnerId !== undefined ? { userId: i.sourceSecurityGroupOwnerId } : {}) }];
    return toControl(ctx, sg, [
      { ipProtocol: "icmp", fromPort: -1, toPort: -1, userIdGroupPairs },
      { ipProtocol: "tcp", fromPort: 0, toPort: 65535, userIdGroupPairs },
      { ipProtocol: "udp", fromPort: 0, toPort: 65535, userIdGroupPairs },
    ]);
  }
  if (legacy.length > 0) {
    if (i.ipProtocol === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter ipProtocol");
    if (i.cidrIp === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter cidrIp");
    return toControl(ctx, sg, [{ ipProtocol: i.ipProtocol, fromPort: i.fromPort ?? -1, toPort: i.toPort ?? -1, ipRanges: [{ cidrIp: i.cidrIp }] }]);
  }
  return [];
}

/** Egress takes IpPermissions only: AWS documents the top-level fields as "Not supported". */
function egressPermissions(ctx: Ctx, sg: SecurityGroup, i: RuleCallInput): IpPermission[] {
  const legacy = LEGACY.find((k) => i[k] !== undefined);
  if (legacy) throw new AwsError("InvalidParameterValue", `The parameter ${legacy} is not supported for egress rules. Use IpPermissions instead.`);
  return toControl(ctx, sg, i.ipPermissions ?? []);
}

function permissionsFor(ctx: Ctx, sg: SecurityGroup, egress: boolean, i: RuleCallInput): IpPermission[] {
  const perms = egress ? egressPermissions(ctx, sg, i) : ingressPermissions(ctx, sg, i);
  if (perms.length === 0 && !i.securityGroupRuleIds?.length) throw new AwsError("MissingParameter", "The request must contain the parameter ipPermissions");
  return perms;
}

function authorizeAction(egress: boolean): ActionTable[string] {
  return {
    mutates: true,
    run: (ctx, input) => {
      const i = as<RuleCallInput>(input);
      const sg = targetGroup(ctx, i);
      const perms = permissionsFor(ctx, sg, egress, i);
      if (tagsFor(i.tagSpecifications, "security-group-rule").length > 0) {
        throw new AwsError("InvalidParameterValue", "vpclab does not model tags on security group rules");
      }
      const rules = authorize(ctx, sg.id, egress, perms);
      return { return: true, securityGroupRules: rules.map((r) => presentSecurityGroupRule(ctx, sg, r)) };
    },
  };
}

function revokeAction(egress: boolean): ActionTable[string] {
  return {
    mutates: true,
    run: (ctx, input) => {
      const i = as<RuleCallInput>(input);
      const sg = targetGroup(ctx, i);
      const perms = permissionsFor(ctx, sg, egress, i);
      if (perms.length > 0 && i.securityGroupRuleIds?.length) {
        throw new AwsError("InvalidParameterCombination", "The parameter 'SecurityGroupRuleIds' may not be used in combination with 'IpPermissions'");
      }
      const removed = perms.length > 0 ? revoke(ctx, sg.id, egress, perms) : revokeRuleIds(ctx, sg.id, egress, i.securityGroupRuleIds ?? []);
      return {
        return: true,
        revokedSecurityGroupRules: removed.map((r) => ({
          securityGroupRuleId: r.id, groupId: sg.id, isEgress: r.isEgress, ipProtocol: r.ipProtocol, fromPort: r.fromPort, toPort: r.toPort,
          cidrIpv4: r.cidrIpv4, prefixListId: r.prefixListId, referencedGroupId: r.referencedGroupId, description: r.description,
        })),
      };
    },
  };
}

export const SECURITY_GROUP_ACTIONS: ActionTable = {
  CreateSecurityGroup: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ groupName: string; description: string; vpcId?: string; tagSpecifications?: TagSpecification[] }>(input);
      // Without a VpcId AWS uses the default VPC, which vpclab does not have.
      if (i.vpcId === undefined) throw new AwsError("VPCIdNotSpecified", "No default VPC for this user");
      const sg = createSecurityGroup(ctx, { groupName: i.groupName, description: i.description, vpcId: i.vpcId, tags: tagsFor(i.tagSpecifications, "security-group") });
      return { groupId: sg.id, tags: sg.tags, securityGroupArn: securityGroupArn(sg) };
    },
  },
  DeleteSecurityGroup: {
    mutates: true,
    run: (ctx, input) => {
      const sg = targetGroup(ctx, as<{ groupId?: string; groupName?: string }>(input));
      deleteSecurityGroup(ctx, sg.id);
      return { return: true, groupId: sg.id };
    },
  },
  DescribeSecurityGroups: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { groupIds?: string[]; groupNames?: string[] }>(input);
      const byName = (i.groupNames ?? []).map((n) => groupByName(ctx, n).id);
      const ids = [...(i.groupIds ?? []), ...byName];
      const { items, nextToken } = describe(ctx, "securityGroups", ids, i, groupFilters(ctx), (sg) => presentSecurityGroup(ctx, sg));
      return { securityGroups: items, nextToken };
    },
  },
  AuthorizeSecurityGroupIngress: authorizeAction(false),
  AuthorizeSecurityGroupEgress: authorizeAction(true),
  RevokeSecurityGroupIngress: revokeAction(false),
  RevokeSecurityGroupEgress: revokeAction(true),
  DescribeSecurityGroupRules: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { securityGroupRuleIds?: string[] }>(input);
      const rows: RuleRow[] = owned(ctx, "securityGroups").flatMap((sg) => sg.rules.map((rule) => ({ sg, rule, tags: [] })));
      let chosen = rows;
      if (i.securityGroupRuleIds?.length) {
        chosen = [...new Set(i.securityGroupRuleIds)].map((id) => {
          if (!/^sgr-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw new AwsError("InvalidSecurityGroupRuleId.Malformed", `Invalid id: "${id}" (expecting "sgr-...")`);
          const row = rows.find((r) => r.rule.id === id);
          if (!row) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
          return row;
        });
      }
      const { page, nextToken } = paginate(applyFilters(chosen, i.filters, RULE_FILTERS), i);
      return { securityGroupRules: page.map((r) => presentSecurityGroupRule(ctx, r.sg, r.rule)), nextToken };
    },
  },
};
