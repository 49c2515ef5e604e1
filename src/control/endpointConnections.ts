// The provider's side of a connection: accepting and rejecting consumers' endpoints, and the
// connections as DescribeVpcEndpointConnections lists them, across the consumers' accounts.
import { AwsError } from "../model/errors.js";
import type { VpcEndpoint, VpcEndpointService } from "../model/types.js";
import { type Ctx, checkIdFormat, get, owned } from "./context.js";
import type { Unsuccessful } from "./endpointChecks.js";
import { notifyConnectionEvent } from "./connectionNotifications.js";

/** What a decision does to an endpoint in each state: the new state, "same" when it is already there, or refused. */
const DECISIONS: Record<"accept" | "reject", Partial<Record<VpcEndpoint["state"], VpcEndpoint["state"] | "same">>> = {
  accept: { pendingAcceptance: "available", pending: "same", available: "same" },
  // A provider can reject a connection it accepted earlier: the endpoint stops carrying traffic.
  reject: { pendingAcceptance: "rejected", pending: "rejected", available: "rejected", rejected: "same" },
};

/**
 * AcceptVpcEndpointConnections and RejectVpcEndpointConnections: the service must be the
 * caller's; each endpoint is decided on its own, and those that cannot be come back in
 * `unsuccessful`. An endpoint that is not connected to this service is answered as not found,
 * so that a provider learns nothing of other endpoints.
 */
export function decideConnections(ctx: Ctx, decision: "accept" | "reject", serviceId: string, vpcEndpointIds: string[]): Unsuccessful[] {
  const svc = get(ctx, "endpointServices", serviceId);
  const failed: Unsuccessful[] = [];
  for (const id of [...new Set(vpcEndpointIds)]) {
    try {
      checkIdFormat("vpcEndpoints", id);
    } catch (e) {
      failed.push({ resourceId: id, error: { code: (e as AwsError).code, message: (e as AwsError).message } });
      continue;
    }
    const ep = ctx.world.vpcEndpoints.get(id);
    if (!ep || ep.serviceId !== svc.id) {
      failed.push({ resourceId: id, error: { code: "InvalidVpcEndpoint.NotFound", message: `The Vpc Endpoint Id '${id}' does not exist` } });
      continue;
    }
    const next = DECISIONS[decision][ep.state];
    if (next === undefined) {
      failed.push({ resourceId: id, error: { code: "InvalidState", message: `The VPC endpoint ${id} is ${ep.state} and cannot be ${decision === "accept" ? "accepted" : "rejected"}.` } });
      continue;
    }
    if (next === "same") continue;
    ep.state = next;
    notifyConnectionEvent(ctx.world, decision === "accept" ? "Accept" : "Reject", ep);
  }
  return failed;
}

export interface ConnectionView { endpoint: VpcEndpoint; service: VpcEndpointService }

/** The connections to the caller's services in the caller's Region, whoever owns the endpoints. */
export function serviceConnections(ctx: Ctx): ConnectionView[] {
  const mine = new Map(owned(ctx, "endpointServices").map((s) => [s.id, s]));
  const out: ConnectionView[] = [];
  if (mine.size === 0) return out;
  for (const endpoint of ctx.world.vpcEndpoints.values()) {
    const service = endpoint.serviceId === undefined ? undefined : mine.get(endpoint.serviceId);
    if (service) out.push({ endpoint, service });
  }
  return out;
}
