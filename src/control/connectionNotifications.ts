// Connection notifications: an SNS topic told of an endpoint service's (or one endpoint's)
// connection events — Connect, Accept, Reject, Delete. vpclab has no SNS; each event that would
// have been published is recorded in the notification's `deliveries` (never rendered).
import { AwsError } from "../model/errors.js";
import type { ConnectionEvent, ConnectionNotification, VpcEndpoint } from "../model/types.js";
import type { World } from "../model/world.js";
import { type Ctx, base, checkIdFormat, find, get } from "./context.js";
import { type Unsuccessful, param } from "./endpointChecks.js";

const EVENTS: readonly ConnectionEvent[] = ["Accept", "Connect", "Delete", "Reject"];
/** An SNS topic ARN: arn:aws:sns:<region>:<account>:<topic>, topic names up to 256 of [A-Za-z0-9_-] (.fifo allowed). */
const TOPIC = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Records the event on every enabled notification that asked for it: the service's, and the endpoint's own. */
export function notifyConnectionEvent(world: World, event: ConnectionEvent, ep: VpcEndpoint): void {
  if (ep.serviceId === undefined) return;
  for (const n of world.connectionNotifications.values()) {
    const about = n.serviceId === ep.serviceId || n.vpcEndpointId === ep.id;
    if (about && n.connectionNotificationState === "Enabled" && n.connectionEvents.includes(event)) {
      n.deliveries.push({ event, vpcEndpointId: ep.id, serviceId: ep.serviceId, at: world.ids.now() });
    }
  }
}

/** A deleted service takes its notifications with it. */
export function dropServiceNotifications(world: World, serviceId: string): void {
  for (const n of [...world.connectionNotifications.values()]) if (n.serviceId === serviceId) world.connectionNotifications.delete(n.id);
}

/** A deleted endpoint takes its own notifications with it. */
export function dropEndpointNotifications(world: World, vpcEndpointId: string): void {
  for (const n of [...world.connectionNotifications.values()]) if (n.vpcEndpointId === vpcEndpointId) world.connectionNotifications.delete(n.id);
}

function checkTopic(arn: string): void {
  if (!TOPIC.test(arn)) throw param(`ConnectionNotificationArn '${arn}' is not an SNS topic ARN (arn:aws:sns:region:account-id:topic-name).`);
}

function checkEvents(events: string[]): ConnectionEvent[] {
  if (events.length === 0) throw new AwsError("MissingParameter", "The request must contain the parameter ConnectionEvents");
  for (const e of events) {
    if (!EVENTS.includes(e as ConnectionEvent)) throw param(`Invalid connection event '${e}': valid events are Accept, Connect, Delete and Reject.`);
  }
  return [...new Set(events)] as ConnectionEvent[];
}

export interface CreateConnectionNotificationInput {
  serviceId?: string;
  vpcEndpointId?: string;
  connectionNotificationArn: string;
  connectionEvents: string[];
}

/**
 * CreateVpcEndpointConnectionNotification, on one of the caller's endpoint services or one of
 * its endpoints — "for interface endpoints only" (API reference): a Gateway or Gateway Load
 * Balancer endpoint is refused.
 */
export function createConnectionNotification(ctx: Ctx, input: CreateConnectionNotificationInput): ConnectionNotification {
  if (input.serviceId === undefined && input.vpcEndpointId === undefined) {
    throw new AwsError("MissingParameter", "The request must contain the parameter ServiceId or VpcEndpointId");
  }
  if (input.serviceId !== undefined && input.vpcEndpointId !== undefined) {
    throw new AwsError("InvalidParameterCombination", "Specify either ServiceId or VpcEndpointId, not both.");
  }
  if (input.serviceId !== undefined) get(ctx, "endpointServices", input.serviceId);
  if (input.vpcEndpointId !== undefined) {
    const ep = get(ctx, "vpcEndpoints", input.vpcEndpointId);
    if (ep.vpcEndpointType !== "Interface") throw param(`Connection notifications are supported for interface endpoints only; ${ep.id} is a ${ep.vpcEndpointType} endpoint.`);
  }
  checkTopic(input.connectionNotificationArn);
  const events = checkEvents(input.connectionEvents);
  const n: ConnectionNotification = {
    ...base(ctx, "vpce-nfn"),
    ...(input.serviceId !== undefined ? { serviceId: input.serviceId } : { vpcEndpointId: input.vpcEndpointId! }),
    connectionNotificationArn: input.connectionNotificationArn,
    connectionEvents: events,
    connectionNotificationState: "Enabled",
    deliveries: [],
  };
  ctx.world.connectionNotifications.set(n.id, n);
  return structuredClone(n);
}

/** ModifyVpcEndpointConnectionNotification: a new topic and/or a new set of events. */
export function modifyConnectionNotification(ctx: Ctx, input: { connectionNotificationId: string; connectionNotificationArn?: string; connectionEvents?: string[] }): void {
  const n = get(ctx, "connectionNotifications", input.connectionNotificationId);
  if (input.connectionNotificationArn !== undefined) checkTopic(input.connectionNotificationArn);
  const events = input.connectionEvents !== undefined ? checkEvents(input.connectionEvents) : undefined;
  if (input.connectionNotificationArn !== undefined) n.connectionNotificationArn = input.connectionNotificationArn;
  if (events) n.connectionEvents = events;
}

/** DeleteVpcEndpointConnectionNotifications: per id, the missing ones reported. */
export function deleteConnectionNotifications(ctx: Ctx, ids: string[]): Unsuccessful[] {
  const failed: Unsuccessful[] = [];
  for (const id of [...new Set(ids)]) {
    try {
      checkIdFormat("connectionNotifications", id);
    } catch (e) {
      failed.push({ resourceId: id, error: { code: (e as AwsError).code, message: (e as AwsError).message } });
      continue;
    }
    if (!find(ctx, "connectionNotifications", id)) {
      failed.push({ resourceId: id, error: { code: "InvalidConnectionNotification", message: `The connection notification '${id}' does not exist` } });
      continue;
    }
    ctx.world.connectionNotifications.delete(id);
  }
  return failed;
}
