// What a route points at. A route sets exactly one target field, except an instance route, which
// names the instance and its primary ENI.
import type { Route } from "./types.js";

type Targets = Pick<Route, "gatewayId" | "natGatewayId" | "vpcPeeringConnectionId" | "instanceId" | "networkInterfaceId" | "vpcEndpointId">;

/** Every target id the route names, in the order AWS lists them. */
export function routeTargets(r: Targets): string[] {
  return [r.gatewayId, r.natGatewayId, r.vpcPeeringConnectionId, r.instanceId, r.networkInterfaceId, r.vpcEndpointId].filter((t) => t !== undefined);
}

/** The target to show a person: the first one named. */
export function routeTarget(r: Targets): string {
  return routeTargets(r)[0] ?? "?";
}
