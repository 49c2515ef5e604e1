// VPC peering: requested by one VPC's owner, accepted by the other's. Peering is not transitive:
// a peer reaches only addresses inside the other VPC itself. The connection belongs to the
// requester, but both sides see it, route through it and may delete it, each in its own Region.
import { AwsError } from "../model/errors.js";
import { overlaps, parseCidr } from "../model/net.js";
import type { Tag, VpcPeeringConnection } from "../model/types.js";
import { type Ctx, base, checkIdFormat, get } from "./context.js";
import { blackholeRoutesTo } from "./routeTables.js";

export function createVpcPeeringConnection(
  ctx: Ctx,
  input: { vpcId: string; peerVpcId: string; peerOwnerId?: string; peerRegion?: string; tags?: Tag[] },
): VpcPeeringConnection {
  const vpc = get(ctx, "vpcs", input.vpcId);
  checkIdFormat("vpcs", input.peerVpcId);
  const peerOwner = input.peerOwnerId ?? ctx.account;
  const peerRegion = input.peerRegion ?? ctx.region;
  const peer = ctx.world.vpcs.get(input.peerVpcId);
  if (!peer || peer.ownerId !== peerOwner || peer.region !== peerRegion) {
    throw new AwsError("InvalidVpcID.NotFound", `The vpc ID '${input.peerVpcId}' does not exist`);
  }
  if (peer.id === vpc.id) throw new AwsError("InvalidParameterValue", "A VPC cannot be peered with itself.");
  // Only one live connection between the same two VPCs (the VPC peering guide's limitations).
  const live = [...ctx.world.peeringConnections.values()].find((p) =>
    (p.status === "active" || p.status === "pending-acceptance") &&
    ((p.requesterVpcId === vpc.id && p.accepterVpcId === peer.id) || (p.requesterVpcId === peer.id && p.accepterVpcId === vpc.id)));
  if (live) {
    throw new AwsError("VpcPeeringConnectionAlreadyExists", `A VPC peering connection (${live.id}) between ${vpc.id} and ${peer.id} already exists.`);
  }
  // AWS accepts the request and the connection then fails; it is not an API error.
  const overlapping = overlaps(parseCidr(vpc.cidrBlock)!, parseCidr(peer.cidrBlock)!);
  const pcx: VpcPeeringConnection = {
    ...base(ctx, "pcx", input.tags),
    requesterVpcId: vpc.id,
    requesterOwnerId: ctx.account,
    requesterRegion: ctx.region,
    accepterVpcId: peer.id,
    accepterOwnerId: peerOwner,
    accepterRegion: peerRegion,
    status: overlapping ? "failed" : "pending-acceptance",
    ...(overlapping ? { statusMessage: `Overlapping CIDRs: ${vpc.cidrBlock} (${vpc.id}) and ${peer.cidrBlock} (${peer.id})` } : {}),
  };
  ctx.world.peeringConnections.set(pcx.id, pcx);
  return pcx;
}

function isRequester(ctx: Ctx, pcx: VpcPeeringConnection): boolean {
  return pcx.requesterOwnerId === ctx.account && pcx.requesterRegion === ctx.region;
}

function isAccepter(ctx: Ctx, pcx: VpcPeeringConnection): boolean {
  return pcx.accepterOwnerId === ctx.account && pcx.accepterRegion === ctx.region;
}

/**
 * Which side of the connection the caller is, in the caller's Region; undefined when neither.
 * Peering two VPCs of one account in one Region makes the caller both: "requester" is answered.
 */
export function peeringSide(ctx: Ctx, pcx: VpcPeeringConnection): "requester" | "accepter" | undefined {
  return isRequester(ctx, pcx) ? "requester" : isAccepter(ctx, pcx) ? "accepter" : undefined;
}

/** The connections the caller sees: those it requested and those requested of it, in creation order. */
export function visiblePeeringConnections(ctx: Ctx): VpcPeeringConnection[] {
  return [...ctx.world.peeringConnections.values()].filter((p) => peeringSide(ctx, p) !== undefined);
}

/** A connection either side may name; to anyone else it does not exist. */
export function getPeeringConnection(ctx: Ctx, id: string): VpcPeeringConnection {
  checkIdFormat("peeringConnections", id);
  const pcx = ctx.world.peeringConnections.get(id);
  if (!pcx || peeringSide(ctx, pcx) === undefined) {
    throw new AwsError("InvalidVpcPeeringConnectionID.NotFound", `The vpcPeeringConnection ID '${id}' does not exist`);
  }
  return pcx;
}

/** Only the accepter side's owner, in the accepter's Region, may accept. */
export function acceptVpcPeeringConnection(ctx: Ctx, id: string): VpcPeeringConnection {
  const pcx = getPeeringConnection(ctx, id);
  if (!isAccepter(ctx, pcx)) {
    throw new AwsError("InvalidVpcPeeringConnectionID.NotFound", `The vpcPeeringConnection ID '${id}' does not exist`);
  }
  if (pcx.status !== "pending-acceptance" && pcx.status !== "active") {
    throw new AwsError("InvalidStateTransition", `Invalid state transition for ${id}, attempted to transition from ${pcx.status} to active`);
  }
  pcx.status = "active";
  delete pcx.statusMessage;
  return pcx;
}

/** Either owner deletes; AWS keeps the connection visible as `deleted`, saying who deleted it. */
export function deleteVpcPeeringConnection(ctx: Ctx, id: string): void {
  const pcx = getPeeringConnection(ctx, id);
  pcx.status = "deleted";
  pcx.statusMessage = `Deleted by ${ctx.account}`;
  blackholeRoutesTo(ctx, (r) => r.vpcPeeringConnectionId === id);
}
