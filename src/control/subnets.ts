// Subnets: a CIDR inside the VPC's, in one AZ, overlapping no other subnet of the VPC. A new
// subnet is implicitly associated with the main route table and the default network ACL.
import { AwsError } from "../model/errors.js";
import { containsCidr, overlaps, parseCidr } from "../model/net.js";
import { findAz, findRegion } from "../model/catalog/index.js";
import type { Subnet, Tag } from "../model/types.js";
import { type Ctx, base, get, invalidParam } from "./context.js";
import { validateCidr } from "./vpcs.js";

export interface CreateSubnetInput { vpcId: string; cidrBlock: string; availabilityZone?: string; availabilityZoneId?: string; tags?: Tag[] }

export function createSubnet(ctx: Ctx, input: CreateSubnetInput): Subnet {
  const vpc = get(ctx, "vpcs", input.vpcId);
  const c = validateCidr(input.cidrBlock, "cidrBlock");
  const vpcCidr = parseCidr(vpc.cidrBlock)!;
  if (!containsCidr(vpcCidr, c) || c.prefix > 28) {
    throw new AwsError("InvalidSubnet.Range", `The CIDR '${input.cidrBlock}' is invalid.`);
  }
  for (const other of ctx.world.subnets.inVpc(vpc.id)) {
    if (overlaps(parseCidr(other.cidrBlock)!, c)) {
      throw new AwsError("InvalidSubnet.Conflict", `The CIDR '${input.cidrBlock}' conflicts with another subnet`);
    }
  }
  const region = findRegion(ctx.region);
  const zones = region?.availabilityZones ?? [];
  const requested = input.availabilityZone ?? input.availabilityZoneId;
  const az = requested === undefined ? zones[0] : findAz(ctx.region, requested);
  if (!az) {
    const param = input.availabilityZone !== undefined ? "availabilityZone" : "availabilityZoneId";
    throw invalidParam(
      `Value (${requested ?? ""}) for parameter ${param} is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.name).join(", ")}.`,
    );
  }
  const subnet: Subnet = {
    ...base(ctx, "subnet", input.tags),
    vpcId: vpc.id,
    cidrBlock: c.text,
    availabilityZone: az.name,
    availabilityZoneId: az.id,
    mapPublicIpOnLaunch: false,
    state: "available",
  };
  ctx.world.subnets.set(subnet.id, subnet);
  const acl = ctx.world.networkAcls.get(vpc.defaultNetworkAclId)!;
  acl.associations.push({ id: ctx.world.ids.next("aclassoc"), subnetId: subnet.id });
  return subnet;
}

export function modifySubnetAttribute(ctx: Ctx, subnetId: string, mapPublicIpOnLaunch: boolean): void {
  get(ctx, "subnets", subnetId).mapPublicIpOnLaunch = mapPublicIpOnLaunch;
}

export function deleteSubnet(ctx: Ctx, subnetId: string): void {
  const subnet = get(ctx, "subnets", subnetId);
  const w = ctx.world;
  if (w.networkInterfaces.inVpc(subnet.vpcId).some((e) => e.subnetId === subnetId)) {
    throw new AwsError("DependencyViolation", `The subnet '${subnetId}' has dependencies and cannot be deleted.`);
  }
  for (const acl of w.networkAcls.inVpc(subnet.vpcId)) acl.associations = acl.associations.filter((a) => a.subnetId !== subnet.id);
  for (const rtb of w.routeTables.inVpc(subnet.vpcId)) rtb.associations = rtb.associations.filter((a) => a.subnetId !== subnet.id);
  w.subnets.delete(subnetId);
}

