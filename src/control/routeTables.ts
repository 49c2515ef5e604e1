// Route tables: associations (subnet or gateway edge), and routes to gateways, NAT gateways,
// peering connections, VGWs, ENIs and instances. The local route and gateway-endpoint routes are
// AWS's to manage: they come and go with the VPC and the endpoint, never through these calls.
import { AwsError } from "../model/errors.js";
import { containsCidr, parseCidr } from "../model/net.js";
import type { Route, RouteTable, Tag } from "../model/types.js";
import { type Ctx, base, find, get, invalidParam } from "./context.js";
import { getPeeringConnection } from "./peering.js";
import { validateCidr } from "./vpcs.js";

export function createRouteTable(ctx: Ctx, input: { vpcId: string; tags?: Tag[] }): RouteTable {
  const vpc = get(ctx, "vpcs", input.vpcId);
  const rtb: RouteTable = {
    ...base(ctx, "rtb", input.tags),
    vpcId: vpc.id,
    routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: "local", origin: "CreateRouteTable", state: "active" }],
    associations: [],
    propagatingVgws: [],
  };
  ctx.world.routeTables.set(rtb.id, rtb);
  return rtb;
}

export function deleteRouteTable(ctx: Ctx, routeTableId: string): void {
  const rtb = get(ctx, "routeTables", routeTableId);
  if (rtb.associations.length > 0) {
    throw new AwsError("DependencyViolation", `The routeTable '${routeTableId}' has dependencies and cannot be deleted.`);
  }
  ctx.world.routeTables.delete(routeTableId);
}

/** Associates a subnet, or (edge association) an internet or virtual private gateway. */
export function associateRouteTable(ctx: Ctx, input: { routeTableId: string; subnetId?: string; gatewayId?: string }): string {
  const rtb = get(ctx, "routeTables", input.routeTableId);
  if ((input.subnetId === undefined) === (input.gatewayId === undefined)) {
    throw new AwsError("MissingParameter", "Either subnet ID or gateway ID must be specified.");
  }
  if (input.subnetId !== undefined) {
    const subnet = get(ctx, "subnets", input.subnetId);
    if (subnet.vpcId !== rtb.vpcId) throw invalidParam(`route table ${rtb.id} and subnet ${subnet.id} belong to different networks`);
  } else {
    const gw = input.gatewayId!;
    const attached = gw.startsWith("igw-")
      ? get(ctx, "internetGateways", gw).attachments.some((a) => a.vpcId === rtb.vpcId)
      : get(ctx, "vpnGateways", gw).attachments.some((a) => a.vpcId === rtb.vpcId);
    if (!attached) throw invalidParam(`route table ${rtb.id} and network gateway ${gw} belong to different networks`);
  }
  // A subnet, or a gateway attached to this VPC, can only be associated with this VPC's tables.
  const conflicting = ctx.world.routeTables.inVpc(rtb.vpcId).find((t) =>
    t.associations.some((a) => (input.subnetId !== undefined ? a.subnetId === input.subnetId : a.gatewayId === input.gatewayId)));
  if (conflicting) {
    throw new AwsError("Resource.AlreadyAssociated", `the specified association for route table ${conflicting.id} conflicts with an existing association`);
  }
  const id = ctx.world.ids.next("rtbassoc");
  rtb.associations.push({ id, main: false, ...(input.subnetId ? { subnetId: input.subnetId } : { gatewayId: input.gatewayId! }) });
  return id;
}

function findAssociation(ctx: Ctx, associationId: string): RouteTable {
  for (const rtb of ctx.world.routeTables.values()) {
    if (rtb.ownerId === ctx.account && rtb.region === ctx.region && rtb.associations.some((a) => a.id === associationId)) return rtb;
  }
  throw new AwsError("InvalidAssociationID.NotFound", `The association ID '${associationId}' does not exist`);
}

export function disassociateRouteTable(ctx: Ctx, associationId: string): void {
  const rtb = findAssociation(ctx, associationId);
  const assoc = rtb.associations.find((a) => a.id === associationId)!;
  if (assoc.main) throw invalidParam(`cannot disassociate the main route table association ${associationId}`);
  rtb.associations = rtb.associations.filter((a) => a.id !== associationId);
}

/** Moves a subnet's association (or the main one) to another table; returns the new association id. */
export function replaceRouteTableAssociation(ctx: Ctx, associationId: string, routeTableId: string): string {
  const from = findAssociation(ctx, associationId);
  const to = get(ctx, "routeTables", routeTableId);
  if (to.vpcId !== from.vpcId) throw invalidParam(`Route table ${to.id} belongs to a different network`);
  const assoc = from.associations.find((a) => a.id === associationId)!;
  from.associations = from.associations.filter((a) => a.id !== associationId);
  const moved = { ...assoc, id: ctx.world.ids.next("rtbassoc") };
  to.associations.push(moved);
  if (assoc.main) ctx.world.vpcs.get(to.vpcId)!.mainRouteTableId = to.id;
  return moved.id;
}

export interface RouteInput {
  routeTableId: string;
  destinationCidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  vpcEndpointId?: string;
}

const TARGETS = ["gatewayId", "natGatewayId", "vpcPeeringConnectionId", "networkInterfaceId", "instanceId", "vpcEndpointId"] as const;

/** Checks a route's destination and target the way CreateRoute and ReplaceRoute do, changing nothing. */
function checkRoute(ctx: Ctx, rtb: RouteTable, input: RouteInput): Route {
  if (input.destinationPrefixListId !== undefined) {
    throw invalidParam(
      `Routes to prefix list ${input.destinationPrefixListId}: AWS-managed service prefix lists are routed only by gateway endpoints (CreateVpcEndpoint), and customer-managed prefix lists are not modelled by vpclab yet.`,
    );
  }
  if (input.destinationCidrBlock === undefined) {
    throw new AwsError("MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId");
  }
  const dest = validateCidr(input.destinationCidrBlock, "destinationCidrBlock");
  const given = TARGETS.filter((t) => input[t] !== undefined);
  if (given.length !== 1) {
    throw new AwsError(given.length === 0 ? "MissingParameter" : "InvalidParameterCombination", "The request must contain exactly one of gatewayId, natGatewayId, vpcPeeringConnectionId, networkInterfaceId, instanceId or vpcEndpointId");
  }
  const route: Route = { destinationCidrBlock: dest.text, origin: "CreateRoute", state: "active" };
  const vpc = ctx.world.vpcs.get(rtb.vpcId)!;
  const different = (what: string): AwsError => invalidParam(`route table ${rtb.id} and network gateway ${what} belong to different networks`);
  if (input.gatewayId !== undefined) {
    const gw = input.gatewayId;
    if (gw === "local") throw invalidParam("The local route cannot be created; it exists with the VPC.");
    if (gw.startsWith("vpce-")) {
      throw new AwsError("InvalidParameterValue", `Routes to gateway endpoint ${gw} are managed by the endpoint: use ModifyVpcEndpoint --add-route-table-ids.`);
    }
    // GatewayId takes igw- and vgw- ids; anything else (a nat- or eni- id, a typo) is answered
    // InvalidGatewayID.NotFound, as AWS answers it, rather than the gateway kind's own code.
    const found = gw.startsWith("vgw-") ? find(ctx, "vpnGateways", gw) : gw.startsWith("igw-") ? find(ctx, "internetGateways", gw) : undefined;
    if (!found) throw new AwsError("InvalidGatewayID.NotFound", `The gateway ID '${gw}' does not exist`);
    if (!found.attachments.some((a) => a.vpcId === vpc.id)) throw different(gw);
    route.gatewayId = gw;
  } else if (input.natGatewayId !== undefined) {
    const nat = get(ctx, "natGateways", input.natGatewayId);
    if (nat.vpcId !== vpc.id) throw different(nat.id);
    route.natGatewayId = nat.id;
  } else if (input.vpcPeeringConnectionId !== undefined) {
    // Either side's owner routes through a peering connection, not only the requester who owns it.
    const pcx = getPeeringConnection(ctx, input.vpcPeeringConnectionId);
    if (pcx.requesterVpcId !== vpc.id && pcx.accepterVpcId !== vpc.id) throw different(pcx.id);
    // A connection that is gone (deleted, rejected, failed) cannot be a new route's target.
    if (pcx.status === "deleted" || pcx.status === "rejected" || pcx.status === "failed") {
      throw new AwsError("InvalidVpcPeeringConnectionID.NotFound", `The vpcPeeringConnection ID '${pcx.id}' does not exist`);
    }
    route.vpcPeeringConnectionId = pcx.id;
  } else if (input.networkInterfaceId !== undefined) {
    const eni = get(ctx, "networkInterfaces", input.networkInterfaceId);
    if (eni.vpcId !== vpc.id) throw different(eni.id);
    route.networkInterfaceId = eni.id;
  } else if (input.instanceId !== undefined) {
    const inst = get(ctx, "instances", input.instanceId);
    if (inst.vpcId !== vpc.id) throw different(inst.id);
    route.instanceId = inst.id;
    route.networkInterfaceId = inst.networkInterfaceId;
  } else {
    // VpcEndpointId takes Gateway Load Balancer endpoints only (CreateRoute, API reference): a
    // gateway endpoint's routes come with the endpoint, and an interface endpoint is reached by DNS.
    const vpce = get(ctx, "vpcEndpoints", input.vpcEndpointId!);
    if (vpce.vpcEndpointType !== "GatewayLoadBalancer") {
      throw invalidParam(`Route target ${vpce.id} is a ${vpce.vpcEndpointType} endpoint: VpcEndpointId takes Gateway Load Balancer endpoints only.`);
    }
    if (vpce.vpcId !== vpc.id) throw different(vpce.id);
    route.vpcEndpointId = vpce.id;
  }
  const vpcCidr = parseCidr(vpc.cidrBlock)!;
  const inVpc = containsCidr(vpcCidr, dest);
  if (inVpc && route.networkInterfaceId === undefined && route.vpcEndpointId === undefined) {
    throw invalidParam(
      `The destination CIDR block ${dest.text} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface, an instance, or a VPC endpoint.`,
    );
  }
  return route;
}

export function createRoute(ctx: Ctx, input: RouteInput): void {
  const rtb = get(ctx, "routeTables", input.routeTableId);
  const route = checkRoute(ctx, rtb, input);
  if (rtb.routes.some((r) => r.destinationCidrBlock === route.destinationCidrBlock)) {
    throw new AwsError("RouteAlreadyExists", `The route identified by ${route.destinationCidrBlock} already exists.`);
  }
  rtb.routes.push(route);
}

function existingRoute(rtb: RouteTable, destination: string | undefined, verb: string): number {
  if (destination === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter destinationCidrBlock");
  const i = rtb.routes.findIndex((r) => r.destinationCidrBlock === destination);
  if (i < 0) throw new AwsError("InvalidRoute.NotFound", `no route with destination-cidr-block ${destination} in route table ${rtb.id}`);
  if (rtb.routes[i]!.gatewayId === "local") throw invalidParam(`cannot ${verb} local route ${destination} in route table ${rtb.id}`);
  return i;
}

export function replaceRoute(ctx: Ctx, input: RouteInput): void {
  const rtb = get(ctx, "routeTables", input.routeTableId);
  const i = existingRoute(rtb, input.destinationCidrBlock, "replace");
  rtb.routes[i] = checkRoute(ctx, rtb, input);
}

export function deleteRoute(ctx: Ctx, input: { routeTableId: string; destinationCidrBlock?: string; destinationPrefixListId?: string }): void {
  const rtb = get(ctx, "routeTables", input.routeTableId);
  if (input.destinationPrefixListId !== undefined) {
    const r = rtb.routes.find((x) => x.destinationPrefixListId === input.destinationPrefixListId);
    if (!r) throw new AwsError("InvalidRoute.NotFound", `no route with destination-prefix-list-id ${input.destinationPrefixListId} in route table ${rtb.id}`);
    throw invalidParam(`The route to ${input.destinationPrefixListId} belongs to VPC endpoint ${r.gatewayId ?? ""}; remove the route table from the endpoint instead.`);
  }
  const i = existingRoute(rtb, input.destinationCidrBlock, "remove");
  rtb.routes.splice(i, 1);
}

/**
 * Routes whose target went away stay, as blackholes, as on AWS ("the route's target isn't
 * available"); `vpcId` limits the change to one VPC's tables (a gateway detached from it).
 */
export function blackholeRoutesTo(ctx: Pick<Ctx, "world">, matches: (r: Route) => boolean, vpcId?: string): void {
  setRouteStates(ctx, matches, "blackhole", vpcId);
}

export function setRouteStates(ctx: Pick<Ctx, "world">, matches: (r: Route) => boolean, state: Route["state"], vpcId?: string): void {
  const tables = vpcId === undefined ? ctx.world.routeTables.values() : ctx.world.routeTables.inVpc(vpcId);
  for (const rtb of tables) {
    for (const r of rtb.routes) if (matches(r)) r.state = state;
  }
}

export function setVgwRoutePropagation(ctx: Ctx, routeTableId: string, gatewayId: string, enabled: boolean): void {
  const rtb = get(ctx, "routeTables", routeTableId);
  const vgw = get(ctx, "vpnGateways", gatewayId);
  if (!vgw.attachments.some((a) => a.vpcId === rtb.vpcId)) throw invalidParam(`route table ${rtb.id} and network gateway ${vgw.id} belong to different networks`);
  rtb.propagatingVgws = rtb.propagatingVgws.filter((g) => g !== vgw.id);
  if (enabled) rtb.propagatingVgws.push(vgw.id);
}

