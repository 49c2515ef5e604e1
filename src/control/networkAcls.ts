// Network ACLs: numbered, stateless rules evaluated lowest number first, one ACL per subnet.
import { AwsError } from "../model/errors.js";
import type { NetworkAcl, NetworkAclEntry, Tag } from "../model/types.js";
import { type Ctx, base, get, invalidParam } from "./context.js";
import { defaultAclEntries, validateCidr } from "./vpcs.js";

export function createNetworkAcl(ctx: Ctx, input: { vpcId: string; tags?: Tag[] }): NetworkAcl {
  const vpc = get(ctx, "vpcs", input.vpcId);
  const acl: NetworkAcl = { ...base(ctx, "acl", input.tags), vpcId: vpc.id, isDefault: false, entries: defaultAclEntries(false), associations: [] };
  ctx.world.networkAcls.set(acl.id, acl);
  return acl;
}

export function deleteNetworkAcl(ctx: Ctx, networkAclId: string): void {
  const acl = get(ctx, "networkAcls", networkAclId);
  if (acl.isDefault) throw invalidParam(`cannot delete default network ACL ${acl.id}`);
  if (acl.associations.length > 0) throw new AwsError("DependencyViolation", `The networkAcl '${acl.id}' has dependencies and cannot be deleted.`);
  ctx.world.networkAcls.delete(acl.id);
}

export interface AclEntryInput {
  networkAclId: string;
  ruleNumber: number;
  egress: boolean;
  protocol: string;
  ruleAction: string;
  cidrBlock: string;
  portRange?: { from: number; to: number };
}

function checkEntry(input: AclEntryInput): NetworkAclEntry {
  if (!Number.isInteger(input.ruleNumber) || input.ruleNumber < 1 || input.ruleNumber > 32766) {
    throw invalidParam(`Value (${input.ruleNumber}) for parameter ruleNumber is invalid. The rule number must be between 1 and 32766.`);
  }
  const protocol = ({ "-1": "-1", all: "-1", tcp: "6", "6": "6", udp: "17", "17": "17", icmp: "1", "1": "1" } as const)[input.protocol.toLowerCase() as "tcp"];
  if (!protocol) throw invalidParam(`Value (${input.protocol}) for parameter protocol is invalid.`);
  const action = input.ruleAction.toLowerCase();
  if (action !== "allow" && action !== "deny") throw invalidParam(`Value (${input.ruleAction}) for parameter ruleAction is invalid.`);
  const c = validateCidr(input.cidrBlock, "cidrBlock");
  const entry: NetworkAclEntry = { ruleNumber: input.ruleNumber, egress: input.egress, protocol, ruleAction: action, cidrBlock: c.text };
  if (protocol === "6" || protocol === "17") {
    const pr = input.portRange;
    if (!pr) throw new AwsError("MissingParameter", "The request must contain the parameter portRange");
    if (![pr.from, pr.to].every((p) => Number.isInteger(p) && p >= 0 && p <= 65535) || pr.from > pr.to) {
      throw invalidParam(`Invalid value for portRange: ${pr.from}-${pr.to}. Ports must be between 0 and 65535, from no greater than to.`);
    }
    entry.portRange = { from: pr.from, to: pr.to };
  }
  return entry;
}

export function createNetworkAclEntry(ctx: Ctx, input: AclEntryInput): void {
  const acl = get(ctx, "networkAcls", input.networkAclId);
  const entry = checkEntry(input);
  if (acl.entries.some((e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber)) {
    throw new AwsError("NetworkAclEntryAlreadyExists", `The network acl entry identified by ${entry.ruleNumber} already exists.`);
  }
  acl.entries.push(entry);
}

export function replaceNetworkAclEntry(ctx: Ctx, input: AclEntryInput): void {
  const acl = get(ctx, "networkAcls", input.networkAclId);
  const entry = checkEntry(input);
  const i = acl.entries.findIndex((e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber);
  if (i < 0) throw new AwsError("InvalidNetworkAclEntry.NotFound", `The network acl entry identified by ${entry.ruleNumber} does not exist.`);
  acl.entries[i] = entry;
}

export function deleteNetworkAclEntry(ctx: Ctx, input: { networkAclId: string; ruleNumber: number; egress: boolean }): void {
  const acl = get(ctx, "networkAcls", input.networkAclId);
  const i = acl.entries.findIndex((e) => e.egress === input.egress && e.ruleNumber === input.ruleNumber && e.ruleNumber !== 32767);
  if (i < 0) throw new AwsError("InvalidNetworkAclEntry.NotFound", `The network acl entry identified by ${input.ruleNumber} does not exist.`);
  acl.entries.splice(i, 1);
}

/** Moves a subnet to another ACL; returns the new association id, as AWS does. */
export function replaceNetworkAclAssociation(ctx: Ctx, associationId: string, networkAclId: string): string {
  const to = get(ctx, "networkAcls", networkAclId);
  const from = [...ctx.world.networkAcls.values()].find((a) => a.ownerId === ctx.account && a.region === ctx.region && a.associations.some((x) => x.id === associationId));
  if (!from) throw new AwsError("InvalidAssociationID.NotFound", `The association ID '${associationId}' does not exist`);
  if (from.vpcId !== to.vpcId) throw invalidParam(`Network ACL ${to.id} and association ${associationId} belong to different networks`);
  const assoc = from.associations.find((x) => x.id === associationId)!;
  from.associations = from.associations.filter((x) => x.id !== associationId);
  const id = ctx.world.ids.next("aclassoc");
  to.associations.push({ id, subnetId: assoc.subnetId });
  return id;
}

