// The hop-by-hop walk of a flow from a source to a destination and back. Every filter that
// blocks is recorded and the walk goes on as if it were fixed, so that one trace names every
// setting to change. Only a missing next hop (no route, no such address) ends the walk early.
import { awsAddressOwner, findAwsService, prefixListFor } from "../model/catalog/index.js";
import { containsIp, formatIpv4, isPublicIp, parseCidr, parseIpv4 } from "../model/net.js";
import type { NetworkInterface, Subnet, Vpc, VpcEndpoint } from "../model/types.js";
import { type Asker, resolve } from "./dns.js";
import { EPHEMERAL, type Protocol, describeSegments, evaluateAcl, evaluateSecurityGroups } from "./filters.js";
import type { ComponentRef, Explanation, Hop, MatchedRule, Trace } from "./types.js";
import type { InstalledRoute, NetworkView } from "./view.js";

export type TraceSource = { kind: "eni"; eniId: string } | { kind: "vpn"; vpnConnectionId: string; ip?: string };
export interface TraceRequest { from: TraceSource; to: { host?: string; ip?: string; port: number; protocol?: Protocol }; rotation?: number }

interface Ports { from: number; to: number }
interface Packet { src: number; dst: number; srcPorts: Ports }
/** How the packet entered the VPC it is being routed in: from inside, or through a gateway or peering. */
type Ingress = "inside" | "vpn" | "peering";

const MAX_FORWARDS = 8;

function ref(r: { id: string; tags?: { key: string; value: string }[] }, type: string): ComponentRef {
  const name = r.tags?.find((t) => t.key === "Name")?.value;
  return { id: r.id, type, ...(name ? { name } : {}) };
}

class Walk {
  readonly forward: Hop[] = [];
  readonly ret: Hop[] = [];
  readonly explanations: Explanation[] = [];
  readonly notes: Explanation[] = [];
  private readonly returnSteps: (() => void)[] = [];
  terminal?: ComponentRef;
  forwards = 0;

  constructor(readonly view: NetworkView, readonly protocol: Protocol, readonly port: number) {}

  hop(h: Hop): void { this.forward.push(h); }
  back(h: Hop): void { this.ret.push(h); }
  block(e: Explanation): void { this.explanations.push(e); }
  onReturn(step: () => void): void { this.returnSteps.push(step); }
  finishReturn(): void { for (const step of this.returnSteps.reverse()) step(); }

  get usesPorts(): boolean { return this.protocol !== "icmp"; }
  portText(p: Ports | number): string {
    if (!this.usesPorts) return this.protocol;
    return typeof p === "number" ? `${this.protocol}/${p}` : `${this.protocol} ports ${p.from}-${p.to}`;
  }
}

export function trace(view: NetworkView, req: TraceRequest): Trace {
  const protocol = req.to.protocol ?? "tcp";
  const walk = new Walk(view, protocol, req.to.port);
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
    const dig = resolve(view, asker, req.to.host, req.rotation ?? 0);
    out.dns = dig;
    walk.notes.push(...dig.notes);
    const first = dig.answers.find((a) => a.type === "A");
    walk.hop({
      component: dig.source.component ?? { id: dig.resolver, type: "dns-resolver" },
      verdict: first ? "info" : "block",
      detail: first ? `${req.to.host} resolves to ${dig.answers.map((a) => a.value).join(", ")} (${dig.source.kind})` : `${req.to.host}: ${dig.status}`,
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
function leaveEni(walk: Walk, eni: NetworkInterface, pkt: Packet): void {
  const { view } = walk;
  const peerEni = view.eniAt(eni.vpcId, pkt.dst);
  const sg = evaluateSecurityGroups(view.world, eni, true, pkt.dst, walk.protocol, walk.port, peerEni);
  walk.hop({ component: groupRef(walk, eni, sg.rule, "security-group-egress"), verdict: sg.allowed ? "pass" : "block", detail: sg.allowed ? `${eni.id}: egress allowed by ${String(sg.rule?.["rule"])}` : `${eni.id}: no egress rule in ${eni.groupIds.join(", ")} allows ${walk.portText(walk.port)} to ${formatIpv4(pkt.dst)}`, rule: sg.rule ?? { securityGroupIds: eni.groupIds.join(",") } });
  if (!sg.allowed) {
    walk.block({ code: "ENI_SG_RULES_MISMATCH", component: { id: eni.groupIds[0] ?? eni.id, type: "security-group" }, message: `The security groups of ${eni.id} (${eni.groupIds.join(", ")}) have no outbound rule allowing ${walk.portText(walk.port)} to ${formatIpv4(pkt.dst)}.`, fix: egressFix(walk, eni, pkt.dst) });
  }
  aclCheck(walk, eni.subnetId, true, pkt.dst, { from: walk.port, to: walk.port }, "forward");
  walk.onReturn(() => {
    aclCheck(walk, eni.subnetId, false, pkt.dst, pkt.srcPorts, "return");
    walk.back({ component: groupRef(walk, eni, undefined, "security-group"), verdict: "pass", detail: `${eni.id}: return traffic allowed: security groups are stateful` });
  });
}

/** Arrival at an ENI: the subnet's inbound ACL, then its security groups' ingress rules. */
function arriveAtEni(walk: Walk, eni: NetworkInterface, pkt: Packet, sourceEni?: NetworkInterface): void {
  const { view } = walk;
  aclCheck(walk, eni.subnetId, false, pkt.src, { from: walk.port, to: walk.port }, "forward");
  if (eni.groupIds.length > 0) {
    const sg = evaluateSecurityGroups(view.world, eni, false, pkt.src, walk.protocol, walk.port, sourceEni);
    walk.hop({ component: groupRef(walk, eni, sg.rule, "security-group-ingress"), verdict: sg.allowed ? "pass" : "block", detail: sg.allowed ? `${eni.id}: ingress allowed by ${String(sg.rule?.["rule"])}` : `${eni.id}: no ingress rule in ${eni.groupIds.join(", ")} allows ${walk.portText(walk.port)} from ${formatIpv4(pkt.src)}`, rule: sg.rule ?? { securityGroupIds: eni.groupIds.join(",") } });
    if (!sg.allowed) {
      walk.block({ code: "ENI_SG_RULES_MISMATCH", component: { id: eni.groupIds[0]!, type: "security-group" }, message: `The security groups of ${eni.id} (${eni.groupIds.join(", ")}) have no inbound rule allowing ${walk.portText(walk.port)} from ${formatIpv4(pkt.src)}.`, fix: `aws ec2 authorize-security-group-ingress --group-id ${eni.groupIds[0]!} --protocol ${walk.protocol} --port ${walk.port} --cidr ${formatIpv4(pkt.src)}/32` });
    }
  }
  walk.onReturn(() => {
    if (eni.groupIds.length > 0) walk.back({ component: groupRef(walk, eni, undefined, "security-group"), verdict: "pass", detail: `${eni.id}: reply allowed: security groups are stateful` });
    aclCheck(walk, eni.subnetId, true, pkt.src, pkt.srcPorts, "return");
  });
}

/** The group whose rule decided, or the ENI's first group: hops name the security group, as Reachability Analyzer's do. */
function groupRef(walk: Walk, eni: NetworkInterface, rule: MatchedRule | undefined, type: string): ComponentRef {
  const id = typeof rule?.["securityGroupId"] === "string" ? rule["securityGroupId"] : eni.groupIds[0] ?? eni.id;
  const sg = walk.view.world.securityGroups.get(id);
  return { ...(sg ? ref(sg, type) : { id, type }), ...(sg && !sg.tags.some((t) => t.key === "Name") ? { name: sg.groupName } : {}) };
}

function aclCheck(walk: Walk, subnetId: string, egress: boolean, peer: number, ports: Ports, direction: "forward" | "return"): void {
  const acl = walk.view.aclOfSubnetId(subnetId);
  if (!acl) return;
  const v = evaluateAcl(acl, egress, peer, walk.protocol, ports);
  const dirWord = egress ? "outbound" : "inbound";
  const what = `${dirWord} ${walk.portText(ports.from === ports.to ? ports.from : ports)} ${egress ? "to" : "from"} ${formatIpv4(peer)}`;
  const hop: Hop = { component: { ...ref(acl, "network-acl"), type: "network-acl" }, verdict: v.allowed ? "pass" : "block", detail: `${subnetId} ${what}: ${describeSegments(v, walk.usesPorts)}`, rule: v.rule };
  if (direction === "forward") walk.hop(hop);
  else walk.back(hop);
  if (!v.allowed) {
    const ephemeral = direction === "return" ? ` (the ${ports.from}-${ports.to} ephemeral ports that replies go to)` : "";
    walk.block({
      code: "SUBNET_ACL_RESTRICTION", component: { id: acl.id, type: "network-acl" },
      message: `Network ACL ${acl.id} on ${subnetId} does not allow ${what}${ephemeral}: ${describeSegments(v, walk.usesPorts)}.`,
      fix: `aws ec2 create-network-acl-entry --network-acl-id ${acl.id} --${egress ? "egress" : "ingress"} --rule-number <n below the deny> --protocol ${walk.protocol} ${walk.usesPorts ? `--port-range From=${ports.from},To=${ports.to} ` : ""}--cidr-block ${peerCidr(peer)} --rule-action allow${awsAddressOwner(peer)?.service ? " (a network ACL cannot reference a prefix list: allow each of its CIDRs)" : ""}`,
    });
  }
}

/** AWS service addresses are best allowed by their prefix list; anything else by its address. */
function egressFix(walk: Walk, eni: NetworkInterface, dst: number): string {
  const owner = awsAddressOwner(dst);
  const pl = owner?.service ? prefixListFor(owner.region, owner.service) : undefined;
  const group = eni.groupIds[0] ?? "sg-...";
  if (pl && walk.usesPorts) return `aws ec2 authorize-security-group-egress --group-id ${group} --ip-permissions IpProtocol=${walk.protocol},FromPort=${walk.port},ToPort=${walk.port},PrefixListIds=[{PrefixListId=${pl.id}}]`;
  return `aws ec2 authorize-security-group-egress --group-id ${group} --protocol ${walk.protocol} --port ${walk.port} --cidr ${formatIpv4(dst)}/32`;
}

function peerCidr(ip: number): string {
  return awsAddressOwner(ip)?.cidr ?? `${formatIpv4(ip)}/32`;
}

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
      fix: suggestRoute(view, subnet.vpcId, pkt.dst),
    });
    return;
  }
  const route = best.route;
  const target = route.gatewayId ?? route.natGatewayId ?? route.vpcPeeringConnectionId ?? route.instanceId ?? route.networkInterfaceId ?? route.vpcEndpointId ?? "?";
  walk.hop({
    component: rtbRef, verdict: route.state === "active" ? "pass" : "block",
    detail: `${formatIpv4(pkt.dst)} matches ${best.prefixListId ? `${best.cidr} in ${best.prefixListId}` : best.cidr} → ${target}`,
    rule: { destination: route.destinationPrefixListId ?? route.destinationCidrBlock, matchedCidr: best.cidr, target, origin: route.origin, state: route.state },
  });
  const beaten = others.find((o) => o.route !== route && o.route.gatewayId !== "local");
  if (beaten) {
    walk.notes.push({ code: "MORE_SPECIFIC_ROUTE", component: rtbRef, message: `${best.cidr}${best.prefixListId ? ` (${best.prefixListId})` : ""} → ${target} is more specific than ${beaten.cidr} → ${beaten.route.gatewayId ?? beaten.route.natGatewayId ?? beaten.route.vpcPeeringConnectionId ?? "?"}, so it wins (longest prefix match).` });
  }
  if (route.state !== "active") {
    walk.block({ code: "BAD_STATE_ROUTE", component: rtbRef, message: `The route ${best.cidr} → ${target} in ${rtb.id} is a blackhole: its target no longer exists or is not active.` });
    return;
  }
  dispatch(walk, subnet, rtb.vpcId, best, pkt, ingress, sourceEni);
}

function suggestRoute(view: NetworkView, vpcId: string, dst: number): string | undefined {
  const owner = awsAddressOwner(dst);
  const vpc = view.world.vpcs.get(vpcId)!;
  const iface = owner?.service ? undefined : view.endpointsIn(vpcId).find((e) => e.vpcEndpointType === "Interface" && findAwsService(e.serviceName)?.region.name === owner?.region);
  if (iface && owner) return `This is the service's public address. Interface endpoint ${iface.id} is in this VPC: reach it by its private IPs (private DNS, or its vpce DNS names) instead.`;
  if (owner?.service && owner.region === vpc.region && prefixListFor(vpc.region, owner.service)) {
    return `Create a gateway endpoint for com.amazonaws.${vpc.region}.${owner.service} associated with this route table (free), or route 0.0.0.0/0 to a NAT gateway.`;
  }
  if (owner) return `Use an interface endpoint for the service with private DNS, or route 0.0.0.0/0 to a NAT gateway (or an internet gateway for a public subnet).`;
  if (isPublicIp(dst)) return "Route 0.0.0.0/0 to a NAT gateway, or to an internet gateway if this is a public subnet.";
  return "Add a route for this destination (peering connection, VPN gateway, or transit gateway).";
}

function dispatch(walk: Walk, subnet: Subnet, vpcId: string, installed: InstalledRoute, pkt: Packet, ingress: Ingress, sourceEni?: NetworkInterface): void {
  const { view } = walk;
  const r = installed.route;
  if (r.gatewayId === "local") return deliverLocal(walk, vpcId, pkt, sourceEni);
  if (r.gatewayId?.startsWith("igw-")) return viaInternetGateway(walk, r.gatewayId, pkt, sourceEni);
  if (r.gatewayId?.startsWith("vpce-")) return viaGatewayEndpoint(walk, view.world.vpcEndpoints.get(r.gatewayId), pkt, ingress);
  if (r.gatewayId?.startsWith("vgw-")) return viaVpnGateway(walk, r.gatewayId, pkt);
  if (r.natGatewayId) return viaNatGateway(walk, r.natGatewayId, pkt, ingress);
  if (r.vpcPeeringConnectionId) return viaPeering(walk, vpcId, r.vpcPeeringConnectionId, pkt, sourceEni);
  if (r.networkInterfaceId) return viaAppliance(walk, r.networkInterfaceId, pkt, ingress);
  walk.block({ code: "UNSUPPORTED_ROUTE_TARGET", component: { id: r.vpcEndpointId ?? "?", type: "route-target" }, message: `Routes to ${r.vpcEndpointId ?? "this target"} (Gateway Load Balancer endpoints) are not analysed yet.` });
  void subnet;
}

function deliverLocal(walk: Walk, vpcId: string, pkt: Packet, sourceEni?: NetworkInterface): void {
  const eni = walk.view.eniAt(vpcId, pkt.dst);
  if (!eni) {
    walk.block({ code: "UNKNOWN_DESTINATION", component: { id: vpcId, type: "vpc" }, message: `No network interface in ${vpcId} has the address ${formatIpv4(pkt.dst)}.` });
    return;
  }
  arriveAtEni(walk, eni, pkt, sourceEni);
  landOn(walk, eni);
}

/** What the flow reached at an ENI: an instance, an interface endpoint (and its service), an appliance. */
function landOn(walk: Walk, eni: NetworkInterface): void {
  const { view } = walk;
  const ep = view.endpointOfInterface(eni.id);
  if (ep) return throughInterfaceEndpoint(walk, ep, eni);
  const inst = eni.attachment?.instanceId ? view.world.instances.get(eni.attachment.instanceId) : undefined;
  if (inst) {
    const running = inst.state === "running";
    walk.hop({ component: ref(inst, "instance"), verdict: running ? "pass" : "block", detail: `destination instance ${inst.id} (${inst.state})` });
    if (!running) walk.block({ code: "BAD_STATE", component: ref(inst, "instance"), message: `Instance ${inst.id} is ${inst.state}.` });
    walk.terminal = ref(inst, "instance");
    return;
  }
  walk.hop({ component: ref(eni, "network-interface"), verdict: "pass", detail: `destination network interface ${eni.id}` });
  walk.terminal = ref(eni, "network-interface");
}

function serviceHop(walk: Walk, ep: VpcEndpoint, via: string): void {
  const svc = findAwsService(ep.serviceName);
  const component: ComponentRef = { id: ep.serviceName, type: "aws-service" };
  if (svc && walk.usesPorts && !svc.service.ports.includes(walk.port)) {
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

function viaGatewayEndpoint(walk: Walk, ep: VpcEndpoint | undefined, pkt: Packet, ingress: Ingress): void {
  if (!ep) return;
  endpointUsable(walk, ep);
  if (ingress !== "inside") {
    walk.block({ code: "GATEWAY_ENDPOINT_NOT_TRANSITIVE", component: ref(ep, "vpc-endpoint"), message: `Gateway endpoint ${ep.id} serves only traffic that starts inside ${ep.vpcId}; traffic arriving through a ${ingress === "vpn" ? "VPN" : "peering connection"} cannot use it.`, fix: "Use an interface endpoint for the service instead (reachable over VPN, Direct Connect and peering)." });
  }
  serviceHop(walk, ep, `through gateway endpoint ${ep.id}`);
  void pkt;
}

function viaInternetGateway(walk: Walk, igwId: string, pkt: Packet, sourceEni?: NetworkInterface): void {
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
    return;
  }
  walk.onReturn(() => walk.back({ component: igwRef, verdict: "pass", detail: `${igwId} translates the reply back to ${formatIpv4(pkt.src)}` }));
  overInternet(walk, { ...pkt, src });
}

/** On the public internet: an AWS service's public address, another VPC's public IP, or a host out there. */
function overInternet(walk: Walk, pkt: Packet): void {
  const { view } = walk;
  const owner = awsAddressOwner(pkt.dst);
  if (owner) {
    const svcName = owner.service ? `com.amazonaws.${owner.region}.${owner.service}` : `AWS public endpoint in ${owner.region}`;
    const component: ComponentRef = { id: svcName, type: "aws-service" };
    const svc = owner.service ? findAwsService(svcName) : undefined;
    if (svc && walk.usesPorts && !svc.service.ports.includes(walk.port)) {
      walk.block({ code: "SERVICE_PORT_NOT_LISTENING", component, message: `${svc.service.title} accepts ${svc.service.ports.map((p) => `tcp/${p}`).join(", ")} only.` });
    }
    walk.hop({ component, verdict: "pass", detail: `${formatIpv4(pkt.dst)} is ${svc?.service.title ?? "AWS"} in ${owner.region} (${owner.cidr}), reached over the internet` });
    walk.terminal = component;
    return;
  }
  const eni = view.eniWithPublicIp(pkt.dst);
  if (eni) {
    const igwId = view.igwOf(eni.vpcId);
    const igwRef: ComponentRef = { id: igwId ?? "none", type: "internet-gateway" };
    if (!igwId) {
      walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: { id: eni.vpcId, type: "vpc" }, message: `${formatIpv4(pkt.dst)} belongs to ${eni.id} in ${eni.vpcId}, which has no internet gateway attached.` });
      return;
    }
    walk.hop({ component: igwRef, verdict: "pass", detail: `${igwId} translates ${formatIpv4(pkt.dst)} to ${eni.privateIpAddress}` });
    arriveAtEni(walk, eni, pkt);
    landOn(walk, eni);
    return;
  }
  const component: ComponentRef = { id: formatIpv4(pkt.dst), type: "internet" };
  walk.hop({ component, verdict: "info", detail: `${formatIpv4(pkt.dst)} is on the internet, outside what vpclab models` });
  walk.terminal = component;
}

function viaNatGateway(walk: Walk, natId: string, pkt: Packet, ingress: Ingress): void {
  const { view } = walk;
  const nat = view.world.natGateways.get(natId);
  if (!nat) return;
  const natRef = ref(nat, "nat-gateway");
  const ok = nat.state === "available";
  walk.hop({ component: natRef, verdict: ok ? "pass" : "block", detail: `${nat.connectivityType} NAT gateway in ${nat.subnetId} (${nat.state})` });
  if (!ok) walk.block({ code: "BAD_STATE", component: natRef, message: `NAT gateway ${nat.id} is ${nat.state}.` });
  if (ingress !== "inside") {
    walk.block({ code: "NGW_REQUIRES_SOURCE_IN_VPC", component: natRef, message: `NAT gateway ${nat.id} forwards only traffic from network interfaces in its own VPC, not traffic arriving through a ${ingress === "vpn" ? "VPN" : "peering connection"}.` });
  }
  aclCheck(walk, nat.subnetId, false, pkt.src, { from: walk.port, to: walk.port }, "forward");
  walk.onReturn(() => aclCheck(walk, nat.subnetId, true, pkt.src, pkt.srcPorts, "return"));
  const translated: Packet = { src: parseIpv4(nat.publicIp ?? nat.privateIp)!, dst: pkt.dst, srcPorts: EPHEMERAL.wide };
  aclCheck(walk, nat.subnetId, true, pkt.dst, { from: walk.port, to: walk.port }, "forward");
  walk.onReturn(() => aclCheck(walk, nat.subnetId, false, pkt.dst, EPHEMERAL.wide, "return"));
  if (++walk.forwards > MAX_FORWARDS) return;
  routeFrom(walk, view.subnet(nat.subnetId), translated, ingress);
}

function viaPeering(walk: Walk, fromVpcId: string, pcxId: string, pkt: Packet, sourceEni?: NetworkInterface): void {
  const { view } = walk;
  const pcx = view.world.peeringConnections.get(pcxId);
  if (!pcx) return;
  const pcxRef = ref(pcx, "vpc-peering-connection");
  const active = pcx.status === "active";
  const peerVpcId = pcx.requesterVpcId === fromVpcId ? pcx.accepterVpcId : pcx.requesterVpcId;
  const peerVpc = view.world.vpcs.get(peerVpcId);
  walk.hop({ component: pcxRef, verdict: active ? "pass" : "block", detail: `peering ${pcx.id} to ${peerVpcId} (${pcx.status})` });
  if (!active) walk.block({ code: "BAD_STATE", component: pcxRef, message: `Peering connection ${pcx.id} is ${pcx.status}, not active.` });
  if (!peerVpc || !containsIp(parseCidr(peerVpc.cidrBlock)!, pkt.dst)) {
    walk.block({ code: "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", component: pcxRef, message: `${formatIpv4(pkt.dst)} is not inside ${peerVpcId}; a peering connection reaches only the peer VPC's own addresses (no transitive routing through its gateways or endpoints).` });
    return;
  }
  const eni = view.eniAt(peerVpcId, pkt.dst);
  if (!eni) {
    walk.block({ code: "UNKNOWN_DESTINATION", component: { id: peerVpcId, type: "vpc" }, message: `No network interface in ${peerVpcId} has the address ${formatIpv4(pkt.dst)}.` });
    return;
  }
  walk.onReturn(() => {
    const rtb = view.routeTableOfSubnet(eni.subnetId);
    const back = view.lookup(rtb, pkt.src).best;
    const ok = back?.route.vpcPeeringConnectionId === pcx.id;
    walk.back({ component: ref(rtb, "route-table"), verdict: ok ? "pass" : "block", detail: ok ? `${formatIpv4(pkt.src)} matches ${back.cidr} → ${pcx.id}` : `no route back to ${formatIpv4(pkt.src)} through ${pcx.id}` });
    if (!ok) walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: ref(rtb, "route-table"), message: `Route table ${rtb.id} in the peer VPC ${peerVpcId} has no route back to ${formatIpv4(pkt.src)} through ${pcx.id}, so replies are lost.`, fix: `aws ec2 create-route --route-table-id ${rtb.id} --destination-cidr-block ${view.world.vpcs.get(fromVpcId)?.cidrBlock ?? ""} --vpc-peering-connection-id ${pcx.id}` });
  });
  const sameOrPeered = sourceEni;
  arriveAtEni(walk, eni, pkt, sameOrPeered);
  landOn(walk, eni);
}

function viaVpnGateway(walk: Walk, vgwId: string, pkt: Packet): void {
  const { view } = walk;
  const vpn = view.vpnsOf(vgwId).find((v) => v.staticRoutes.some((c) => containsIp(parseCidr(c)!, pkt.dst)));
  const vgwRef: ComponentRef = { id: vgwId, type: "vpn-gateway" };
  walk.hop({ component: vgwRef, verdict: vpn ? "pass" : "block", detail: vpn ? `to the on-premises network through ${vpn.id}` : `no VPN connection of ${vgwId} leads to ${formatIpv4(pkt.dst)}` });
  if (!vpn) {
    walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: vgwRef, message: `No VPN connection on ${vgwId} has a route to ${formatIpv4(pkt.dst)}.` });
    return;
  }
  walk.terminal = ref(vpn, "vpn-connection");
}

function viaAppliance(walk: Walk, eniId: string, pkt: Packet, ingress: Ingress): void {
  const { view } = walk;
  const eni = view.world.networkInterfaces.get(eniId);
  if (!eni) return;
  arriveAtEni(walk, eni, pkt);
  if (eni.sourceDestCheck) {
    walk.block({ code: "ENI_SOURCE_DEST_CHECK_RESTRICTION", component: ref(eni, "network-interface"), message: `${eni.id} has source/destination checking on, so it drops traffic not addressed to itself and cannot forward it.`, fix: `aws ec2 modify-network-interface-attribute --network-interface-id ${eni.id} --no-source-dest-check` });
  }
  if (++walk.forwards > MAX_FORWARDS) {
    walk.block({ code: "ROUTING_LOOP", component: ref(eni, "network-interface"), message: "The path forwards through appliances more than 8 times: a routing loop." });
    return;
  }
  const leaving: Packet = { ...pkt };
  aclCheck(walk, eni.subnetId, true, pkt.dst, { from: walk.port, to: walk.port }, "forward");
  routeFrom(walk, view.subnet(eni.subnetId), leaving, ingress, eni);
}

/** On-premises traffic enters through the VGW: its edge route table if it has one, else straight to the VPC's own addresses. */
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
      walk.block({ code: "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", component: vgwRef, message: `${formatIpv4(pkt.dst)} is outside ${origin.vpc.id}; traffic entering through a VPN gateway can reach only the VPC's own addresses.` });
    }
    return;
  }
  walk.onReturn(() => walk.back({ component: vgwRef, verdict: "pass", detail: `reply returns through ${origin.vgwId}` }));
  deliverLocal(walk, origin.vpc.id, pkt);
}
