// Route tables on the wire: Create/Delete/Describe, routes, associations (subnet, main, gateway
// edge) and VGW route propagation. The presenters are exported for the tags and endpoints modules.
import {
  type RouteInput, associateRouteTable, createRoute, createRouteTable, deleteRoute, deleteRouteTable,
  disassociateRouteTable, replaceRoute, replaceRouteTableAssociation, setVgwRoutePropagation,
} from "../../control/routeTables.js";
import type { FilterTable } from "../../control/filters.js";
import { AwsError } from "../../model/errors.js";
import type { Route, RouteTable, RouteTableAssociation } from "../../model/types.js";
import type { World } from "../../model/world.js";
import { type ActionTable, type Input, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe } from "./common.js";

/**
 * Refuses members AWS takes but vpclab does not model (IPv6, transit and local gateways, ...),
 * so that a request is never half-honoured. `names` are input field names; the message uses the
 * wire name.
 */
export function refuseUnmodelled(input: Input, names: string[]): void {
  for (const name of names) {
    if (input[name] !== undefined) {
      throw new AwsError("InvalidParameterValue", `vpclab does not model ${name.charAt(0).toUpperCase()}${name.slice(1)}`);
    }
  }
}

/**
 * The routes DescribeRouteTables lists: the table's own (local, user and gateway-endpoint
 * routes), then what each propagating VGW attached to the VPC learns from its VPN connections.
 * A static route to the same CIDR takes priority over a propagated one (AWS's route priority),
 * so only the static one is listed.
 */
export function routesOf(world: World, rtb: RouteTable): Route[] {
  const out = [...rtb.routes];
  const seen = new Set(rtb.routes.map((r) => r.destinationCidrBlock));
  for (const vgwId of rtb.propagatingVgws) {
    if (!world.vpnGateways.get(vgwId)?.attachments.some((a) => a.vpcId === rtb.vpcId)) continue;
    for (const vpn of world.vpnConnections.values()) {
      if (vpn.vpnGatewayId !== vgwId) continue;
      for (const cidr of vpn.staticRoutes) {
        if (seen.has(cidr)) continue;
        seen.add(cidr);
        out.push({ destinationCidrBlock: cidr, gatewayId: vgwId, origin: "EnableVgwRoutePropagation", state: "active" });
      }
    }
  }
  return out;
}

/** The instance a route names: its own target, or the instance its target ENI is attached to (AWS shows both). */
function routeInstanceId(world: World, r: Route): string | undefined {
  return r.instanceId ?? (r.networkInterfaceId ? world.networkInterfaces.get(r.networkInterfaceId)?.attachment?.instanceId : undefined);
}

/**
 * A route as AWS shows it. A Gateway Load Balancer endpoint target appears as gatewayId (the
 * Route shape has no vpcEndpointId), and a route to an ENI attached to an instance names the
 * instance and its owner too.
 */
export function presentRoute(world: World, r: Route): object {
  const instanceId = routeInstanceId(world, r);
  return {
    destinationCidrBlock: r.destinationCidrBlock, destinationPrefixListId: r.destinationPrefixListId,
    gatewayId: r.gatewayId ?? r.vpcEndpointId, natGatewayId: r.natGatewayId, vpcPeeringConnectionId: r.vpcPeeringConnectionId,
    instanceId, instanceOwnerId: instanceId ? world.instances.get(instanceId)?.ownerId : undefined,
    networkInterfaceId: r.networkInterfaceId, origin: r.origin, state: r.state,
  };
}

export function presentAssociation(rtb: RouteTable, a: RouteTableAssociation): object {
  return {
    main: a.main, routeTableAssociationId: a.id, routeTableId: rtb.id, subnetId: a.subnetId, gatewayId: a.gatewayId,
    associationState: { state: "associated" },
  };
}

export function presentRouteTable(world: World, rtb: RouteTable): object {
  return {
    routeTableId: rtb.id, vpcId: rtb.vpcId, ownerId: rtb.ownerId, tags: rtb.tags,
    associations: rtb.associations.map((a) => presentAssociation(rtb, a)),
    routes: routesOf(world, rtb).map((r) => presentRoute(world, r)),
    propagatingVgws: rtb.propagatingVgws.map((gatewayId) => ({ gatewayId })),
  };
}

/** DescribeRouteTables' documented filters; route.* match when any one route of the table matches. */
const routeTableFilters = (world: World): FilterTable<RouteTable> => {
  const routes = (t: RouteTable): Route[] => routesOf(world, t);
  return {
    "association.gateway-id": (t) => t.associations.map((a) => a.gatewayId),
    "association.route-table-association-id": (t) => t.associations.map((a) => a.id),
    "association.route-table-id": (t) => (t.associations.length > 0 ? t.id : undefined),
    "association.subnet-id": (t) => t.associations.map((a) => a.subnetId),
    // A table without associations matches neither true nor false, as AWS documents.
    "association.main": (t) => t.associations.map((a) => a.main),
    "owner-id": (t) => t.ownerId,
    "route-table-id": (t) => t.id,
    "route.destination-cidr-block": (t) => routes(t).map((r) => r.destinationCidrBlock),
    "route.destination-ipv6-cidr-block": () => [],
    "route.destination-prefix-list-id": (t) => routes(t).map((r) => r.destinationPrefixListId),
    "route.egress-only-internet-gateway-id": () => [],
    "route.gateway-id": (t) => routes(t).map((r) => r.gatewayId ?? r.vpcEndpointId),
    "route.instance-id": (t) => routes(t).map((r) => routeInstanceId(world, r)),
    "route.nat-gateway-id": (t) => routes(t).map((r) => r.natGatewayId),
    "route.transit-gateway-id": () => [],
    "route.origin": (t) => routes(t).map((r) => r.origin),
    "route.state": (t) => routes(t).map((r) => r.state),
    "route.vpc-peering-connection-id": (t) => routes(t).map((r) => r.vpcPeeringConnectionId),
    "vpc-id": (t) => t.vpcId,
  };
};

/** Targets and destinations of CreateRoute/ReplaceRoute that vpclab has no model of. */
const UNMODELLED_ROUTE_MEMBERS = [
  "destinationIpv6CidrBlock", "egressOnlyInternetGatewayId", "transitGatewayId", "localGatewayId",
  "carrierGatewayId", "coreNetworkArn", "odbNetworkArn",
];

const ASSOCIATED = { state: "associated" };

export const ROUTE_ACTIONS: ActionTable = {
  CreateRouteTable: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ vpcId: string; tagSpecifications?: TagSpecification[]; clientToken?: string }>(input);
      const rtb = createRouteTable(ctx, { vpcId: i.vpcId, tags: tagsFor(i.tagSpecifications, "route-table") });
      return { routeTable: presentRouteTable(ctx.world, rtb), clientToken: i.clientToken };
    },
  },
  DeleteRouteTable: {
    mutates: true,
    run: (ctx, input) => {
      deleteRouteTable(ctx, as<{ routeTableId: string }>(input).routeTableId);
      return {};
    },
  },
  DescribeRouteTables: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { routeTableIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "routeTables", i.routeTableIds, i, routeTableFilters(ctx.world), (t) => presentRouteTable(ctx.world, t), { min: 5, max: 100 });
      return { routeTables: items, nextToken };
    },
  },
  CreateRoute: {
    mutates: true,
    run: (ctx, input) => {
      refuseUnmodelled(input, UNMODELLED_ROUTE_MEMBERS);
      createRoute(ctx, as<RouteInput>(input));
      return { return: true };
    },
  },
  ReplaceRoute: {
    mutates: true,
    run: (ctx, input) => {
      // LocalTarget restores a local route's target; vpclab's local route cannot be replaced to begin with.
      refuseUnmodelled(input, [...UNMODELLED_ROUTE_MEMBERS, "localTarget"]);
      replaceRoute(ctx, as<RouteInput>(input));
      return {};
    },
  },
  DeleteRoute: {
    mutates: true,
    run: (ctx, input) => {
      refuseUnmodelled(input, ["destinationIpv6CidrBlock"]);
      deleteRoute(ctx, as<{ routeTableId: string; destinationCidrBlock?: string; destinationPrefixListId?: string }>(input));
      return {};
    },
  },
  AssociateRouteTable: {
    mutates: true,
    run: (ctx, input) => {
      refuseUnmodelled(input, ["publicIpv4Pool"]);
      const associationId = associateRouteTable(ctx, as<{ routeTableId: string; subnetId?: string; gatewayId?: string }>(input));
      return { associationId, associationState: ASSOCIATED };
    },
  },
  DisassociateRouteTable: {
    mutates: true,
    run: (ctx, input) => {
      disassociateRouteTable(ctx, as<{ associationId: string }>(input).associationId);
      return {};
    },
  },
  ReplaceRouteTableAssociation: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ associationId: string; routeTableId: string }>(input);
      return { newAssociationId: replaceRouteTableAssociation(ctx, i.associationId, i.routeTableId), associationState: ASSOCIATED };
    },
  },
  EnableVgwRoutePropagation: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ routeTableId: string; gatewayId: string }>(input);
      setVgwRoutePropagation(ctx, i.routeTableId, i.gatewayId, true);
      return {};
    },
  },
  DisableVgwRoutePropagation: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ routeTableId: string; gatewayId: string }>(input);
      setVgwRoutePropagation(ctx, i.routeTableId, i.gatewayId, false);
      return {};
    },
  },
};
