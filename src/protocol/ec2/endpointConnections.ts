// Connections to endpoint services on the wire: Accept/RejectVpcEndpointConnections and
// DescribeVpcEndpointConnections (the provider's view), and the connection notifications.
import { get, owned } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { type ConnectionView, decideConnections, serviceConnections } from "../../control/endpointConnections.js";
import {
  type CreateConnectionNotificationInput, createConnectionNotification, deleteConnectionNotifications, modifyConnectionNotification,
} from "../../control/connectionNotifications.js";
import type { ConnectionNotification, Tag } from "../../model/types.js";
import { type ActionTable, as, paginate } from "../actions.js";
import type { DescribeInput } from "./common.js";
import { capAt1000 } from "./endpointServices.js";

/**
 * A connection as the provider sees it (VpcEndpointConnection): the consumer's endpoint, its
 * owner and state, its regional and zonal DNS names (not its private hosted zone), and the
 * service's load balancers.
 */
export function presentConnection({ endpoint: ep, service: svc }: ConnectionView): object {
  const iface = svc.serviceType === "Interface";
  return {
    serviceId: svc.id, vpcEndpointId: ep.id, vpcEndpointOwner: ep.ownerId, vpcEndpointState: ep.state,
    creationTimestamp: ep.creationTimestamp, dnsEntries: ep.dnsEntries.filter((e) => e.dnsName.endsWith(".vpce.amazonaws.com")),
    networkLoadBalancerArns: iface ? svc.networkLoadBalancerArns : undefined,
    gatewayLoadBalancerArns: iface ? undefined : svc.gatewayLoadBalancerArns,
    ipAddressType: ep.ipAddressType, vpcEndpointConnectionId: ep.connectionId, tags: [], vpcEndpointRegion: ep.region,
  };
}

/** A connection as filters read it: connections have no tags of their own in vpclab. */
type ConnectionRow = ConnectionView & { tags: Tag[] };

const CONNECTION_FILTERS: FilterTable<ConnectionRow> = {
  "ip-address-type": (c) => c.endpoint.ipAddressType,
  "service-id": (c) => c.service.id,
  "vpc-endpoint-owner": (c) => c.endpoint.ownerId,
  "vpc-endpoint-state": (c) => c.endpoint.state,
  "vpc-endpoint-id": (c) => c.endpoint.id,
  // "The Region of the endpoint or cross-region to find endpoints for other Regions" (API reference).
  "vpc-endpoint-region": (c) => [c.endpoint.region, ...(c.endpoint.region !== c.service.region ? ["cross-region"] : [])],
};

export function presentConnectionNotification(n: ConnectionNotification): object {
  return {
    connectionNotificationId: n.id, serviceId: n.serviceId, vpcEndpointId: n.vpcEndpointId, connectionNotificationType: "Topic",
    connectionNotificationArn: n.connectionNotificationArn, connectionEvents: n.connectionEvents,
    connectionNotificationState: n.connectionNotificationState, serviceRegion: n.region,
  };
}

const NOTIFICATION_FILTERS: FilterTable<ConnectionNotification> = {
  "connection-notification-arn": (n) => n.connectionNotificationArn,
  "connection-notification-id": (n) => n.id,
  "connection-notification-state": (n) => n.connectionNotificationState,
  "connection-notification-type": () => "Topic",
  "service-id": (n) => n.serviceId,
  "vpc-endpoint-id": (n) => n.vpcEndpointId,
};

type Decision = { serviceId: string; vpcEndpointIds: string[] };

export const ENDPOINT_CONNECTION_ACTIONS: ActionTable = {
  AcceptVpcEndpointConnections: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<Decision>(input);
      return { unsuccessful: decideConnections(ctx, "accept", i.serviceId, i.vpcEndpointIds) };
    },
  },
  RejectVpcEndpointConnections: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<Decision>(input);
      return { unsuccessful: decideConnections(ctx, "reject", i.serviceId, i.vpcEndpointIds) };
    },
  },
  DescribeVpcEndpointConnections: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput>(input);
      const { page, nextToken } = paginate(applyFilters(serviceConnections(ctx).map((c): ConnectionRow => ({ ...c, tags: [] })), i.filters, CONNECTION_FILTERS),
        { ...i, maxResults: capAt1000(i.maxResults) }, { min: 5, max: 1000 }, (c) => c.endpoint.id);
      return { vpcEndpointConnections: page.map(presentConnection), nextToken };
    },
  },
  CreateVpcEndpointConnectionNotification: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<CreateConnectionNotificationInput & { clientToken?: string }>(input);
      return { connectionNotification: presentConnectionNotification(createConnectionNotification(ctx, i)), clientToken: i.clientToken };
    },
  },
  ModifyVpcEndpointConnectionNotification: {
    mutates: true,
    run: (ctx, input) => {
      modifyConnectionNotification(ctx, as<{ connectionNotificationId: string; connectionNotificationArn?: string; connectionEvents?: string[] }>(input));
      return { returnValue: true };
    },
  },
  DescribeVpcEndpointConnectionNotifications: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { connectionNotificationId?: string }>(input);
      const all = i.connectionNotificationId !== undefined ? [get(ctx, "connectionNotifications", i.connectionNotificationId)] : owned(ctx, "connectionNotifications");
      const { page, nextToken } = paginate(applyFilters(all, i.filters, NOTIFICATION_FILTERS), { ...i, maxResults: capAt1000(i.maxResults) }, { min: 1, max: 1000 }, (n) => n.id);
      return { connectionNotificationSet: page.map(presentConnectionNotification), nextToken };
    },
  },
  DeleteVpcEndpointConnectionNotifications: {
    mutates: true,
    run: (ctx, input) => ({ unsuccessful: deleteConnectionNotifications(ctx, as<{ connectionNotificationIds: string[] }>(input).connectionNotificationIds) }),
  },
};
