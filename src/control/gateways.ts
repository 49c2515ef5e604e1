// Internet gateways, Elastic IPs, NAT gateways, and virtual private gateways with the VPN
// connections that stand for on-premises networks.
import { AwsError } from "../model/errors.js";
import { parseCidr } from "../model/net.js";
import type { World } from "../model/world.js";
import type { ElasticIp, InternetGateway, NatGateway, Tag, VpnConnection, VpnGateway } from "../model/types.js";
import { allocatePublicIp, checkFreeAddresses, checkPrivateIp, releasePublicIp } from "./addresses.js";
import { createEni, deleteEni } from "./networkInterfaces.js";
import { blackholeRoutesTo, setRouteStates } from "./routeTables.js";
import { type Ctx, base, get, invalidParam } from "./context.js";
import { validateCidr } from "./vpcs.js";

/**
 * Which gateway of a kind each VPC has, kept beside the world like the address indexes: built
 * once from the gateways, then updated here, the only place attachments change. "Does this VPC
 * already have one?" then costs a lookup, not a scan of every gateway.
 */
type GatewayKind = "internetGateways" | "vpnGateways";
const attachedIndexes = new WeakMap<World, Map<GatewayKind, Map<string, string>>>();
function attachedTo(world: World, kind: GatewayKind): Map<string, string> {
  let byKind = attachedIndexes.get(world);
  if (!byKind) attachedIndexes.set(world, (byKind = new Map<GatewayKind, Map<string, string>>()));
  let ix = byKind.get(kind);
  if (!ix) {
    ix = new Map();
    for (const g of world.collection(kind).values()) for (const a of g.attachments) ix.set(a.vpcId, g.id);
    byKind.set(kind, ix);
  }
  return ix;
}

export function createInternetGateway(ctx: Ctx, input: { tags?: Tag[] } = {}): InternetGateway {
  const igw: InternetGateway = { ...base(ctx, "igw", input.tags), attachments: [] };
  ctx.world.internetGateways.set(igw.id, igw);
  return igw;
}

export function attachInternetGateway(ctx: Ctx, internetGatewayId: string, vpcId: string): void {
  const igw = get(ctx, "internetGateways", internetGatewayId);
  const vpc = get(ctx, "vpcs", vpcId);
  if (igw.attachments.length > 0) {
    throw new AwsError("Resource.AlreadyAssociated", `resource ${igw.id} is already attached to network ${igw.attachments[0]!.vpcId}`);
  }
  if (attachedTo(ctx.world, "internetGateways").has(vpc.id)) {
    throw new AwsError("InvalidParameterValue", `Network ${vpc.id} already has an internet gateway attached`);
  }
  igw.attachments.push({ vpcId: vpc.id, state: "available" });
  attachedTo(ctx.world, "internetGateways").set(vpc.id, igw.id);
  // Routes left to this gateway from an earlier attachment work again.
  setRouteStates(ctx, (r) => r.gatewayId === igw.id, "active", vpc.id);
}

export function detachInternetGateway(ctx: Ctx, internetGatewayId: string, vpcId: string): void {
  const igw = get(ctx, "internetGateways", internetGatewayId);
  if (!igw.attachments.some((a) => a.vpcId === vpcId)) {
    throw new AwsError("Gateway.NotAttached", `resource ${igw.id} is not attached to network ${vpcId}`);
  }
  const mapped = ctx.world.networkInterfaces.inVpc(vpcId).some((e) => e.publicIp !== undefined);
  if (mapped) {
    throw new AwsError("DependencyViolation", `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
  }
  igw.attachments = [];
  attachedTo(ctx.world, "internetGateways").delete(vpcId);
  blackholeRoutesTo(ctx, (r) => r.gatewayId === igw.id, vpcId);
}

export function deleteInternetGateway(ctx: Ctx, internetGatewayId: string): void {
  const igw = get(ctx, "internetGateways", internetGatewayId);
  if (igw.attachments.length > 0) {
    throw new AwsError("DependencyViolation", `The internetGateway '${igw.id}' has dependencies and cannot be deleted.`);
  }
  ctx.world.internetGateways.delete(igw.id);
}

export function allocateAddress(ctx: Ctx, input: { tags?: Tag[] } = {}): ElasticIp {
  const b = base(ctx, "eipalloc", input.tags);
  const eip: ElasticIp = { ...b, allocationId: b.id, publicIp: allocatePublicIp(ctx.world, ctx.region) };
  ctx.world.elasticIps.set(eip.id, eip);
  return eip;
}

export function createNatGateway(
  ctx: Ctx,
  input: { subnetId: string; allocationId?: string; connectivityType?: "public" | "private"; privateIpAddress?: string; tags?: Tag[] },
): NatGateway {
  const subnet = get(ctx, "subnets", input.subnetId);
  const connectivityType = input.connectivityType ?? "public";
  let eip: ElasticIp | undefined;
  if (connectivityType === "public") {
    if (input.allocationId === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter AllocationId");
    eip = get(ctx, "elasticIps", input.allocationId);
    if (eip.networkInterfaceId) throw new AwsError("Resource.AlreadyAssociated", `Elastic IP address [${eip.id}] is already associated`);
  } else if (input.allocationId !== undefined) {
    throw invalidParam("A private NAT gateway cannot have an Elastic IP address.");
  }
  if (input.privateIpAddress !== undefined) checkPrivateIp(ctx.world, subnet, input.privateIpAddress);
  else checkFreeAddresses(ctx.world, [subnet]);
  const b = base(ctx, "nat", input.tags);
  const eni = createEni(ctx, subnet, {
    interfaceType: "nat_gateway", groupIds: [], description: `Interface for NAT Gateway ${b.id}`,
    ...(input.privateIpAddress !== undefined ? { privateIpAddress: input.privateIpAddress } : {}),
    requesterId: "amazon-elb", sourceDestCheck: false, ...(eip ? { publicIp: eip.publicIp, allocationId: eip.id } : {}),
  });
  const nat: NatGateway = {
    ...b,
    vpcId: subnet.vpcId,
    subnetId: subnet.id,
    connectivityType,
    state: "available",
    networkInterfaceId: eni.id,
    privateIp: eni.privateIpAddress,
    ...(eip ? { allocationId: eip.id, publicIp: eip.publicIp } : {}),
  };
  if (eip) {
    eip.networkInterfaceId = eni.id;
    eip.associationId = ctx.world.ids.next("eipassoc");
  }
  ctx.world.natGateways.set(nat.id, nat);
  return nat;
}

/** Settles at once in `deleted`, releasing its ENI and Elastic IP association, as AWS does an hour later. */
export function deleteNatGateway(ctx: Ctx, natGatewayId: string): void {
  const nat = get(ctx, "natGateways", natGatewayId);
  if (nat.state === "deleted") return;
  deleteEni(ctx, nat.networkInterfaceId);
  if (nat.allocationId) {
    const eip = ctx.world.elasticIps.get(nat.allocationId);
    if (eip) {
      delete eip.networkInterfaceId;
      delete eip.associationId;
    }
  }
  nat.state = "deleted";
  blackholeRoutesTo(ctx, (r) => r.natGatewayId === nat.id);
}

export function releaseAddress(ctx: Ctx, allocationId: string): void {
  const eip = get(ctx, "elasticIps", allocationId);
  if (eip.networkInterfaceId) throw new AwsError("InvalidIPAddress.InUse", `Address ${eip.publicIp} is in use.`);
  releasePublicIp(ctx.world, eip.publicIp);
  ctx.world.elasticIps.delete(eip.id);
}

export function createVpnGateway(ctx: Ctx, input: { tags?: Tag[] } = {}): VpnGateway {
  const vgw: VpnGateway = { ...base(ctx, "vgw", input.tags), state: "available", attachments: [] };
  ctx.world.vpnGateways.set(vgw.id, vgw);
  return vgw;
}

export function attachVpnGateway(ctx: Ctx, vpnGatewayId: string, vpcId: string): void {
  const vgw = get(ctx, "vpnGateways", vpnGatewayId);
  const vpc = get(ctx, "vpcs", vpcId);
  if (vgw.attachments.length > 0) throw new AwsError("VpnGatewayAttachmentLimitExceeded", `The VPN gateway ${vgw.id} is already attached to a VPC.`);
  if (attachedTo(ctx.world, "vpnGateways").has(vpc.id)) throw invalidParam(`Network ${vpc.id} already has a VPN gateway attached`);
  vgw.attachments.push({ vpcId: vpc.id, state: "attached" });
  attachedTo(ctx.world, "vpnGateways").set(vpc.id, vgw.id);
}

/** A VPN connection whose static routes are the on-premises network's CIDRs. */
export function createVpnConnection(ctx: Ctx, input: { vpnGatewayId: string; customerGatewayIp: string; staticRoutes: string[]; tags?: Tag[] }): VpnConnection {
  const vgw = get(ctx, "vpnGateways", input.vpnGatewayId);
  const routes = input.staticRoutes.map((r) => validateCidr(r, "destinationCidrBlock").text);
  if (!parseCidr(`${input.customerGatewayIp}/32`)) throw invalidParam(`Value (${input.customerGatewayIp}) for parameter ipAddress is invalid.`);
  const vpn: VpnConnection = { ...base(ctx, "vpn", input.tags), vpnGatewayId: vgw.id, customerGatewayIp: input.customerGatewayIp, state: "available", staticRoutes: routes };
  ctx.world.vpnConnections.set(vpn.id, vpn);
  return vpn;
}
