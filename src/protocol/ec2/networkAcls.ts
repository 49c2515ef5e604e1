// Network ACLs on the wire: Create/Delete/Describe, entries (create, replace, delete) and moving
// a subnet to another ACL. Entries are shown as AWS lists them: egress first, by rule number.
import { type AclEntryInput, createNetworkAcl, createNetworkAclEntry, deleteNetworkAcl, deleteNetworkAclEntry, replaceNetworkAclAssociation, replaceNetworkAclEntry } from "../../control/networkAcls.js";
import type { FilterTable } from "../../control/filters.js";
import { AwsError } from "../../model/errors.js";
import type { NetworkAcl, NetworkAclEntry } from "../../model/types.js";
import { type ActionTable, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe } from "./common.js";

const PROTOCOL_NAMES: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "-1": "all" };

export function presentNetworkAclEntry(e: NetworkAclEntry): object {
  return {
    ruleNumber: e.ruleNumber, protocol: e.protocol, ruleAction: e.ruleAction, egress: e.egress, cidrBlock: e.cidrBlock,
    ...(e.portRange ? { portRange: { from: e.portRange.from, to: e.portRange.to } } : {}),
    // vpclab's ICMP entries cover every type and code (see the entry actions below).
    ...(e.protocol === "1" ? { icmpTypeCode: { type: -1, code: -1 } } : {}),
  };
}

/** AWS lists outbound entries first, each direction in rule-number order. */
function sortedEntries(acl: NetworkAcl): NetworkAclEntry[] {
  return [...acl.entries].sort((a, b) => (a.egress === b.egress ? a.ruleNumber - b.ruleNumber : a.egress ? -1 : 1));
}

export function presentNetworkAcl(acl: NetworkAcl): object {
  return {
    networkAclId: acl.id, vpcId: acl.vpcId, ownerId: acl.ownerId, isDefault: acl.isDefault, tags: acl.tags,
    entries: sortedEntries(acl).map(presentNetworkAclEntry),
    associations: acl.associations.map((a) => ({ networkAclAssociationId: a.id, networkAclId: acl.id, subnetId: a.subnetId })),
  };
}

const entries = (acl: NetworkAcl): NetworkAclEntry[] => acl.entries;

const ACL_FILTERS: FilterTable<NetworkAcl> = {
  "association.association-id": (a) => a.associations.map((x) => x.id),
  "association.network-acl-id": (a) => (a.associations.length > 0 ? a.id : undefined),
  "association.subnet-id": (a) => a.associations.map((x) => x.subnetId),
  "default": (a) => a.isDefault,
  "entry.cidr": (a) => entries(a).map((e) => e.cidrBlock),
  "entry.egress": (a) => entries(a).map((e) => e.egress),
  "entry.icmp.code": (a) => entries(a).filter((e) => e.protocol === "1").map(() => -1),
  "entry.icmp.type": (a) => entries(a).filter((e) => e.protocol === "1").map(() => -1),
  "entry.ipv6-cidr": () => [],
  "entry.port-range.from": (a) => entries(a).map((e) => e.portRange?.from),
  "entry.port-range.to": (a) => entries(a).map((e) => e.portRange?.to),
  // AWS documents protocol numbers here; names (tcp) match too, as the entry calls take both.
  "entry.protocol": (a) => entries(a).flatMap((e) => [e.protocol, PROTOCOL_NAMES[e.protocol]]),
  "entry.rule-action": (a) => entries(a).map((e) => e.ruleAction),
  "entry.rule-number": (a) => entries(a).map((e) => e.ruleNumber),
  "network-acl-id": (a) => a.id,
  "owner-id": (a) => a.ownerId,
  "vpc-id": (a) => a.vpcId,
};

interface EntryInput {
  networkAclId: string; ruleNumber: number; protocol: string; ruleAction: string; egress: boolean;
  cidrBlock?: string; ipv6CidrBlock?: string; icmpTypeCode?: { type?: number; code?: number }; portRange?: { from?: number; to?: number };
}

/** The entry as the control layer takes it; what vpclab does not model is refused rather than dropped. */
function entryInput(i: EntryInput): AclEntryInput {
  if (i.ipv6CidrBlock !== undefined) throw new AwsError("InvalidParameterValue", "vpclab models IPv4 only: Ipv6CidrBlock is not supported");
  if (i.cidrBlock === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter cidrBlock or ipv6CidrBlock");
  const icmp = ["1", "icmp"].includes(i.protocol.toLowerCase());
  if (icmp && i.icmpTypeCode && (i.icmpTypeCode.type ?? -1) !== -1) {
    throw new AwsError("InvalidParameterValue", "vpclab models ICMP entries for all types and codes only (Icmp.Type -1, Icmp.Code -1)");
  }
  if (icmp && i.icmpTypeCode && (i.icmpTypeCode.code ?? -1) !== -1) {
    throw new AwsError("InvalidParameterValue", "vpclab models ICMP entries for all types and codes only (Icmp.Type -1, Icmp.Code -1)");
  }
  return {
    networkAclId: i.networkAclId, ruleNumber: i.ruleNumber, egress: i.egress, protocol: i.protocol, ruleAction: i.ruleAction, cidrBlock: i.cidrBlock,
    ...(i.portRange ? { portRange: { from: i.portRange.from ?? NaN, to: i.portRange.to ?? NaN } } : {}),
  };
}

export const NETWORK_ACL_ACTIONS: ActionTable = {
  CreateNetworkAcl: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ vpcId: string; tagSpecifications?: TagSpecification[]; clientToken?: string }>(input);
      const acl = createNetworkAcl(ctx, { vpcId: i.vpcId, tags: tagsFor(i.tagSpecifications, "network-acl") });
      return { networkAcl: presentNetworkAcl(acl), clientToken: i.clientToken };
    },
  },
  DeleteNetworkAcl: {
    mutates: true,
    run: (ctx, input) => {
      deleteNetworkAcl(ctx, as<{ networkAclId: string }>(input).networkAclId);
      return {};
    },
  },
  DescribeNetworkAcls: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { networkAclIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "networkAcls", i.networkAclIds, i, ACL_FILTERS, presentNetworkAcl);
      return { networkAcls: items, nextToken };
    },
  },
  CreateNetworkAclEntry: {
    mutates: true,
    run: (ctx, input) => {
      createNetworkAclEntry(ctx, entryInput(as<EntryInput>(input)));
      return {};
    },
  },
  ReplaceNetworkAclEntry: {
    mutates: true,
    run: (ctx, input) => {
      replaceNetworkAclEntry(ctx, entryInput(as<EntryInput>(input)));
      return {};
    },
  },
  DeleteNetworkAclEntry: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ networkAclId: string; ruleNumber: number; egress: boolean }>(input);
      deleteNetworkAclEntry(ctx, i);
      return {};
    },
  },
  ReplaceNetworkAclAssociation: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ associationId: string; networkAclId: string }>(input);
      return { newAssociationId: replaceNetworkAclAssociation(ctx, i.associationId, i.networkAclId) };
    },
  },
};
