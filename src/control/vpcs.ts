// VPCs and their attributes. Creating a VPC also creates what AWS creates with it: the main
// route table (with the local route), the default network ACL and the default security group.
import { AwsError } from "../model/errors.js";
import { parseCidr } from "../model/net.js";
import type { NetworkAcl, RouteTable, SecurityGroup, Tag, Vpc } from "../model/types.js";
import { type Ctx, base, get, invalidParam } from "./context.js";

export function validateCidr(text: string, param: string): NonNullable<ReturnType<typeof parseCidr>> {
  const c = parseCidr(text);
  if (!c) throw invalidParam(`Value (${text}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  return c;
}

export function createVpc(ctx: Ctx, input: { cidrBlock: string; tags?: Tag[] }): Vpc {
  const c = validateCidr(input.cidrBlock, "cidrBlock");
  if (c.prefix < 16 || c.prefix > 28) throw new AwsError("InvalidVpc.Range", `The CIDR '${input.cidrBlock}' is invalid.`);
  const vpc: Vpc = {
    ...base(ctx, "vpc", input.tags),
    cidrBlock: c.text,
    state: "available",
    enableDnsSupport: true,
    enableDnsHostnames: false,
    isDefault: false,
    mainRouteTableId: "",
    defaultNetworkAclId: "",
    defaultSecurityGroupId: "",
    dnsIndex: ctx.world.dnsIndex++,
  };
  const rtb: RouteTable = {
    ...base(ctx, "rtb"),
    vpcId: vpc.id,
    routes: [{ destinationCidrBlock: c.text, gatewayId: "local", origin: "CreateRouteTable", state: "active" }],
    associations: [],
    propagatingVgws: [],
  };
  rtb.associations.push({ id: ctx.world.ids.next("rtbassoc"), main: true });
  const acl: NetworkAcl = { ...base(ctx, "acl"), vpcId: vpc.id, isDefault: true, entries: defaultAclEntries(true), associations: [] };
  const sg: SecurityGroup = { ...base(ctx, "sg"), vpcId: vpc.id, groupName: "default", description: "default VPC security group", rules: [] };
  sg.rules.push(
    { id: ctx.world.ids.next("sgr"), isEgress: false, ipProtocol: "-1", fromPort: -1, toPort: -1, referencedGroupId: sg.id },
    { id: ctx.world.ids.next("sgr"), isEgress: true, ipProtocol: "-1", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" },
  );
  vpc.mainRouteTableId = rtb.id;
  vpc.defaultNetworkAclId = acl.id;
  vpc.defaultSecurityGroupId = sg.id;
  ctx.world.vpcs.set(vpc.id, vpc);
  ctx.world.routeTables.set(rtb.id, rtb);
  ctx.world.networkAcls.set(acl.id, acl);
  ctx.world.securityGroups.set(sg.id, sg);
  return vpc;
}

/** The default ACL allows everything (rule 100) before the catch-all deny; a new custom ACL only denies. */
export function defaultAclEntries(allowAll: boolean): NetworkAcl["entries"] {
  const entries: NetworkAcl["entries"] = [];
  for (const egress of [false, true]) {
    if (allowAll) entries.push({ ruleNumber: 100, egress, protocol: "-1", ruleAction: "allow", cidrBlock: "0.0.0.0/0" });
    entries.push({ ruleNumber: 32767, egress, protocol: "-1", ruleAction: "deny", cidrBlock: "0.0.0.0/0" });
  }
  return entries;
}

export type VpcAttribute = "enableDnsSupport" | "enableDnsHostnames";

export function modifyVpcAttribute(ctx: Ctx, vpcId: string, attribute: VpcAttribute, value: boolean): void {
  const vpc = get(ctx, "vpcs", vpcId);
  vpc[attribute] = value;
}

export function describeVpcAttribute(ctx: Ctx, vpcId: string, attribute: VpcAttribute): boolean {
  return get(ctx, "vpcs", vpcId)[attribute];
}

/** AWS refuses while anything but the VPC's own defaults still lives in it. */
export function deleteVpc(ctx: Ctx, vpcId: string): void {
  const vpc = get(ctx, "vpcs", vpcId);
  const w = ctx.world;
  const inVpc = (r: { vpcId: string }): boolean => r.vpcId === vpcId;
  const dependent =
    w.subnets.inVpc(vpcId).length > 0 ||
    w.vpcEndpoints.inVpc(vpcId).length > 0 ||
    w.natGateways.inVpc(vpcId).some((n) => n.state !== "deleted") ||
    [...w.internetGateways.values()].some((g) => g.attachments.some(inVpc)) ||
    [...w.vpnGateways.values()].some((g) => g.attachments.some(inVpc)) ||
    w.securityGroups.inVpc(vpcId).some((g) => g.id !== vpc.defaultSecurityGroupId) ||
    w.routeTables.inVpc(vpcId).some((t) => t.id !== vpc.mainRouteTableId) ||
    w.networkAcls.inVpc(vpcId).some((a) => a.id !== vpc.defaultNetworkAclId) ||
    [...w.peeringConnections.values()].some((p) => p.status === "active" && (p.requesterVpcId === vpcId || p.accepterVpcId === vpcId));
  if (dependent) throw new AwsError("DependencyViolation", `The vpc '${vpcId}' has dependencies and cannot be deleted.`);
  w.routeTables.delete(vpc.mainRouteTableId);
  w.networkAcls.delete(vpc.defaultNetworkAclId);
  w.securityGroups.delete(vpc.defaultSecurityGroupId);
  w.vpcs.delete(vpcId);
  // "If you delete your VPC before the request is accepted, the VPC peering connection is also
  // deleted" (VPC peering guide): a pending request cannot outlive its VPC.
  for (const p of w.peeringConnections.values()) {
    if (p.status === "pending-acceptance" && (p.requesterVpcId === vpcId || p.accepterVpcId === vpcId)) {
      p.status = "deleted";
      p.statusMessage = `Deleted by ${ctx.account}`;
    }
  }
}

