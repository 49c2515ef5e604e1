// The hop-by-hop walk of a flow from a source to a destination and back. Every filter that
// blocks is recorded and the walk goes on as if it were fixed, so that one trace names every
// setting to change. Only a missing next hop (no route, no such address) ends the walk early.
// This module resolves the destination, starts the walk at the source and routes; walk.ts holds
// the shared filter stages and targets.ts what each kind of route target does.
import { awsAddressOwner, findAwsService, findPublicServiceName, prefixListFor } from "../model/catalog/index.js";
import { containsIp, formatIpv4, isPublicIp, parseCidr, parseIpv4 } from "../model/net.js";
import { routeTarget } from "../model/routes.js";
import type { NetworkInterface, Subnet, Vpc } from "../model/types.js";
import { type Asker, resolve } from "./dns.js";
import { EPHEMERAL, type Protocol } from "./filters.js";
import type { ComponentRef, Trace } from "./types.js";
import type { NetworkView } from "./view.js";
import { type Ingress, type Packet, type Ports, Walk, leaveEni, ref } from "./walk.js";
import { dispatchRoute, enterThroughGateway } from "./targets.js";
import { privateLinkOneWay } from "./privateLink.js";

export type TraceSource = { kind: "eni"; eniId: string } | { kind: "vpn"; vpnConnectionId: string; ip?: string };
export interface TraceRequest {
  from: TraceSource;
  to: { host?: string; ip?: string; port: number; protocol?: Protocol };
  /** Which of several answers (DNS records, load-balancer targets) this flow takes: successive flows rotate. */
  rotation?: number;
  /** The live health of real backends ("host:port"), when known: a load balancer sends flows only to healthy targets. */
  backendHealth?: (address: string) => boolean | undefined;
}

export function trace(view: NetworkView, req: TraceRequest): Trace {
  const protocol = req.to.protocol ?? "tcp";
  const walk = new Walk(view, protocol, req.to.port, routeFrom);
  walk.rotation = req.rotation ?? 0;
  if (req.backendHealth) walk.backendHealth = req.backendHealth;
  const origin = sourceOf(view, req.from);
  const out: Trace = {
    reachable: false,
    source: { ...origin.component, ip: formatIpv4(origin.ip) },
    destination: { ip: req.to.ip ?? "", port: req.to.port, protocol, ...(req.to.host ? { host: req.to.host } : {}) },
    forward: walk.forward, return: walk.ret, returnComplete: false, explanations: walk.explanations, notes: walk.notes,
  };

  let dst = req.to.ip !== undefined ? parseIpv4(req.to.ip) : undefined;
  if (req.to.host !== undefined) {
    const asker: Asker = origin.vpc && origin.kind === "eni" ? { vpcId: origin.vpc.id, component: origin.component } : { component: origin.component };
    // Live backend health, when known, counts as a load balancer's DNS counts its health checks.
    const dig = resolve(view, asker, req.to.host, req.rotation ?? 0, req.backendHealth);
    out.dns = dig;
    walk.notes.push(...dig.notes);
    const first = dig.answers.find((a) => a.type === "A");
    walk.hop({
      component: dig.source.component ?? { id: dig.resolver, type: "dns-resolver" },
      verdict: first ? "info" : "block",
      detail: first ? `${req.to.host} resolves to ${dig.answers.filter((a) => a.type === "A").map((a) => a.value).join(", ")}${first.name !== dig.name ? ` (CNAME ${first.name})` : ""} (${dig.source.kind})` : `${req.to.host}: ${dig.status}`,
      rule: first ? { record: `${first.name} A ${first.value}`, zone: dig.source.zone, ttl: first.ttl } : { status: dig.status },
    });
    if (!first) {
      walk.explanations.push(...dig.explanations);
      if (dig.explanations.length === 0) {
        walk.block({ code: "DNS_NAME_NOT_FOUND", component: { id: dig.resolver, type: "dns-resolver" }, message: `${req.to.host} does not resolve from ${origin.component.id} (${dig.status}).` });
      }
      return out;
    }
    dst = parseIpv4(first.value);
    if (dig.source.kind === "aws-public") walk.destService = findPublicServiceName(dig.name)?.service.code;
    // Private DNS that the VPC's DNS attributes switched off is a blocker; walk on as if it
    // answered, to the endpoint's own address, so the endpoint's filters are checked too.
    const broken = walk.notes.find((n) => n.code === "PRIVATE_DNS_REQUIRES_VPC_DNS_ATTRIBUTES");
    const ep = broken ? view.world.vpcEndpoints.get(broken.component.id) : undefined;
    const ips = (ep?.networkInterfaceIds ?? []).map((id) => view.world.networkInterfaces.get(id)?.privateIpAddress).filter((ip) => ip !== undefined);
    if (broken && ips.length > 0) {
      walk.notes.splice(walk.notes.indexOf(broken), 1);
      walk.block(broken);
      dst = parseIpv4(ips[(req.rotation ?? 0) % ips.length]!);
      walk.hop({ component: broken.component, verdict: "block", detail: `with private DNS answering, ${req.to.host} would resolve to ${ips.join(", ")}: the walk goes on to ${formatIpv4(dst!)}` });
    }
  }
  if (dst === undefined) throw new Error("trace needs a destination address or name");
  out.destination.ip = formatIpv4(dst);

  const pkt: Packet = { src: origin.ip, dst, srcPorts: origin.ephemeral };
  walk.hop({ component: origin.component, verdict: "info", detail: `${formatIpv4(pkt.src)} → ${formatIpv4(dst)} ${walk.portText(req.to.port)}` });
  if (origin.kind === "eni") {
    const eni = origin.eni!;
    leaveEni(walk, eni, pkt);
    routeFrom(walk, view.subnet(eni.subnetId), pkt, "inside", eni);
  } else {
    enterFromVpn(walk, origin, pkt);
  }
  walk.finishReturn();
  // A private DNS name that stopped answering is the root cause when the public answer then fails.
  if (walk.explanations.length > 0) {
    const dnsCauses = walk.notes.filter((n) => n.code.startsWith("PRIVATE_DNS_"));
    walk.explanations.unshift(...dnsCauses);
    walk.notes.splice(0, walk.notes.length, ...walk.notes.filter((n) => !dnsCauses.includes(n)));
  }
  out.reachable = walk.explanations.length === 0 && walk.terminal !== undefined;
  if (walk.terminal) out.destination.component = walk.terminal;
  if (walk.delivery) out.delivery = walk.delivery;
  out.returnComplete = walk.terminal !== undefined;
  return out;
}

interface Origin { kind: "eni" | "vpn"; ip: number; component: ComponentRef; vpc?: Vpc; eni?: NetworkInterface; vgwId?: string; ephemeral: Ports }

function sourceOf(view: NetworkView, from: TraceSource): Origin {
  if (from.kind === "eni") {
    const eni = view.world.networkInterfaces.get(from.eniId)!;
    const inst = eni.attachment?.instanceId ? view.world.instances.get(eni.attachment.instanceId) : undefined;
    return {
      kind: "eni", ip: parseIpv4(eni.privateIpAddress)!, eni, vpc: view.world.vpcs.get(eni.vpcId),
      component: inst ? ref(inst, "instance") : ref(eni, "network-interface"), ephemeral: EPHEMERAL.linux,
    };
  }
  const vpn = view.world.vpnConnections.get(from.vpnConnectionId)!;
  const first = parseCidr(vpn.staticRoutes[0] ?? "192.168.0.0/24")!;
  const vgw = view.world.vpnGateways.get(vpn.vpnGatewayId);
  const vpcId = vgw?.attachments[0]?.vpcId;
  return {
    kind: "vpn", ip: from.ip !== undefined ? parseIpv4(from.ip)! : first.base + 10, component: ref(vpn, "vpn-connection"),
    ...(vpcId ? { vpc: view.world.vpcs.get(vpcId) } : {}), ...(vgw ? { vgwId: vgw.id } : {}), ephemeral: EPHEMERAL.wide,
  };
}

/** Security-group egress and the subnet's outbound ACL; their return counterparts are queued. */

function routeFrom(walk: Walk, subnet: Subnet, pkt: Packet, ingress: Ingress, sourceEni?: NetworkInterface): void {
  const { view } = walk;
  const rtb = view.routeTableOfSubnet(subnet.id);
  const explicit = rtb.associations.some((a) => a.subnetId === subnet.id);
  const rtbRef = ref(rtb, "route-table");
  const { best, others } = view.lookup(rtb, pkt.dst);
  if (!best) {
    walk.hop({ component: rtbRef, verdict: "block", detail: `no route in ${rtb.id} matches ${formatIpv4(pkt.dst)}` });
    walk.block({
      code: "NO_ROUTE_TO_DESTINATION", component: rtbRef,
      message: `Route table ${rtb.id} (${explicit ? "associated with" : "the VPC's main table, used implicitly by"} ${subnet.id}) has no route to ${formatIpv4(pkt.dst)}: the subnet has no path there.`,
      fix: suggestRoute(view, subnet.vpcId, pkt.dst, walk.destService),
    });
    privateLinkOneWay(walk, subnet.vpcId, pkt.dst);
    return;
  }
  const route = best.route;
  const target = routeTarget(route);
  walk.hop({
    component: rtbRef, verdict: route.state === "active" ? "pass" : "block",
    detail: `${formatIpv4(pkt.dst)} matches ${best.prefixListId ? `${best.cidr} in ${best.prefixListId}` : best.cidr} → ${target}`,
    rule: { destination: route.destinationPrefixListId ?? route.destinationCidrBlock, matchedCidr: best.cidr, target, origin: route.origin, state: route.state },
  });
  const beaten = others.find((o) => o.route !== route && o.route.gatewayId !== "local");
  if (beaten) {
    const other = `${beaten.cidr} → ${routeTarget(beaten.route)}`;
    const winner = `${best.cidr}${best.prefixListId ? ` (${best.prefixListId})` : ""} → ${target}`;
    const samePrefix = beaten.cidr.split("/")[1] === best.cidr.split("/")[1];
    walk.notes.push(samePrefix
      ? { code: "HIGHER_PRIORITY_ROUTE", component: rtbRef, message: `${winner} and ${other} match equally; ${winner} wins on route priority (static CIDR routes, then prefix lists, then propagated routes).` }
      : { code: "MORE_SPECIFIC_ROUTE", component: rtbRef, message: `${winner} is more specific than ${other}, so it wins (longest prefix match).` });
  }
  if (route.state !== "active") {
    walk.block({ code: "BAD_STATE_ROUTE", component: rtbRef, message: `The route ${best.cidr} → ${target} in ${rtb.id} is a blackhole: its target no longer exists or is not active.` });
    return;
  }
  dispatchRoute(walk, subnet, rtb.vpcId, best, pkt, ingress, sourceEni);
}

function suggestRoute(view: NetworkView, vpcId: string, dst: number, destService: string | undefined): string | undefined {
  const owner = awsAddressOwner(dst);
  const vpc = view.world.vpcs.get(vpcId)!;
  // Only an endpoint for the very service asked for (known from the name) is worth pointing at.
  const iface = owner?.service || destService === undefined ? undefined : view.endpointsIn(vpcId).find((e) => {
    const svc = e.vpcEndpointType === "Interface" ? findAwsService(e.serviceName) : undefined;
    return svc?.region.name === owner?.region && svc?.service.code === destService;
  });
  if (iface && owner) return `This is the service's public address. Interface endpoint ${iface.id} is in this VPC: reach it by its private IPs (private DNS, or its vpce DNS names) instead.`;
  if (owner && owner.region !== vpc.region) {
    return `${formatIpv4(dst)} is ${owner.service ?? "AWS"} in ${owner.region}; this VPC is in ${vpc.region}, and gateway endpoints serve their own Region only. Route 0.0.0.0/0 to a NAT gateway, or use the service in ${vpc.region}.`;
  }
  if (owner?.service && owner.region === vpc.region && prefixListFor(vpc.region, owner.service)) {
    return `Create a gateway endpoint for com.amazonaws.${vpc.region}.${owner.service} associated with this route table (free), or route 0.0.0.0/0 to a NAT gateway.`;
  }
  const service = destService && owner ? `com.amazonaws.${owner.region}.${destService}` : "the service";
  if (owner) return `Create an interface endpoint for ${service} with private DNS, or route 0.0.0.0/0 to a NAT gateway (or an internet gateway for a public subnet).`;
  if (isPublicIp(dst)) return "Route 0.0.0.0/0 to a NAT gateway, or to an internet gateway if this is a public subnet.";
  return "Add a route for this destination (peering connection, VPN gateway, or transit gateway).";
}

function enterFromVpn(walk: Walk, origin: Origin, pkt: Packet): void {
  const { view } = walk;
  const vgwRef: ComponentRef = { id: origin.vgwId ?? "none", type: "vpn-gateway" };
  if (!origin.vpc || !origin.vgwId) {
    walk.block({ code: "BAD_STATE_ATTACHMENT", component: vgwRef, message: `${origin.component.id}'s virtual private gateway is not attached to a VPC.` });
    return;
  }
  walk.hop({ component: vgwRef, verdict: "pass", detail: `into ${origin.vpc.id} through ${origin.vgwId}` });
  if (!containsIp(parseCidr(origin.vpc.cidrBlock)!, pkt.dst)) {
    const gwEp = view.endpointsIn(origin.vpc.id).find((e) => e.vpcEndpointType === "Gateway" && awsAddressOwner(pkt.dst)?.service !== undefined && findAwsService(e.serviceName)?.service.code === awsAddressOwner(pkt.dst)?.service);
    if (gwEp) {
      walk.block({ code: "GATEWAY_ENDPOINT_NOT_TRANSITIVE", component: ref(gwEp, "vpc-endpoint"), message: `Gateway endpoint ${gwEp.id} cannot be used from on-premises: traffic entering through a VPN reaches only addresses inside ${origin.vpc.id}.`, fix: "Use an interface endpoint for the service and resolve its name through a Route 53 Resolver inbound endpoint." });
    } else {
      walk.block({ code: "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", component: vgwRef, message: `${formatIpv4(pkt.dst)} is outside ${origin.vpc.id}; traffic entering through a VPN gateway can reach only the VPC's own addresses.`, fix: "Reach this destination from on-premises another way (a transit gateway, or a VPN to the VPC that holds it); a VPC does not route VPN traffic onward." });
    }
    return;
  }
  walk.onReturn(() => walk.back({ component: vgwRef, verdict: "pass", detail: `the reply returns through ${origin.vgwId}` }));
  const vpn = view.world.vpnConnections.get(origin.component.id);
  const onPremCidr = vpn?.staticRoutes.find((c) => containsIp(parseCidr(c)!, pkt.src)) ?? `${formatIpv4(pkt.src)}/32`;
  enterThroughGateway(walk, origin.vgwId, origin.vpc.id, pkt, "vpn", onPremCidr);
}
