// PrivateLink to a customer's endpoint service: the endpoint's connection (accepted or not), the
// service, and the provider's load balancer node in the endpoint's Availability Zone; and the
// rule that PrivateLink is one-way, for traces from the provider's side.
import { formatIpv4 } from "../model/net.js";
import type { LoadBalancer, LoadBalancerZone } from "../model/loadBalancing.js";
import type { NetworkInterface, VpcEndpoint, VpcEndpointService } from "../model/types.js";
import { throughLoadBalancer } from "./loadBalancer.js";
import type { ComponentRef } from "./types.js";
import { type Packet, type Walk, ref } from "./walk.js";

/** Whether the endpoint connects to a customer's endpoint service (com.amazonaws.vpce.<region>.vpce-svc-...). */
export function isCustomerEndpoint(ep: VpcEndpoint): boolean {
  return ep.serviceId !== undefined || ep.serviceName.startsWith("com.amazonaws.vpce.");
}

export function serviceRef(svc: VpcEndpointService): ComponentRef {
  const name = svc.tags.find((t) => t.key === "Name")?.value;
  return { id: svc.id, type: "vpc-endpoint-service", name: name ?? svc.serviceName };
}

/**
 * The endpoint's connection to its service: the endpoint must be accepted (available), and the
 * service must exist and be Available. Returns the service, or undefined when it no longer exists
 * (a blocker; nothing lies beyond it).
 */
export function connection(walk: Walk, ep: VpcEndpoint): VpcEndpointService | undefined {
  const epRef = ref(ep, "vpc-endpoint");
  const svc = walk.view.serviceOf(ep);
  const provider = svc ? `the provider (account ${svc.ownerId})` : "the provider";
  const Provider = `T${provider.slice(1)}`;
  const accept = svc ? `aws ec2 accept-vpc-endpoint-connections --service-id ${svc.id} --vpc-endpoint-ids ${ep.id}` : "aws ec2 accept-vpc-endpoint-connections";
  const kind = ep.vpcEndpointType === "GatewayLoadBalancer" ? "Gateway Load Balancer endpoint" : "interface endpoint";
  walk.hop({ component: epRef, verdict: ep.state === "available" ? "pass" : "block", detail: `${kind} ${ep.id} for ${ep.serviceName} (${ep.state})`, rule: { serviceName: ep.serviceName, state: ep.state } });
  if (ep.state === "pendingAcceptance") {
    walk.block({ code: "VPCE_CONNECTION_PENDING_ACCEPTANCE", component: epRef, message: `Endpoint ${ep.id} is waiting for ${provider} to accept its connection to ${svc?.id ?? ep.serviceName} (the service requires acceptance): no traffic flows until it is accepted.`, fix: `${Provider} runs: ${accept}` });
  } else if (ep.state === "rejected") {
    walk.block({ code: "VPCE_CONNECTION_REJECTED", component: epRef, message: `${Provider} rejected endpoint ${ep.id}'s connection to ${svc?.id ?? ep.serviceName}: it carries no traffic.`, fix: `A rejected connection stays rejected: delete the endpoint (aws ec2 delete-vpc-endpoints --vpc-endpoint-ids ${ep.id}) and create it again, then ${provider} accepts the new one (aws ec2 accept-vpc-endpoint-connections --service-id ${svc?.id ?? "<service id>"} --vpc-endpoint-ids <new endpoint id>)` });
  } else if (ep.state !== "available") {
    walk.block({ code: "BAD_STATE", component: epRef, message: `VPC endpoint ${ep.id} is ${ep.state}, not available.` });
  }
  if (!svc) {
    const gone: ComponentRef = { id: ep.serviceId ?? ep.serviceName, type: "vpc-endpoint-service" };
    walk.hop({ component: gone, verdict: "block", detail: `endpoint service ${gone.id} no longer exists` });
    walk.block({ code: "BAD_STATE", component: gone, message: `The endpoint service ${gone.id} that ${ep.id} connects to no longer exists.`, fix: `aws ec2 delete-vpc-endpoints --vpc-endpoint-ids ${ep.id}` });
    return undefined;
  }
  const ok = svc.serviceState === "Available";
  walk.hop({ component: serviceRef(svc), verdict: ok ? "pass" : "block", detail: `endpoint service ${svc.id} of account ${svc.ownerId} (${svc.serviceState}${svc.acceptanceRequired ? ", acceptance required" : ""})`, rule: { serviceName: svc.serviceName, acceptanceRequired: svc.acceptanceRequired, owner: svc.ownerId } });
  if (!ok) walk.block({ code: "BAD_STATE", component: serviceRef(svc), message: `Endpoint service ${svc.id} is ${svc.serviceState}, not Available.` });
  return svc;
}

/**
 * The service's load balancer node in the endpoint ENI's Availability Zone, matched by zone id
 * (zone names differ between accounts). An endpoint connects to one load balancer per zone; with
 * none there, a blocker, and the walk goes on through the first node the service has.
 */
export function nodeForZone(walk: Walk, svc: VpcEndpointService, arns: string[], eni: NetworkInterface): { lb: LoadBalancer; zone: LoadBalancerZone } | undefined {
  const { view } = walk;
  const zoneId = view.subnet(eni.subnetId).availabilityZoneId;
  const lbs = arns.map((arn) => view.world.loadBalancers.get(arn)).filter((lb) => lb !== undefined);
  for (const lb of lbs) {
    const zone = lb.zones.find((z) => z.zoneId === zoneId);
    if (zone) return { lb, zone };
  }
  const offered = [...new Set(lbs.flatMap((lb) => lb.zones.map((z) => `${z.zoneName} (${z.zoneId})`)))].join(", ") || "none";
  walk.hop({ component: serviceRef(svc), verdict: "block", detail: `no load balancer of ${svc.id} has a node in ${eni.availabilityZone} (${zoneId}); it serves ${offered}` });
  walk.block({
    code: "VPCE_SERVICE_NOT_INSTALLED_IN_AZ", component: serviceRef(svc),
    message: `Endpoint service ${svc.id} is not offered in ${eni.availabilityZone} (${zoneId}), where the endpoint's network interface ${eni.id} is: its load balancers serve ${offered} only.`,
    fix: lbs[0] ? `The provider (account ${svc.ownerId}) adds a subnet in ${zoneId} to ${lbs[0].name} (aws elbv2 set-subnets --load-balancer-arn ${lbs[0].id} --subnets ...); or the consumer moves the endpoint to a subnet in ${offered}` : `The provider attaches a load balancer to ${svc.id}`,
  });
  const lb = lbs[0];
  return lb?.zones[0] ? { lb, zone: lb.zones[0] } : undefined;
}

/** An interface endpoint to a customer service: the connection, then the provider's network load balancer and its target. */
export function throughEndpointService(walk: Walk, ep: VpcEndpoint, eni: NetworkInterface, pkt: Packet): void {
  const svc = connection(walk, ep);
  if (walk.protocol !== "tcp") {
    walk.block({ code: "PROTOCOL_RESTRICTION", component: ref(ep, "vpc-endpoint"), message: `Interface endpoint ${ep.id} carries TCP only; ${walk.protocol} is dropped.` });
  }
  if (!svc) return;
  const node = nodeForZone(walk, svc, svc.networkLoadBalancerArns, eni);
  if (!node) return;
  throughLoadBalancer(walk, node.lb, node.zone, { pkt, privateLink: { endpointId: ep.id, eniIp: eni.privateIpAddress } });
}

/**
 * PrivateLink carries only connections the consumer opens. When a flow from a provider's VPC has
 * no way to an address in a VPC that consumes one of its services, that is why: say so, and what
 * to build instead.
 */
export function privateLinkOneWay(walk: Walk, vpcId: string, dst: number): void {
  const { view } = walk;
  const ep = view.consumerEndpointAt(vpcId, dst);
  const consumer = ep ? view.world.vpcs.get(ep.vpcId) : undefined;
  if (!ep || !consumer) return;
  const svc = view.serviceOf(ep);
  walk.block({
    code: "PRIVATELINK_ONE_WAY", component: svc ? serviceRef(svc) : ref(ep, "vpc-endpoint"),
    message: `${formatIpv4(dst)} is in ${consumer.id}, which reaches this VPC's service ${svc?.id ?? ep.serviceName} through endpoint ${ep.id}. PrivateLink is one-way: only the consumer opens connections through it, and the provider's side cannot reach back into the consumer's VPC.`,
    fix: `Have ${consumer.id}'s owner (account ${consumer.ownerId}) offer its own endpoint service (behind a network load balancer) and connect to it from here with an interface endpoint; or peer the two VPCs (aws ec2 create-vpc-peering-connection --vpc-id ${vpcId} --peer-vpc-id ${consumer.id} --peer-owner-id ${consumer.ownerId}) if their CIDRs do not overlap`,
  });
}
