// Network interfaces: the one place an ENI is made (for instances, NAT gateways and interface
// endpoints alike) and unmade, so that addresses are always allocated and released together.
import type { InterfaceType, NetworkInterface, Subnet } from "../model/types.js";
import { allocatePrivateIp, releasePrivateIp } from "./addresses.js";
import { type Ctx, base } from "./context.js";

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
}

/** Allocates the address (checked like AWS when requested) and stores the ENI. */
export function createEni(ctx: Ctx, subnet: Subnet, spec: EniSpec): NetworkInterface {
  const privateIpAddress = allocatePrivateIp(ctx.world, subnet, spec.privateIpAddress);
  const eni: NetworkInterface = {
    ...base(ctx, "eni"),
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
    status: "in-use",
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
