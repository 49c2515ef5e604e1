// The state of one trace while it walks (hops there and back, blockers, notes) and the filter
// stages every path shares: leaving an ENI (security-group egress, subnet ACL out) and arriving
// at one (subnet ACL in, security-group ingress), each queueing its check for the way back.
import { awsAddressOwner, prefixListFor } from "../model/catalog/index.js";
import { containsIp, formatIpv4, parseCidr } from "../model/net.js";
import { routeTarget, routeTargets } from "../model/routes.js";
import type { NetworkInterface, Route, Subnet } from "../model/types.js";
import { type Protocol, describeSegments, evaluateAcl, evaluateSecurityGroups } from "./filters.js";
import type { ComponentRef, Delivery, Explanation, Hop, MatchedRule } from "./types.js";
import type { NetworkView } from "./view.js";

export interface Ports { from: number; to: number }
export interface Packet { src: number; dst: number; srcPorts: Ports }
/** How the packet entered the VPC it is being routed in: from inside, or through a gateway or peering. */
export type Ingress = "inside" | "vpn" | "peering" | "internet";

export const MAX_FORWARDS = 8;

export function ref(r: { id: string; tags?: { key: string; value: string }[] }, type: string): ComponentRef {
  const name = r.tags?.find((t) => t.key === "Name")?.value;
  return { id: r.id, type, ...(name ? { name } : {}) };
}

/** Routes a packet from a subnet onward: the trace's routing step, handed to the walk so that targets which forward (NAT gateways, appliances) can continue it. */
export type RouteStep = (walk: Walk, subnet: Subnet, pkt: Packet, ingress: Ingress, sourceEni?: NetworkInterface) => void;

export class Walk {
  readonly forward: Hop[] = [];
  readonly ret: Hop[] = [];
  readonly explanations: Explanation[] = [];
  readonly notes: Explanation[] = [];
  private readonly returnSteps: (() => void)[] = [];
  terminal?: ComponentRef;
  /** Where the flow lands for real traffic (see Trace.delivery). */
  delivery?: Delivery;
  forwards = 0;
  /**
   * The AWS service the destination's name belongs to, when the trace went by name: several
   * services share public addresses in the catalog, so the address alone cannot say which.
   */
  destService?: string;
  /** Which of several answers this flow takes (TraceRequest.rotation): a load balancer's target, for one. */
  rotation = 0;
  /** The live health of real backends (TraceRequest.backendHealth), for load balancers choosing a target. */
  backendHealth?: (address: string) => boolean | undefined;
  /**
   * For a leg whose source is a load balancer node: what to add to a target's inbound blocker and
   * the fix to give instead (the node's addresses or group, not the one address the leg came from).
   */
  sourceHint?: { why: string; fix: (eni: NetworkInterface) => string };
  /** For a forked leg, once settled: how many of its explanations the forward walk gave (the rest came on the way back). */
  private forwardExplanations?: number;

  constructor(readonly view: NetworkView, readonly protocol: Protocol, readonly port: number, readonly routeFrom: RouteStep) {}

  hop(h: Hop): void { this.forward.push(h); }
  back(h: Hop): void { this.ret.push(h); }
  block(e: Explanation): void { this.explanations.push(e); }
  onReturn(step: () => void): void { this.returnSteps.push(step); }
  finishReturn(): void { for (const step of this.returnSteps.reverse()) step(); }

  /**
   * A walk of one leg of this flow with its own port or protocol (a load balancer node to one of
   * its targets, a Gateway Load Balancer to an appliance), to be tried, then absorbed or dropped.
   */
  fork(port: number, protocol: Protocol = this.protocol): Walk {
    const leg = new Walk(this.view, protocol, port, this.routeFrom);
    leg.rotation = this.rotation;
    if (this.backendHealth) leg.backendHealth = this.backendHealth;
    leg.forwards = this.forwards;
    return leg;
  }

  /** Runs a forked leg's checks for the way back now, so that the leg is judged there and back; true when nothing blocks it. */
  settle(): boolean {
    this.forwardExplanations = this.explanations.length;
    this.finishReturn();
    return this.explanations.length === 0;
  }

  /**
   * Takes a settled leg into this walk: its forward hops, blockers and notes now, its way back
   * (hops and blockers) as this walk's next return step, so that it comes back before the hops
   * that led to the leg. `deliver` when the leg's end is where the flow lands.
   */
  absorb(leg: Walk, deliver: boolean): void {
    const n = leg.forwardExplanations ?? leg.explanations.length;
    this.forward.push(...leg.forward);
    this.explanations.push(...leg.explanations.slice(0, n));
    this.notes.push(...leg.notes);
    const back = leg.explanations.slice(n);
    this.onReturn(() => {
      this.ret.push(...leg.ret);
      this.explanations.push(...back);
    });
    this.forwards = leg.forwards;
    if (deliver) {
      if (leg.terminal) this.terminal = leg.terminal;
      if (leg.delivery) this.delivery = leg.delivery;
    }
  }

  /** Counts one more forwarding (NAT gateway, appliance, Gateway Load Balancer endpoint); true, with a blocker, past MAX_FORWARDS. */
  loop(component: ComponentRef): boolean {
    if (++this.forwards <= MAX_FORWARDS) return false;
    this.block({ code: "ROUTING_LOOP", component, message: `The path is forwarded more than ${MAX_FORWARDS} times (through NAT gateways, appliances or Gateway Load Balancer endpoints): a routing loop.` });
    return true;
  }

  get usesPorts(): boolean { return this.protocol !== "icmp"; }
  portText(p: Ports | number): string {
    if (!this.usesPorts) return this.protocol;
    return typeof p === "number" ? `${this.protocol}/${p}` : `${this.protocol} ports ${p.from}-${p.to}`;
  }
}

/**
 * The ENI a packet from this subnet to ip will reach, for security-group references: in this
 * VPC by the local route, or in the peer VPC of the peering connection the route uses (peered
 * VPCs may overlap each other, so the route decides which one).
 */
function peerEniFor(view: NetworkView, vpcId: string, ip: number, route: Route | undefined): NetworkInterface | undefined {
  if (route?.gatewayId === "local") return view.eniAt(vpcId, ip);
  const pcx = route?.vpcPeeringConnectionId ? view.world.peeringConnections.get(route.vpcPeeringConnectionId) : undefined;
  if (pcx?.status !== "active") return undefined;
  return view.eniAt(pcx.requesterVpcId === vpcId ? pcx.accepterVpcId : pcx.requesterVpcId, ip);
}

/** Network ACLs filter traffic entering and leaving a subnet, not traffic routed within one. */
function staysInSubnet(view: NetworkView, subnetId: string, dst: number, route: Route | undefined): boolean {
  return route?.gatewayId === "local" && containsIp(parseCidr(view.subnet(subnetId).cidrBlock)!, dst);
}

/** The route a packet from this subnet to dst takes (undefined when there is none). */
export function routeOut(view: NetworkView, subnetId: string, dst: number): Route | undefined {
  return view.lookup(view.routeTableOfSubnet(subnetId), dst).best?.route;
}

/** The subnet's outbound ACL as the packet leaves it (and its inbound ACL for the reply), unless it stays in the subnet. */
export function leaveSubnet(walk: Walk, subnetId: string, pkt: Packet, replyPorts: Ports, route: Route | undefined): void {
  if (staysInSubnet(walk.view, subnetId, pkt.dst, route)) {
    walk.hop({ component: { id: subnetId, type: "subnet" }, verdict: "info", detail: "the destination is in the same subnet: network ACLs do not apply" });
    return;
  }
  aclCheck(walk, subnetId, true, pkt.dst, { from: walk.port, to: walk.port }, "forward");
  walk.onReturn(() => aclCheck(walk, subnetId, false, pkt.dst, replyPorts, "return"));
}

/**
 * Queues the reply's route: from the destination's subnet back to `to`, which must go through
 * `via` (the peering connection, VPN gateway or internet gateway the request came in by).
 * Queue it before arriving at the destination, so that it runs after the destination's checks.
 */
export function expectRouteBack(walk: Walk, destSubnetId: string, to: number, via: string, fixCidr: string, alsoVia: string[] = []): void {
  walk.onReturn(() => {
    const { view } = walk;
    const rtb = view.routeTableOfSubnet(destSubnetId);
    const back = view.lookup(rtb, to).best;
    const target = back ? routeTarget(back.route) : undefined;
    const ok = back !== undefined && routeTargets(back.route).some((t) => [via, ...alsoVia].includes(t)) && back.route.state === "active";
    const rtbRef = ref(rtb, "route-table");
    walk.back({ component: rtbRef, verdict: ok ? "pass" : "block", detail: ok ? `${formatIpv4(to)} matches ${back.cidr} → ${target}` : `no route back to ${formatIpv4(to)} through ${via}${back ? ` (it matches ${back.cidr} → ${target ?? "?"})` : ""}` });
    if (!ok) {
      const flag = via.startsWith("pcx-") ? "--vpc-peering-connection-id" : "--gateway-id";
      walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: rtbRef, message: `Route table ${rtb.id} (used by ${destSubnetId}) has no route back to ${formatIpv4(to)} through ${via}, so replies are lost.`, fix: `aws ec2 create-route --route-table-id ${rtb.id} --destination-cidr-block ${fixCidr} ${flag} ${via}` });
    }
  });
}

export function leaveEni(walk: Walk, eni: NetworkInterface, pkt: Packet): void {
  const { view } = walk;
  const route = routeOut(view, eni.subnetId, pkt.dst);
  const peerEni = peerEniFor(view, eni.vpcId, pkt.dst, route);
  const sg = evaluateSecurityGroups(view.world, eni, true, pkt.dst, walk.protocol, walk.port, peerEni);
  walk.hop({ component: groupRef(walk, eni, sg.rule, "security-group-egress"), verdict: sg.allowed ? "pass" : "block", detail: sg.allowed ? `${eni.id}: egress allowed by ${String(sg.rule?.["rule"])}` : `${eni.id}: no egress rule in ${eni.groupIds.join(", ")} allows ${walk.portText(walk.port)} to ${formatIpv4(pkt.dst)}`, rule: sg.rule ?? { securityGroupIds: eni.groupIds.join(",") } });
  if (!sg.allowed) {
    walk.block({ code: "ENI_SG_RULES_MISMATCH", component: groupRef(walk, eni, undefined, "security-group"), message: `The security groups of ${eni.id} (${eni.groupIds.join(", ")}) have no outbound rule allowing ${walk.portText(walk.port)} to ${formatIpv4(pkt.dst)}.`, fix: egressFix(walk, eni, pkt.dst) });
  }
  leaveSubnet(walk, eni.subnetId, pkt, pkt.srcPorts, route);
  walk.onReturn(() => {
    walk.back({ component: groupRef(walk, eni, undefined, "security-group"), verdict: "pass", detail: `${eni.id}: return traffic allowed: security groups are stateful` });
  });
}

/**
 * Arrival at an ENI: the subnet's inbound ACL (unless the packet comes from the same subnet),
 * then its security groups' ingress rules. `sourceEni` is the ENI that owns the packet's source
 * address, for rules that reference a group; `fromSubnetId` the subnet the packet left.
 */
export function arriveAtEni(walk: Walk, eni: NetworkInterface, pkt: Packet, sourceEni?: NetworkInterface, fromSubnetId?: string): void {
  const crossing = fromSubnetId !== eni.subnetId;
  if (crossing) aclCheck(walk, eni.subnetId, false, pkt.src, { from: walk.port, to: walk.port }, "forward");
  if (eni.groupIds.length > 0) ingressGroups(walk, eni, pkt.src, sourceEni);
  walk.onReturn(() => {
    if (eni.groupIds.length > 0) walk.back({ component: groupRef(walk, eni, undefined, "security-group"), verdict: "pass", detail: `${eni.id}: reply allowed: security groups are stateful` });
    if (crossing) aclCheck(walk, eni.subnetId, true, pkt.src, pkt.srcPorts, "return");
  });
}

/**
 * The ENI's security groups' inbound rules on a flow from `src` (the ENI of that address, if any,
 * for rules that reference a group). `why` adds to the blocker's message, `fix` replaces its fix.
 */
export function ingressGroups(walk: Walk, eni: NetworkInterface, src: number, sourceEni?: NetworkInterface, why = walk.sourceHint?.why ?? "", fix = walk.sourceHint?.fix(eni)): boolean {
  const sg = evaluateSecurityGroups(walk.view.world, eni, false, src, walk.protocol, walk.port, sourceEni);
  walk.hop({ component: groupRef(walk, eni, sg.rule, "security-group-ingress"), verdict: sg.allowed ? "pass" : "block", detail: sg.allowed ? `${eni.id}: ingress allowed by ${String(sg.rule?.["rule"])}` : `${eni.id}: no ingress rule in ${eni.groupIds.join(", ")} allows ${walk.portText(walk.port)} from ${formatIpv4(src)}`, rule: sg.rule ?? { securityGroupIds: eni.groupIds.join(",") } });
  if (!sg.allowed) {
    walk.block({ code: "ENI_SG_RULES_MISMATCH", component: groupRef(walk, eni, undefined, "security-group"), message: `The security groups of ${eni.id} (${eni.groupIds.join(", ")}) have no inbound rule allowing ${walk.portText(walk.port)} from ${formatIpv4(src)}.${why}`, fix: fix ?? `aws ec2 authorize-security-group-ingress --group-id ${eni.groupIds[0]!} --protocol ${walk.protocol} --port ${walk.usesPorts ? walk.port : -1} --cidr ${formatIpv4(src)}/32` });
  }
  return sg.allowed;
}

/** The group whose rule decided, or the ENI's first group: hops name the security group, as Reachability Analyzer's do. */
export function groupRef(walk: Walk, eni: NetworkInterface, rule: MatchedRule | undefined, type: string): ComponentRef {
  const id = typeof rule?.["securityGroupId"] === "string" ? rule["securityGroupId"] : eni.groupIds[0] ?? eni.id;
  const sg = walk.view.world.securityGroups.get(id);
  return { ...(sg ? ref(sg, type) : { id, type }), ...(sg && !sg.tags.some((t) => t.key === "Name") ? { name: sg.groupName } : {}) };
}

export function aclCheck(walk: Walk, subnetId: string, egress: boolean, peer: number, ports: Ports, direction: "forward" | "return"): void {
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
      code: "SUBNET_ACL_RESTRICTION", component: ref(acl, "network-acl"),
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
  return `aws ec2 authorize-security-group-egress --group-id ${group} --protocol ${walk.protocol} --port ${walk.usesPorts ? walk.port : -1} --cidr ${formatIpv4(dst)}/32`;
}

function peerCidr(ip: number): string {
  return awsAddressOwner(ip)?.cidr ?? `${formatIpv4(ip)}/32`;
}
