// Network interfaces: the one place an ENI is made (for instances, NAT gateways and interface
// endpoints alike) and unmade, so that addresses are always allocated and released together.
// Also the user's own CreateNetworkInterface and DeleteNetworkInterface.
import { AwsError } from "../model/errors.js";
import type { InterfaceType, NetworkInterface, Subnet, Tag } from "../model/types.js";
import { allocatePrivateIp, checkFreeAddresses, checkPrivateIp, releasePrivateIp } from "./addresses.js";
import { blackholeRoutesTo } from "./routeTables.js";
import { type Ctx, base, get, invalidParam } from "./context.js";

export interface EniSpec {
  interfaceType: InterfaceType;
  groupIds: string[];
  description?: string;
  privateIpAddress?: string;
  requesterId?: string; // set for ENIs AWS manages on the owner's behalf
  sourceDestCheck?: boolean;
  attachment?: NetworkInterface["attachment"];
  publicIp?: string;
  allocationId?: string;
  tags?: Tag[];
}

/** Allocates the address (checked like AWS when requested) and stores the ENI. */
export function createEni(ctx: Ctx, subnet: Subnet, spec: EniSpec): NetworkInterface {
  const privateIpAddress = allocatePrivateIp(ctx.world, subnet, spec.privateIpAddress);
  const eni: NetworkInterface = {
    ...base(ctx, "eni", spec.tags),
    vpcId: subnet.vpcId,
    subnetId: subnet.id,
    availabilityZone: subnet.availabilityZone,
    privateIpAddress,
    groupIds: [...spec.groupIds],
    interfaceType: spec.interfaceType,
    description: spec.description ?? "",
    requesterManaged: spec.requesterId !== undefined,
    ...(spec.requesterId !== undefined ? { requesterId: spec.requesterId } : {}),
    sourceDestCheck: spec.sourceDestCheck ?? true,
    // An ENI the user made and has not attached is "available"; AWS-managed ones are in use by their service.
    status: spec.attachment !== undefined || spec.requesterId !== undefined ? "in-use" : "available",
    ...(spec.attachment ? { attachment: spec.attachment } : {}),
    ...(spec.publicIp !== undefined ? { publicIp: spec.publicIp } : {}),
    ...(spec.allocationId !== undefined ? { allocationId: spec.allocationId } : {}),
  };
  ctx.world.networkInterfaces.set(eni.id, eni);
  return eni;
}

/** Removes the ENI and frees its private address. */
export function deleteEni(ctx: Ctx, eniId: string): NetworkInterface | undefined {
  const eni = ctx.world.networkInterfaces.get(eniId);
  if (eni) {
    releasePrivateIp(ctx.world, eni.subnetId, eni.privateIpAddress);
    ctx.world.networkInterfaces.delete(eni.id);
  }
  return eni;
}

/** Security groups for an ENI in a subnet: the VPC's default group when none are named; all in the subnet's VPC. */
export function groupsForSubnet(ctx: Ctx, subnet: Subnet, groupIds: string[] | undefined): string[] {
  const vpc = ctx.world.vpcs.get(subnet.vpcId)!;
  const ids = groupIds?.length ? [...new Set(groupIds)] : [vpc.defaultSecurityGroupId];
  for (const g of ids) {
    const sg = get(ctx, "securityGroups", g);
    if (sg.vpcId !== subnet.vpcId) throw new AwsError("InvalidParameter", `Security group ${sg.id} and subnet ${subnet.id} belong to different networks.`);
  }
  return ids;
}

export interface CreateNetworkInterfaceInput {
  subnetId: string;
  description?: string;
  privateIpAddress?: string;
  groupIds?: string[];
  tags?: Tag[];
}

/** A user's ENI: "available" until something attaches it. */
export function createNetworkInterface(ctx: Ctx, input: CreateNetworkInterfaceInput): NetworkInterface {
  const subnet = get(ctx, "subnets", input.subnetId);
  const groupIds = groupsForSubnet(ctx, subnet, input.groupIds);
  if (input.description !== undefined && input.description.length > 255) {
    throw invalidParam(`Value for parameter description is invalid. Length exceeds maximum of 255.`);
  }
  if (input.privateIpAddress !== undefined) checkPrivateIp(ctx.world, subnet, input.privateIpAddress);
  else checkFreeAddresses(ctx.world, [subnet]);
  return createEni(ctx, subnet, {
    interfaceType: "interface", groupIds, tags: input.tags ?? [],
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.privateIpAddress !== undefined ? { privateIpAddress: input.privateIpAddress } : {}),
  });
}

/**
 * Deletes a user's detached ENI. AWS answers the same way for an attached ENI and for one it
 * manages for a service (an interface endpoint's, a NAT gateway's): InvalidParameterValue,
 * "Network interface 'eni-…' is currently in use." (seen in the VPC CNI's and cloud-nuke's logs).
 */
export function deleteNetworkInterface(ctx: Ctx, networkInterfaceId: string): void {
  const eni = get(ctx, "networkInterfaces", networkInterfaceId);
  if (eni.attachment !== undefined || eni.requesterManaged || eni.status === "in-use") {
    throw invalidParam(`Network interface '${eni.id}' is currently in use.`);
  }
  if (eni.publicIp !== undefined) {
    // An Elastic IP must be disassociated first, as on AWS.
    throw new AwsError("InvalidParameterValue", `Network interface '${eni.id}' has an associated public address ${eni.publicIp}; disassociate it first.`);
  }
  deleteEni(ctx, eni.id);
  blackholeRoutesTo(ctx, (r) => r.networkInterfaceId === eni.id, eni.vpcId);
}
