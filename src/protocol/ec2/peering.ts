// VPC peering connections on the wire. A connection belongs to the requester but is shown to both
// sides, in each side's own Region, as AWS shows it; the presenter is exported for other modules.
import type { Ctx } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import {
  acceptVpcPeeringConnection, createVpcPeeringConnection, deleteVpcPeeringConnection, getPeeringConnection,
  peeringSide, visiblePeeringConnections,
} from "../../control/peering.js";
import { AwsError } from "../../model/errors.js";
import type { Tag, VpcPeeringConnection } from "../../model/types.js";
import type { World } from "../../model/world.js";
import { type ActionTable, type TagSpecification, as, paginate, tagsFor } from "../actions.js";
import type { DescribeInput } from "./common.js";

/** ClassicLink is retired and DNS resolution across the peering is not modelled: all off. */
const PEERING_OPTIONS = { allowDnsResolutionFromRemoteVpc: false, allowEgressFromLocalClassicLinkToRemoteVpc: false, allowEgressFromLocalVpcToRemoteClassicLink: false };

/** AWS's status messages, unless the connection recorded its own (why it failed, who deleted it). */
function statusMessage(p: VpcPeeringConnection): string {
  if (p.statusMessage !== undefined) return p.statusMessage;
  switch (p.status) {
    case "pending-acceptance": return `Pending Acceptance by ${p.accepterOwnerId}`;
    case "active": return "Active";
    case "rejected": return `Rejected by ${p.accepterOwnerId}`;
    case "deleted": return "Deleted";
    case "failed": return "Failed";
  }
}

/**
 * The accepter's CIDR is not disclosed until it accepts: a pending request shows only the
 * accepter's VPC id, owner and Region.
 */
function accepterCidr(world: World, p: VpcPeeringConnection): string | undefined {
  return p.status === "active" || p.status === "deleted" ? world.vpcs.get(p.accepterVpcId)?.cidrBlock : undefined;
}

function vpcInfo(vpcId: string, ownerId: string, region: string, cidrBlock: string | undefined, active: boolean): object {
  return {
    vpcId, ownerId, region, cidrBlock, cidrBlockSet: cidrBlock !== undefined ? [{ cidrBlock }] : undefined,
    peeringOptions: active ? PEERING_OPTIONS : undefined,
  };
}

/**
 * Tags apply only in the account and Region that created them (AWS's peering documentation), so
 * the accepter of another account's or Region's request sees none of the requester's.
 */
function visibleTags(ctx: Ctx, p: VpcPeeringConnection): Tag[] {
  return peeringSide(ctx, p) === "requester" ? p.tags : [];
}

/** A connection as the calling side sees it. */
export function presentPeeringConnection(ctx: Ctx, p: VpcPeeringConnection): object {
  const active = p.status === "active";
  return {
    vpcPeeringConnectionId: p.id,
    requesterVpcInfo: vpcInfo(p.requesterVpcId, p.requesterOwnerId, p.requesterRegion, ctx.world.vpcs.get(p.requesterVpcId)?.cidrBlock, active),
    accepterVpcInfo: vpcInfo(p.accepterVpcId, p.accepterOwnerId, p.accepterRegion, accepterCidr(ctx.world, p), active),
    status: { code: p.status, message: statusMessage(p) },
    tags: visibleTags(ctx, p),
  };
}

/** What filters read: the connection with the tags this side may see. */
interface View { pcx: VpcPeeringConnection; tags: Tag[] }

const peeringFilters = (world: World): FilterTable<View> => ({
  "accepter-vpc-info.cidr-block": (v) => accepterCidr(world, v.pcx),
  "accepter-vpc-info.owner-id": (v) => v.pcx.accepterOwnerId,
  "accepter-vpc-info.vpc-id": (v) => v.pcx.accepterVpcId,
  // vpclab keeps no request time, so no connection has an expiration time to match.
  "expiration-time": () => undefined,
  "requester-vpc-info.cidr-block": (v) => world.vpcs.get(v.pcx.requesterVpcId)?.cidrBlock,
  "requester-vpc-info.owner-id": (v) => v.pcx.requesterOwnerId,
  "requester-vpc-info.vpc-id": (v) => v.pcx.requesterVpcId,
  "status-code": (v) => v.pcx.status,
  "status-message": (v) => statusMessage(v.pcx),
  "vpc-peering-connection-id": (v) => v.pcx.id,
});

export const PEERING_ACTIONS: ActionTable = {
  CreateVpcPeeringConnection: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ vpcId: string; peerVpcId?: string; peerOwnerId?: string; peerRegion?: string; tagSpecifications?: TagSpecification[] }>(input);
      if (i.peerVpcId === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter peerVpcId");
      const pcx = createVpcPeeringConnection(ctx, {
        vpcId: i.vpcId, peerVpcId: i.peerVpcId, tags: tagsFor(i.tagSpecifications, "vpc-peering-connection"),
        ...(i.peerOwnerId !== undefined ? { peerOwnerId: i.peerOwnerId } : {}),
        ...(i.peerRegion !== undefined ? { peerRegion: i.peerRegion } : {}),
      });
      return { vpcPeeringConnection: presentPeeringConnection(ctx, pcx) };
    },
  },
  AcceptVpcPeeringConnection: {
    mutates: true,
    run: (ctx, input) => {
      const pcx = acceptVpcPeeringConnection(ctx, as<{ vpcPeeringConnectionId: string }>(input).vpcPeeringConnectionId);
      return { vpcPeeringConnection: presentPeeringConnection(ctx, pcx) };
    },
  },
  DeleteVpcPeeringConnection: {
    mutates: true,
    run: (ctx, input) => {
      deleteVpcPeeringConnection(ctx, as<{ vpcPeeringConnectionId: string }>(input).vpcPeeringConnectionId);
      return { return: true };
    },
  },
  DescribeVpcPeeringConnections: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { vpcPeeringConnectionIds?: string[] }>(input);
      const ids = i.vpcPeeringConnectionIds ?? [];
      const all = ids.length > 0 ? [...new Set(ids)].map((id) => getPeeringConnection(ctx, id)) : visiblePeeringConnections(ctx);
      const views = all.map((pcx): View => ({ pcx, tags: visibleTags(ctx, pcx) }));
      const { page, nextToken } = paginate(applyFilters(views, i.filters, peeringFilters(ctx.world)), i);
      return { vpcPeeringConnections: page.map((v) => presentPeeringConnection(ctx, v.pcx)), nextToken };
    },
  },
};
