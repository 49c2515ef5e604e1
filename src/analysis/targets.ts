// Where a route leads: the VPC's own addresses (instances, interface endpoints and the services
// behind them, load balancers), gateway endpoints, internet and NAT gateways, peering
// connections, VPN gateways, appliances and Gateway Load Balancer endpoints; and how traffic
// enters a VPC through a gateway. Each target adds its hops, blockers and checks for the way back.
import { awsAddressOwner, findAwsService } from "../model/catalog/index.js";
import { containsIp, formatIpv4, isPublicIp, parseCidr, parseIpv4 } from "../model/net.js";
import { routeTarget } from "../model/routes.js";
import type { NetworkInterface, Subnet, VpcEndpoint } from "../model/types.js";
import { EPHEMERAL } from "./filters.js";
import { viaGwlbEndpoint } from "./gwlb.js";
import { throughLoadBalancer } from "./loadBalancer.js";
import { isCustomerEndpoint, privateLinkOneWay, throughEndpointService } from "./privateLink.js";
import type { ComponentRef } from "./types.js";
import type { InstalledRoute } from "./view.js";
import { type Ingress, type Packet, type Walk, aclCheck, arriveAtEni, expectRouteBack, leaveEni, leaveSubnet, ref, routeOut } from "./walk.js";

/** A route whose target is gone: AWS shows such routes as blackholes. */
function missingTarget(walk: Walk, id: string, type: string): void {
  walk.block({ code: "BAD_STATE_ROUTE", component: { id, type }, message: `The route's target ${id} does not exist.` });
}

/**
 * Where the route a subnet's table chose leads. trace.ts and fromInternet.ts route (and report a
 * missing route) themselves; from there on every walk shares this.
 */
export function dispatchRoute(walk: Walk, subnet: Subnet, vpcId: string, installed: InstalledRoute, pkt: Packet, ingress: Ingress, sourceEni?: NetworkInterface): void {
  const r = installed.route;
  if (r.gatewayId === "local") return deliverLocal(walk, vpcId, pkt, sourceEni, subnet.id);
  if (r.gatewayId?.startsWith("igw-")) return viaInternetGateway(walk, r.gatewayId, pkt, sourceEni);
  if (r.gatewayId?.startsWith("vpce-")) return viaGatewayEndpoint(walk, r.gatewayId, ingress);
  if (r.gatewayId?.startsWith("vgw-")) return viaVpnGateway(walk, r.gatewayId, pkt);
  if (r.natGatewayId) return viaNatGateway(walk, r.natGatewayId, pkt, ingress, subnet.id);
  if (r.vpcPeeringConnectionId) return viaPeering(walk, vpcId, r.vpcPeeringConnectionId, pkt, sourceEni);
  if (r.networkInterfaceId) return viaAppliance(walk, r.networkInterfaceId, pkt, ingress, sourceEni, subnet.id);
  if (r.vpcEndpointId) return viaGwlbEndpoint(walk, r.vpcEndpointId, pkt, ingress, sourceEni, subnet.id);
  walk.block({ code: "UNSUPPORTED_ROUTE_TARGET", component: { id: routeTarget(r), type: "route-target" }, message: `Routes to ${routeTarget(r)} are not analysed.` });
}

export function deliverLocal(walk: Walk, vpcId: string, pkt: Packet, sourceEni: NetworkInterface | undefined, fromSubnetId: string | undefined): void {
  const eni = walk.view.eniAt(vpcId, pkt.dst);
  if (!eni) {
    walk.block({ code: "UNKNOWN_DESTINATION", component: { id: vpcId, type: "vpc" }, message: `No network interface in ${vpcId} has the address ${formatIpv4(pkt.dst)}.` });
    privateLinkOneWay(walk, vpcId, pkt.dst);
    return;
  }
  arriveAtEni(walk, eni, pkt, sourceEni, fromSubnetId);
  landOn(walk, eni, pkt);
}

/** What the flow reached at an ENI: an instance, an interface endpoint (and its service), a load balancer, an appliance. */
function landOn(walk: Walk, eni: NetworkInterface, pkt: Packet): void {
  const { view } = walk;
  const ep = view.endpointOfInterface(eni.id);
  if (ep?.vpcEndpointType === "GatewayLoadBalancer") {
    walk.hop({ component: ref(ep, "vpc-endpoint"), verdict: "block", detail: `${eni.privateIpAddress} is Gateway Load Balancer endpoint ${ep.id}'s interface` });
    walk.block({ code: "NO_POSSIBLE_DESTINATION", component: ref(ep, "vpc-endpoint"), message: `${eni.privateIpAddress} belongs to Gateway Load Balancer endpoint ${ep.id}: such an endpoint is a route target, reached by routes to other addresses, never a destination itself.` });
    return;
  }
  if (ep && isCustomerEndpoint(ep)) return throughEndpointService(walk, ep, eni, pkt);
  if (ep) return throughInterfaceEndpoint(walk, ep, eni);
  const node = view.loadBalancerNode(eni.id);
  if (node?.lb.type === "network") return throughLoadBalancer(walk, node.lb, node.zone, { pkt });
  if (node) {
    walk.hop({ component: ref(eni, "network-interface"), verdict: "block", detail: `${eni.privateIpAddress} is gateway load balancer ${node.lb.name}'s node` });
    walk.block({ code: "NO_POSSIBLE_DESTINATION", component: ref(eni, "network-interface"), message: `${eni.privateIpAddress} is a node of gateway load balancer ${node.lb.name}, which takes traffic only through its Gateway Load Balancer endpoints (routes to them), not addressed to itself.` });
    return;
  }
  if (eni.interfaceType === "nat_gateway") {
    walk.hop({ component: ref(eni, "network-interface"), verdict: "block", detail: `${eni.privateIpAddress}${eni.publicIp ? ` / ${eni.publicIp}` : ""} belongs to a NAT gateway` });
    walk.block({ code: "NO_POSSIBLE_DESTINATION", component: ref(eni, "network-interface"), message: `${eni.id} is a NAT gateway's interface: a NAT gateway accepts no connections to itself, and none initiated from the internet.` });
    return;
  }
  const inst = eni.attachment?.instanceId ? view.world.instances.get(eni.attachment.instanceId) : undefined;
  if (inst) {
    const running = inst.state === "running";
    walk.hop({ component: ref(inst, "instance"), verdict: running ? "pass" : "block", detail: `destination instance ${inst.id} (${inst.state})` });
    if (!running) walk.block({ code: "BAD_STATE", component: ref(inst, "instance"), message: `Instance ${inst.id} is ${inst.state}.` });
    walk.terminal = ref(inst, "instance");
    walk.delivery = { vpcId: eni.vpcId, ip: eni.privateIpAddress, port: walk.port, instanceId: inst.id, networkInterfaceId: eni.id };
    return;
  }
  walk.hop({ component: ref(eni, "network-interface"), verdict: "pass", detail: `destination network interface ${eni.id}` });
  walk.terminal = ref(eni, "network-interface");
  walk.delivery = { vpcId: eni.vpcId, ip: eni.privateIpAddress, port: walk.port, networkInterfaceId: eni.id };
}

function serviceHop(walk: Walk, ep: VpcEndpoint, via: string): void {
  const svc = findAwsService(ep.serviceName);
  const component: ComponentRef = { id: ep.serviceName, type: "aws-service" };
  if (svc && walk.protocol === "tcp" && !svc.service.ports.includes(walk.port)) {
    walk.hop({ component, verdict: "block", detail: `${svc.service.title} does not listen on ${walk.portText(walk.port)}` });
    walk.block({ code: "SERVICE_PORT_NOT_LISTENING", component, message: `${svc.service.title} accepts ${svc.service.ports.map((p) => `tcp/${p}`).join(", ")} only, not ${walk.portText(walk.port)}.` });
  } else {
    walk.hop({ component, verdict: "pass", detail: `${svc?.service.title ?? ep.serviceName} in ${ep.serviceRegion}, reached ${via}` });
  }
  walk.terminal = component;
  walk.onReturn(() => walk.back({ component, verdict: "info", detail: `${svc?.service.title ?? ep.serviceName} replies ${via}` }));
}

function endpointUsable(walk: Walk, ep: VpcEndpoint): void {
  const epRef = ref(ep, "vpc-endpoint");
  const ok = ep.state === "available";
  walk.hop({ component: epRef, verdict: ok ? "pass" : "block", detail: `${ep.vpcEndpointType.toLowerCase()} endpoint ${ep.id} for ${ep.serviceName} (${ep.state})` });
  if (!ok) walk.block({ code: "BAD_STATE", component: epRef, message: `VPC endpoint ${ep.id} is ${ep.state}, not available.` });
  if (walk.protocol !== "tcp") {
    const gateway = ep.vpcEndpointType === "Gateway";
    walk.block({ code: gateway ? "VPCE_GATEWAY_PROTOCOL_RESTRICTION" : "PROTOCOL_RESTRICTION", component: epRef, message: `${gateway ? "Gateway" : "Interface"} endpoint ${ep.id} carries TCP only; ${walk.protocol} is dropped.` });
  }
}

function throughInterfaceEndpoint(walk: Walk, ep: VpcEndpoint, eni: NetworkInterface): void {
  endpointUsable(walk, ep);
  serviceHop(walk, ep, `through interface endpoint ${ep.id} (${eni.privateIpAddress} in ${eni.availabilityZone})`);
}

export function viaGatewayEndpoint(walk: Walk, epId: string, ingress: Ingress): void {
  const ep = walk.view.world.vpcEndpoints.get(epId);
  if (!ep) return missingTarget(walk, epId, "vpc-endpoint");
  endpointUsable(walk, ep);
  if (ingress !== "inside") {
    walk.block({ code: "GATEWAY_ENDPOINT_NOT_TRANSITIVE", component: ref(ep, "vpc-endpoint"), message: `Gateway endpoint ${ep.id} serves only traffic that starts inside ${ep.vpcId}; traffic arriving through a ${ingress === "vpn" ? "VPN" : ingress === "peering" ? "peering connection" : "internet gateway"} cannot use it.`, fix: "Use an interface endpoint for the service instead (reachable over VPN, Direct Connect and peering)." });
  }
  serviceHop(walk, ep, `through gateway endpoint ${ep.id}`);
}

export function viaInternetGateway(walk: Walk, igwId: string, pkt: Packet, sourceEni?: NetworkInterface): void {
  const { view } = walk;
  const igw = view.world.internetGateways.get(igwId);
  const igwRef = igw ? ref(igw, "internet-gateway") : { id: igwId, type: "internet-gateway" };
  let src = pkt.src;
  if (!isPublicIp(src)) {
    const publicIp = sourceEni?.publicIp;
    if (!publicIp) {
      walk.hop({ component: igwRef, verdict: "block", detail: `${formatIpv4(src)} has no public IPv4 address to be translated to` });
      walk.block({ code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", component: igwRef, message: `${sourceEni?.id ?? formatIpv4(src)} has no public IPv4 address or Elastic IP, so ${igwId} cannot carry its traffic to the internet.`, fix: "Associate an Elastic IP or launch with a public IP, or route through a NAT gateway." });
    } else {
      walk.hop({ component: igwRef, verdict: "pass", detail: `${formatIpv4(src)} is translated to its public address ${publicIp}` });
      src = parseIpv4(publicIp)!;
    }
  } else {
    walk.hop({ component: igwRef, verdict: "pass", detail: `out to the internet from ${formatIpv4(src)}` });
  }
  if (!isPublicIp(pkt.dst)) {
    walk.block({ code: "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", component: igwRef, message: `${formatIpv4(pkt.dst)} is not a public address; an internet gateway cannot reach it.` });
    const vpcId = igw?.attachments[0]?.vpcId;
    if (vpcId) privateLinkOneWay(walk, vpcId, pkt.dst);
    return;
  }
  walk.onReturn(() => walk.back({ component: igwRef, verdict: "pass", detail: `${igwId} translates the reply back to ${formatIpv4(pkt.src)}` }));
  overInternet(walk, { ...pkt, src });
}

/**
 * Traffic entering a VPC through a gateway (internet or VPN): the gateway's edge route table if it
 * has one (ingress routing, e.g. to an appliance), else straight to the VPC's own address. The
 * reply must be routed back through the same gateway.
 */
export function enterThroughGateway(walk: Walk, gatewayId: string, vpcId: string, pkt: Packet, ingress: Ingress, replyCidr: string): void {
  const { view } = walk;
  const edge = view.routeTableOfGateway(gatewayId);
  if (edge) {
    const edgeRef = ref(edge, "route-table");
    const best = view.lookup(edge, pkt.dst).best;
    const target = best ? routeTarget(best.route) : undefined;
    walk.hop({ component: edgeRef, verdict: best?.route.state === "active" ? "pass" : "block", detail: best ? `edge route table: ${formatIpv4(pkt.dst)} matches ${best.cidr} → ${target ?? "?"}` : `edge route table ${edge.id} has no route to ${formatIpv4(pkt.dst)}` });
    if (!best) {
      walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: edgeRef, message: `The edge route table ${edge.id} of ${gatewayId} has no route to ${formatIpv4(pkt.dst)}.` });
      return;
    }
    if (best.route.state !== "active") {
      walk.block({ code: "BAD_STATE_ROUTE", component: edgeRef, message: `The edge route ${best.cidr} → ${target ?? "?"} in ${edge.id} is a blackhole.` });
      return;
    }
    if (best.route.vpcEndpointId) {
      // Ingress routing into a Gateway Load Balancer endpoint: inspected, then on to the destination.
      return viaGwlbEndpoint(walk, best.route.vpcEndpointId, pkt, ingress, undefined, undefined, { gatewayId, replyCidr });
    }
    if (best.route.networkInterfaceId) {
      // Ingress through an appliance: the destination must route replies back through the
      // appliance (symmetric) or the gateway.
      const dest = view.eniAt(vpcId, pkt.dst);
      if (dest && isPublicIp(pkt.src)) expectRouteBack(walk, dest.subnetId, pkt.src, gatewayId, replyCidr, [best.route.networkInterfaceId]);
      return viaAppliance(walk, best.route.networkInterfaceId, pkt, ingress, undefined, undefined);
    }
    if (best.route.gatewayId !== "local") {
      walk.block({ code: "UNSUPPORTED_ROUTE_TARGET", component: edgeRef, message: `Edge routes to ${target ?? "this target"} are not analysed yet.` });
      return;
    }
  }
  const eni = view.eniAt(vpcId, pkt.dst);
  if (!eni) {
    walk.block({ code: "UNKNOWN_DESTINATION", component: { id: vpcId, type: "vpc" }, message: `No network interface in ${vpcId} has the address ${formatIpv4(pkt.dst)}.` });
    return;
  }
  // A source that could not be translated to a public address is already a blocker; its reply route is moot.
  if (ingress !== "internet" || isPublicIp(pkt.src)) expectRouteBack(walk, eni.subnetId, pkt.src, gatewayId, replyCidr);
  arriveAtEni(walk, eni, pkt, undefined, undefined);
  landOn(walk, eni, pkt);
}

/** On the public internet: an AWS service's public address, another VPC's public IP, or a host out there. */
function overInternet(walk: Walk, pkt: Packet): void {
  const { view } = walk;
  const owner = awsAddressOwner(pkt.dst);
  if (owner) {
    const svcName = owner.service ? `com.amazonaws.${owner.region}.${owner.service}` : `AWS public endpoint in ${owner.region}`;
    const component: ComponentRef = { id: svcName, type: "aws-service" };
    const svc = owner.service ? findAwsService(svcName) : undefined;
    if (svc && (walk.protocol !== "tcp" || !svc.service.ports.includes(walk.port))) {
      walk.block({ code: "SERVICE_PORT_NOT_LISTENING", component, message: `${svc.service.title} accepts ${svc.service.ports.map((p) => `tcp/${p}`).join(", ")} only, not ${walk.portText(walk.port)}.` });
    }
    walk.hop({ component, verdict: "pass", detail: `${formatIpv4(pkt.dst)} is ${svc?.service.title ?? "AWS"} in ${owner.region} (${owner.cidr}), reached over the internet` });
    walk.terminal = component;
    return;
  }
  const eni = view.eniWithPublicIp(pkt.dst);
  if (eni) {
    const igwId = view.igwOf(eni.vpcId);
    if (!igwId) {
      walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: { id: eni.vpcId, type: "vpc" }, message: `${formatIpv4(pkt.dst)} belongs to ${eni.id} in ${eni.vpcId}, which has no internet gateway attached.` });
      return;
    }
    const igw = view.world.internetGateways.get(igwId)!;
    walk.hop({ component: ref(igw, "internet-gateway"), verdict: "pass", detail: `${igwId} translates ${formatIpv4(pkt.dst)} to ${eni.privateIpAddress}` });
    enterThroughGateway(walk, igwId, eni.vpcId, { ...pkt, dst: parseIpv4(eni.privateIpAddress)! }, "internet", "0.0.0.0/0");
    return;
  }
  const component: ComponentRef = { id: formatIpv4(pkt.dst), type: "internet" };
  walk.hop({ component, verdict: "info", detail: `${formatIpv4(pkt.dst)} is on the internet, outside what vpclab models` });
  walk.terminal = component;
}

/** A NAT gateway translates the source to its private address; the internet gateway then maps that to its Elastic IP. */
export function viaNatGateway(walk: Walk, natId: string, pkt: Packet, ingress: Ingress, fromSubnetId: string): void {
  const { view } = walk;
  const nat = view.world.natGateways.get(natId);
  if (!nat) return missingTarget(walk, natId, "nat-gateway");
  const natRef = ref(nat, "nat-gateway");
  const ok = nat.state === "available";
  walk.hop({ component: natRef, verdict: ok ? "pass" : "block", detail: `${nat.connectivityType} NAT gateway in ${nat.subnetId} (${nat.state}): the source becomes ${nat.privateIp}` });
  if (!ok) walk.block({ code: "BAD_STATE", component: natRef, message: `NAT gateway ${nat.id} is ${nat.state}.` });
  if (ingress !== "inside") {
    walk.block({ code: "NGW_REQUIRES_SOURCE_IN_VPC", component: natRef, message: `NAT gateway ${nat.id} forwards only traffic from network interfaces in its own VPC, not traffic arriving through a ${ingress === "vpn" ? "VPN" : ingress === "peering" ? "peering connection" : "gateway"}.` });
  }
  if (fromSubnetId !== nat.subnetId) {
    aclCheck(walk, nat.subnetId, false, pkt.src, { from: walk.port, to: walk.port }, "forward");
    walk.onReturn(() => aclCheck(walk, nat.subnetId, true, pkt.src, pkt.srcPorts, "return"));
  }
  const translated: Packet = { src: parseIpv4(nat.privateIp)!, dst: pkt.dst, srcPorts: EPHEMERAL.wide };
  leaveSubnet(walk, nat.subnetId, translated, EPHEMERAL.wide, routeOut(view, nat.subnetId, translated.dst));
  if (walk.loop(natRef)) return;
  walk.routeFrom(walk, view.subnet(nat.subnetId), translated, ingress, view.world.networkInterfaces.get(nat.networkInterfaceId));
}

export function viaPeering(walk: Walk, fromVpcId: string, pcxId: string, pkt: Packet, sourceEni: NetworkInterface | undefined): void {
  const { view } = walk;
  const pcx = view.world.peeringConnections.get(pcxId);
  if (!pcx) return missingTarget(walk, pcxId, "vpc-peering-connection");
  const pcxRef = ref(pcx, "vpc-peering-connection");
  const active = pcx.status === "active";
  const peerVpcId = pcx.requesterVpcId === fromVpcId ? pcx.accepterVpcId : pcx.requesterVpcId;
  const peerVpc = view.world.vpcs.get(peerVpcId);
  walk.hop({ component: pcxRef, verdict: active ? "pass" : "block", detail: `peering ${pcx.id} to ${peerVpcId} (${pcx.status})` });
  if (!active) walk.block({ code: "BAD_STATE", component: pcxRef, message: `Peering connection ${pcx.id} is ${pcx.status}, not active.` });
  if (!peerVpc || !containsIp(parseCidr(peerVpc.cidrBlock)!, pkt.dst)) {
    walk.block({ code: "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", component: pcxRef, message: `${formatIpv4(pkt.dst)} is not inside ${peerVpcId}; a peering connection reaches only the peer VPC's own addresses (no transitive routing through its gateways or endpoints).`, fix: "Peer directly with the VPC that has this address, or connect the VPCs through a transit gateway." });
    return;
  }
  const eni = view.eniAt(peerVpcId, pkt.dst);
  if (!eni) {
    walk.block({ code: "UNKNOWN_DESTINATION", component: { id: peerVpcId, type: "vpc" }, message: `No network interface in ${peerVpcId} has the address ${formatIpv4(pkt.dst)}.` });
    return;
  }
  expectRouteBack(walk, eni.subnetId, pkt.src, pcx.id, view.world.vpcs.get(fromVpcId)?.cidrBlock ?? `${formatIpv4(pkt.src)}/32`);
  arriveAtEni(walk, eni, pkt, sourceEni, undefined);
  landOn(walk, eni, pkt);
}

export function viaVpnGateway(walk: Walk, vgwId: string, pkt: Packet): void {
  const { view } = walk;
  const vpn = view.vpnsOf(vgwId).find((v) => v.staticRoutes.some((c) => containsIp(parseCidr(c)!, pkt.dst)));
  const vgwRef: ComponentRef = { id: vgwId, type: "vpn-gateway" };
  walk.hop({ component: vgwRef, verdict: vpn ? "pass" : "block", detail: vpn ? `to the on-premises network through ${vpn.id}` : `no VPN connection of ${vgwId} leads to ${formatIpv4(pkt.dst)}` });
  if (!vpn) {
    walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: vgwRef, message: `No VPN connection on ${vgwId} has a route to ${formatIpv4(pkt.dst)}.` });
    return;
  }
  walk.terminal = ref(vpn, "vpn-connection");
  walk.onReturn(() => walk.back({ component: vgwRef, verdict: "pass", detail: `the reply comes back through ${vgwId}` }));
}

/** A route to an instance or ENI: the appliance must admit the traffic, forward it (no source/destination check), and let it out. */
export function viaAppliance(walk: Walk, eniId: string, pkt: Packet, ingress: Ingress, sourceEni: NetworkInterface | undefined, fromSubnetId: string | undefined): void {
  const { view } = walk;
  const eni = view.world.networkInterfaces.get(eniId);
  if (!eni) return missingTarget(walk, eniId, "network-interface");
  arriveAtEni(walk, eni, pkt, sourceEni, fromSubnetId);
  if (eni.sourceDestCheck) {
    walk.block({ code: "ENI_SOURCE_DEST_CHECK_RESTRICTION", component: ref(eni, "network-interface"), message: `${eni.id} has source/destination checking on, so it drops traffic not addressed to itself and cannot forward it.`, fix: `aws ec2 modify-network-interface-attribute --network-interface-id ${eni.id} --no-source-dest-check` });
  }
  if (walk.loop(ref(eni, "network-interface"))) return;
  leaveEni(walk, eni, pkt);
  walk.routeFrom(walk, view.subnet(eni.subnetId), pkt, ingress, sourceEni);
}
