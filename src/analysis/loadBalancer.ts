// Load balancers on a path: the node that receives the flow, its listener, the target group and
// the target it chooses (Availability Zones and cross-zone, health, rotation), then the leg from
// the node to that target, walked like any other flow. Network load balancers, reached directly
// or through PrivateLink, use all of it; gateway load balancers (gwlb.ts) reuse the target choice.
import { formatIpv4, parseIpv4 } from "../model/net.js";
import type { Listener, LoadBalancer, LoadBalancerZone, Target, TargetGroup } from "../model/loadBalancing.js";
import type { NetworkInterface } from "../model/types.js";
import { EPHEMERAL, evaluateSecurityGroups } from "./filters.js";
import { type TargetHealthResult, targetHealth } from "./targetHealth.js";
import type { ComponentRef, Explanation } from "./types.js";
import type { NetworkView } from "./view.js";
import { type Packet, type Walk, groupRef, ingressGroups, leaveSubnet, routeOut } from "./walk.js";

/** How many targets a trace tries before it settles for the first one's blockers. */
const MAX_TRIED_TARGETS = 16;

export function lbRef(lb: LoadBalancer): ComponentRef { return { id: lb.id, type: "load-balancer", name: lb.name }; }
export function tgRef(tg: TargetGroup): ComponentRef { return { id: tg.id, type: "target-group", name: tg.name }; }
function listenerRef(l: Listener): ComponentRef { return { id: l.id, type: "listener", ...(l.port !== undefined ? { name: `${l.protocol ?? "?"}:${l.port}` } : {}) }; }

/** A registered target where it is: its address and Availability Zone id ("all" for an ip target outside the VPC). */
export interface Candidate { target: Target; address?: string; zoneId?: string; zoneName?: string; instanceId?: string }

function locate(view: NetworkView, tg: TargetGroup, target: Target): Candidate {
  if (tg.targetType === "instance") {
    const inst = view.world.instances.get(target.id);
    if (!inst) return { target, instanceId: target.id };
    const subnet = view.world.subnets.get(inst.subnetId);
    return { target, address: inst.privateIpAddress, instanceId: inst.id, ...(subnet ? { zoneId: subnet.availabilityZoneId, zoneName: subnet.availabilityZone } : {}) };
  }
  if (target.availabilityZone === "all") return { target, address: target.id, zoneId: "all", zoneName: "all" };
  const eni = view.eniAt(tg.vpcId, parseIpv4(target.id) ?? -1);
  const subnet = eni ? view.world.subnets.get(eni.subnetId) : undefined;
  return { target, address: target.id, ...(eni?.attachment?.instanceId ? { instanceId: eni.attachment.instanceId } : {}), ...(subnet ? { zoneId: subnet.availabilityZoneId, zoneName: subnet.availabilityZone } : {}) };
}

/** The target group's cross-zone setting when it has its own, else the load balancer's (both off by default for NLB and GWLB). */
function crossZone(lb: LoadBalancer, tg: TargetGroup): boolean {
  const own = tg.attributes["load_balancing.cross_zone.enabled"];
  return own === "true" || own === "false" ? own === "true" : lb.attributes["load_balancing.cross_zone.enabled"] === "true";
}

/**
 * Whether targets see the client's address (preserve_client_ip.enabled), AWS's defaults: on for
 * instance targets and for UDP/TCP_UDP ip targets, off for TCP/TLS ip targets. PrivateLink
 * traffic always arrives from the node's address, whatever the setting.
 */
function preservesClientIp(tg: TargetGroup): boolean {
  const v = tg.attributes["preserve_client_ip.enabled"];
  if (v === "true" || v === "false") return v === "true";
  return tg.targetType === "instance" || tg.protocol === "UDP" || tg.protocol === "TCP_UDP";
}

/** EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: AWS's default is on. */
function enforcesOnPrivateLink(lb: LoadBalancer): boolean {
  return lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic !== "off";
}

function rotate<T>(items: T[], n: number): T[] {
  const k = items.length === 0 ? 0 : n % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The node as an ENI carrying the load balancer's security groups, for rules that reference them. */
function nodeEniOf(view: NetworkView, lb: LoadBalancer, zone: LoadBalancerZone): NetworkInterface | undefined {
  const eni = view.world.networkInterfaces.get(zone.networkInterfaceId);
  return eni ? { ...eni, groupIds: lb.securityGroupIds } : undefined;
}

/**
 * What a target must admit: the load balancer's security group when it has one (a rule that
 * references it admits the nodes even with client IP preservation), else every node's address,
 * since any node may send (cross-zone, or after a zone's node changes).
 */
function nodeSourceHint(lb: LoadBalancer, leg: Walk, when: string | undefined): Walk["sourceHint"] {
  const nodes = lb.zones.map((z) => z.privateIpv4Address);
  const why = when ? ` ${when}, targets see the load balancer node's address (${nodes.join(", ")}), not the client's.` : " With client IP preservation, targets see the client's address.";
  const port = `IpProtocol=${leg.protocol},FromPort=${leg.port},ToPort=${leg.port}`;
  return {
    why,
    fix: (eni) => lb.securityGroupIds.length > 0
      ? `aws ec2 authorize-security-group-ingress --group-id ${eni.groupIds[0] ?? "<target group>"} --protocol ${leg.protocol} --port ${leg.port} --source-group ${lb.securityGroupIds[0]!}`
      : `aws ec2 authorize-security-group-ingress --group-id ${eni.groupIds[0] ?? "<target group>"} --ip-permissions '${port},IpRanges=[${nodes.map((ip) => `{CidrIp=${ip}/32}`).join(",")}]'`,
  };
}

/** How the flow reached the node: addressed to it, or through an interface endpoint (PrivateLink). */
export interface Arrival { pkt: Packet; privateLink?: { endpointId: string; eniIp: string } }

/** A network load balancer's node receives the flow: listener, target group, target, and the leg to it. */
export function throughLoadBalancer(walk: Walk, lb: LoadBalancer, zone: LoadBalancerZone, arrival: Arrival): void {
  const r = lbRef(lb);
  const usable = lb.state === "active" || lb.state === "active_impaired";
  walk.hop({ component: r, verdict: usable ? "pass" : "block", detail: `${lb.type} load balancer ${lb.name} (${lb.scheme}, ${lb.state}): node ${zone.privateIpv4Address} in ${zone.zoneName} (${zone.zoneId})`, rule: { node: zone.privateIpv4Address, availabilityZone: zone.zoneName, zoneId: zone.zoneId } });
  if (!usable) walk.block({ code: "BAD_STATE", component: r, message: `Load balancer ${lb.name} is ${lb.state}, not active.` });
  if (walk.loop(r)) return;
  if (arrival.privateLink) privateLinkGroups(walk, lb, zone, arrival.pkt.src);
  const listener = pickListener(walk, lb);
  const tg = listener ? targetGroupOf(walk, listener) : undefined;
  if (!tg) return;
  const via = arrival.privateLink ? `back through endpoint ENI ${arrival.privateLink.eniIp} (${arrival.privateLink.endpointId})` : `to ${formatIpv4(arrival.pkt.src)}`;
  walk.onReturn(() => walk.back({ component: r, verdict: "pass", detail: `node ${zone.privateIpv4Address} sends the reply ${via}` }));
  chooseTarget(walk, lb, zone, tg, (c) => nlbLeg(walk, lb, zone, tg, c, arrival), true);
}

/**
 * With security groups, a network load balancer evaluates their inbound rules on PrivateLink
 * traffic too (unless EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is off), against the
 * client's private address rather than the endpoint's ("Update the security groups for your
 * Network Load Balancer"). Flows addressed to the node directly met them arriving at its ENI.
 */
function privateLinkGroups(walk: Walk, lb: LoadBalancer, zone: LoadBalancerZone, client: number): void {
  const node = nodeEniOf(walk.view, lb, zone);
  if (!node || lb.securityGroupIds.length === 0) return;
  if (!enforcesOnPrivateLink(lb)) {
    walk.hop({ component: lbRef(lb), verdict: "info", detail: `EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is off: ${lb.name}'s security groups do not filter PrivateLink traffic` });
    return;
  }
  const why = ` Load balancer ${lb.name} evaluates its security groups' inbound rules on PrivateLink traffic (EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is on), against the client's address.`;
  const fix = `aws ec2 authorize-security-group-ingress --group-id ${lb.securityGroupIds[0]!} --protocol ${walk.protocol} --port ${walk.port} --cidr ${formatIpv4(client)}/32 (or the consumer VPC's CIDR); or stop evaluating them on PrivateLink traffic: aws elbv2 set-security-groups --load-balancer-arn ${lb.id} --security-groups ${lb.securityGroupIds.join(" ")} --enforce-security-group-inbound-rules-on-private-link-traffic off`;
  ingressGroups(walk, node, client, undefined, why, fix);
  walk.onReturn(() => walk.back({ component: groupRef(walk, node, undefined, "security-group"), verdict: "pass", detail: `${lb.name}: reply allowed: security groups are stateful` }));
}

/** TCP listeners take TCP, UDP listeners UDP, TCP_UDP both, TLS TCP; gateway load balancers' one listener takes everything. */
function accepts(l: Listener, lb: LoadBalancer, walk: Walk): boolean {
  if (lb.type === "gateway") return true;
  if (l.port !== walk.port) return false;
  const p = l.protocol ?? "TCP";
  return walk.protocol === "udp" ? p === "UDP" || p === "TCP_UDP" : walk.protocol === "tcp" && p !== "UDP" && p !== "GENEVE";
}

/** The listener that takes the flow; without one, a blocker, and the walk goes on as if the first listener took it. */
function pickListener(walk: Walk, lb: LoadBalancer): Listener | undefined {
  const all = walk.view.listenersOf(lb.id);
  const l = all.find((x) => accepts(x, lb, walk));
  if (l) {
    walk.hop({ component: listenerRef(l), verdict: "pass", detail: lb.type === "gateway" ? `listener of ${lb.name}: every packet, forwarded to its target group` : `listener ${l.protocol ?? "TCP"}:${l.port ?? "?"} of ${lb.name} takes ${walk.portText(walk.port)}`, rule: { port: l.port, protocol: l.protocol, targetGroupArn: l.defaultActions[0]?.targetGroupArn } });
    return l;
  }
  const list = all.map((x) => `${x.protocol ?? "?"}:${x.port ?? "?"}`).join(", ") || "none";
  const tgArn = all[0]?.defaultActions[0]?.targetGroupArn ?? "<target-group-arn>";
  walk.hop({ component: lbRef(lb), verdict: "block", detail: `no listener of ${lb.name} takes ${walk.portText(walk.port)} (listeners: ${list})` });
  walk.block({
    code: "ELBV2_LISTENERS_MISMATCH", component: lbRef(lb),
    message: lb.type === "gateway" ? `Gateway load balancer ${lb.name} has no listener, so it forwards nothing to its appliances.` : `Load balancer ${lb.name} has no listener for ${walk.portText(walk.port)} (its listeners: ${list}); a network load balancer drops traffic that no listener takes.`,
    fix: lb.type === "gateway" ? `aws elbv2 create-listener --load-balancer-arn ${lb.id} --default-actions Type=forward,TargetGroupArn=${tgArn}` : `aws elbv2 create-listener --load-balancer-arn ${lb.id} --protocol ${walk.protocol === "udp" ? "UDP" : "TCP"} --port ${walk.port} --default-actions Type=forward,TargetGroupArn=${tgArn}`,
  });
  return all[0];
}

function targetGroupOf(walk: Walk, l: Listener): TargetGroup | undefined {
  const arn = l.defaultActions.find((a) => a.type === "forward")?.targetGroupArn;
  const tg = arn ? walk.view.world.targetGroups.get(arn) : undefined;
  if (!tg) {
    walk.block({ code: "ELBV2_LISTENER_REQUIRES_TG_ACCEPT", component: listenerRef(l), message: `Listener ${l.id} forwards to ${arn ?? "no target group"}, which does not exist.`, fix: `aws elbv2 modify-listener --listener-arn ${l.id} --default-actions Type=forward,TargetGroupArn=<target-group-arn>` });
    return undefined;
  }
  walk.hop({ component: tgRef(tg), verdict: "pass", detail: `${tg.protocol} target group ${tg.name} (${tg.targetType} targets, port ${tg.port}): ${tg.targets.length} registered`, rule: { protocol: tg.protocol, port: tg.port, targetType: tg.targetType } });
  return tg;
}

/**
 * The target the node sends this flow to. Only targets in the load balancer's Availability Zones,
 * and with cross-zone load balancing off only those in the node's own zone; among those only
 * healthy ones; then by the flow's rotation. A target whose leg is blocked also fails AWS's health
 * checks (they come from the node's address over the same filters), so the next one is tried.
 * When every target fails, each missing piece is a blocker and the walk goes on with the first
 * target, so that its own blockers are listed too.
 */
export function chooseTarget(walk: Walk, lb: LoadBalancer, zone: LoadBalancerZone, tg: TargetGroup, leg: (c: Candidate) => Walk, deliver: boolean): void {
  const { view } = walk;
  const r = tgRef(tg);
  if (tg.targets.length === 0) {
    walk.hop({ component: r, verdict: "block", detail: `target group ${tg.name} has no registered targets` });
    walk.block({ code: "ELBV2_LISTENER_HAS_NO_TG", component: r, message: `Target group ${tg.name} has no registered targets, so ${lb.name} has nowhere to send the flow.`, fix: `aws elbv2 register-targets --target-group-arn ${tg.id} --targets Id=<${tg.targetType === "instance" ? "instance id" : "address"}>` });
    return;
  }
  const all = tg.targets.map((t) => locate(view, tg, t));
  const lbZones = new Set(lb.zones.map((z) => z.zoneId));
  // A target whose zone cannot be told (its instance is gone) is left to the health check to refuse.
  const inLbZones = all.filter((c) => c.zoneId === undefined || c.zoneId === "all" || lbZones.has(c.zoneId));
  const cross = crossZone(lb, tg);
  let eligible = cross ? inLbZones : inLbZones.filter((c) => c.zoneId === undefined || c.zoneId === "all" || c.zoneId === zone.zoneId);
  // The node's zone has no target: said once the choice below shows whether it is the root cause.
  let noTargetInZone: Explanation | undefined;
  if (inLbZones.length === 0) {
    const zones = [...new Set(all.map((c) => c.zoneName ?? "?"))].join(", ");
    walk.block({ code: "ELB_INSTALLED_AZ_RESTRICTION", component: lbRef(lb), message: `Every target of ${tg.name} is in ${zones}, where ${lb.name} has no node: a load balancer sends traffic only to targets in its own Availability Zones (${lb.zones.map((z) => z.zoneName).join(", ")}).`, fix: `aws elbv2 set-subnets --load-balancer-arn ${lb.id} --subnets ${lb.zones.map((z) => z.subnetId).join(" ")} <a subnet in ${zones}>` });
    eligible = all;
  } else if (eligible.length === 0) {
    const zones = [...new Set(inLbZones.map((c) => c.zoneName ?? "?"))].join(", ");
    noTargetInZone = {
      code: "ELBV2_NO_TARGETS_IN_AZ", component: lbRef(lb),
      message: `${lb.name}'s node in ${zone.zoneName} has no target of ${tg.name} in its zone (they are in ${zones}), and cross-zone load balancing is off, so each node sends only to targets in its own zone.`,
      fix: `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${lb.id} --attributes Key=load_balancing.cross_zone.enabled,Value=true, or register a target in ${zone.zoneName}`,
    };
    eligible = inLbZones;
  }
  const before = walk.explanations.length;
  const order = rotate(eligible, walk.rotation);
  // Health is judged in rotation order, and only until a healthy target gets the flow.
  const healthOf = (c: Candidate): TargetHealthResult => targetHealth(view.world, tg, c.target, walk.backendHealth);
  const describe = (c: Candidate, h: TargetHealthResult): string => `${c.target.id}:${c.target.port} ${h.state}${h.reason ? ` (${h.reason}${h.description ? `: ${h.description}` : ""})` : ""}`;
  const unhealthy: string[] = [];
  let { chosen, blocked } = tryTargets(order, leg, (c) => {
    const h = healthOf(c);
    if (h.state !== "healthy") unhealthy.push(describe(c, h));
    return h.state === "healthy";
  });
  if (!chosen && blocked.length === 0) {
    // "If a target group contains only unhealthy registered targets, the load balancer routes
    // requests to all those targets, regardless of their health status" (NLB guide, health checks):
    // it fails open. The flow then gets through to a target whose leg does and whose real server is
    // not known down (a note says the targets are unhealthy); otherwise that is a blocker too.
    const serving = (c: Candidate): boolean => !healthOf(c).failures?.some((f) => f.kind === "backend-down");
    ({ chosen, blocked } = tryTargets(order, leg, serving));
    if (!chosen) ({ chosen, blocked } = tryTargets(order, leg, () => true));
    const failsOpen = chosen !== undefined && serving(chosen.c);
    const listed = `${unhealthy.slice(0, 5).join("; ")}${unhealthy.length > 5 ? `; and ${unhealthy.length - 5} more` : ""}`;
    (failsOpen ? walk.notes : walk.explanations).push({
      code: "ELBV2_NO_HEALTHY_TARGET", component: r,
      message: failsOpen
        ? `No target ${lb.name} can send this flow to is healthy: ${listed}. With no healthy target a load balancer fails open and sends to them anyway, so this flow reaches ${chosen!.c.target.id}; fix the health checks before relying on it.`
        : `No target ${lb.name} can send this flow to is healthy: ${listed}. (With no healthy target at all a load balancer fails open and tries them anyway, but none of them can take the flow.)`,
      fix: `Make a target pass its health checks (${tg.healthCheck.protocol} on ${tg.healthCheck.port === "traffic-port" ? "the traffic port" : `port ${tg.healthCheck.port}`}): start its server, or register a healthy one; aws elbv2 describe-target-health --target-group-arn ${tg.id} shows why each fails`,
    });
    unhealthy.length = 0;
  }
  const pick = chosen ?? blocked[0]!;
  if (noTargetInZone) zoneWithoutTarget(walk, lb, zone, tg, noTargetInZone, before, !chosen || walk.explanations.length > before);
  const skipped = [...unhealthy.slice(0, 5), ...(unhealthy.length > 5 ? [`${unhealthy.length - 5} more unhealthy`] : []), ...(chosen ? blocked : blocked.slice(1)).map((b) => `${b.c.target.id}:${b.c.target.port} blocked (${b.w.explanations.map((e) => e.code).join(", ")})`)];
  const where = pick.c.zoneName ?? "?";
  const elsewhere = pick.c.zoneId !== undefined && pick.c.zoneId !== "all" && pick.c.zoneId !== zone.zoneId;
  // With cross-zone off, a target in another zone is only the walk going on as if it were on.
  const crossText = cross ? ", cross-zone on" : elsewhere ? `, as if cross-zone load balancing were on (it is off, so the node in ${zone.zoneName} would not send there)` : "";
  walk.hop({
    component: r, verdict: chosen && (cross || !elsewhere) ? "pass" : "block",
    detail: `${chosen ? "chooses" : "every target is blocked; the first is"} target ${pick.c.target.id} (${pick.c.address ?? "?"}:${pick.c.target.port}, ${where})${crossText}${skipped.length ? `; passed over: ${skipped.join("; ")}` : ""}`,
    rule: { target: pick.c.target.id, address: pick.c.address, port: pick.c.target.port, availabilityZone: where, crossZone: cross },
  });
  if (cross && elsewhere) {
    walk.notes.push({ code: "AVAILABILITY_ZONE_CROSSED", component: lbRef(lb), message: `${lb.name}'s node in ${zone.zoneName} sends this flow to ${pick.c.target.id} in ${where} (cross-zone load balancing).` });
  }
  walk.absorb(pick.w, deliver);
  if (deliver && walk.delivery && pick.w.delivery) walk.delivery = { ...walk.delivery, via: { loadBalancerArn: lb.id, targetGroupArn: tg.id } };
}

/**
 * The node that got the flow has no target in its zone, with cross-zone load balancing off. A
 * blocker, unless the flow came to this zone only because the name it went by answers every zone
 * when none is healthy (ELBV2_NO_HEALTHY_ZONE, a note from DNS) and the targets' own problems
 * block it anyway: then those are the root cause (fixed, the name answers only zones with a
 * healthy target) and this is a note. `at` is where the blocker goes among the explanations.
 */
function zoneWithoutTarget(walk: Walk, lb: LoadBalancer, zone: LoadBalancerZone, tg: TargetGroup, e: Explanation, at: number, blockedAnyway: boolean): void {
  const failedOpen = walk.notes.some((n) => n.code === "ELBV2_NO_HEALTHY_ZONE" && n.component.id === lb.id);
  if (!failedOpen) {
    walk.explanations.splice(at, 0, e);
  } else if (blockedAnyway) {
    walk.notes.push({ ...e, message: `This flow came to ${lb.name}'s node in ${zone.zoneName}, which has no target in its zone (cross-zone load balancing is off), only because DNS answers every zone while no target of ${tg.name} is healthy (ELBV2_NO_HEALTHY_ZONE). The targets' own blockers are the cause: with them fixed, the name answers only zones with a healthy target, and flows no longer come to this node.`, fix: `Fix the targets' blockers; or, to use every zone, aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${lb.id} --attributes Key=load_balancing.cross_zone.enabled,Value=true` });
  } else {
    walk.explanations.splice(at, 0, { ...e, message: `${e.message} DNS sent the flow to this zone only because no target is healthy, so it answers every zone (ELBV2_NO_HEALTHY_ZONE).`, fix: `Make the targets pass their health checks (aws elbv2 describe-target-health --target-group-arn ${tg.id} says why they fail), so that the name answers only zones with a healthy target; or turn cross-zone load balancing on: aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${lb.id} --attributes Key=load_balancing.cross_zone.enabled,Value=true` });
  }
}

/** Walks legs to the targets that pass `usable`, in order, until one gets through (at most MAX_TRIED_TARGETS legs). */
function tryTargets(order: Candidate[], leg: (c: Candidate) => Walk, usable: (c: Candidate) => boolean): { chosen?: { w: Walk; c: Candidate }; blocked: { w: Walk; c: Candidate }[] } {
  const blocked: { w: Walk; c: Candidate }[] = [];
  for (const c of order) {
    if (blocked.length >= MAX_TRIED_TARGETS) break;
    if (!usable(c)) continue;
    const w = leg(c);
    if (w.settle()) return { chosen: { w, c }, blocked };
    blocked.push({ w, c });
  }
  return { blocked };
}

/**
 * The leg from a network load balancer's node to one target, on the target's registered port:
 * from the node's address (PrivateLink traffic always; otherwise unless client IP preservation
 * keeps the client's), out through the load balancer's security groups and the node's subnet,
 * then routed like any flow to the target's ENI and instance.
 */
function nlbLeg(walk: Walk, lb: LoadBalancer, zone: LoadBalancerZone, tg: TargetGroup, c: Candidate, arrival: Arrival): Walk {
  const { view } = walk;
  const leg = walk.fork(c.target.port);
  const node = nodeEniOf(view, lb, zone);
  const preserve = !arrival.privateLink && preservesClientIp(tg);
  const nodeIp = parseIpv4(zone.privateIpv4Address)!;
  const dst = c.address !== undefined ? parseIpv4(c.address) : undefined;
  leg.hop({ component: lbRef(lb), verdict: dst === undefined ? "block" : "info", detail: `node ${zone.privateIpv4Address} → target ${c.target.id} ${c.address ?? "?"} ${leg.portText(c.target.port)}, source ${preserve ? `${formatIpv4(arrival.pkt.src)} (client IP preserved)` : `${zone.privateIpv4Address} (the node's address)`}`, rule: { node: zone.privateIpv4Address, target: c.target.id, targetPort: c.target.port, source: formatIpv4(preserve ? arrival.pkt.src : nodeIp) } });
  if (dst === undefined) {
    leg.block({ code: "BAD_STATE", component: tgRef(tg), message: `Target ${c.target.id} of ${tg.name} no longer exists.`, fix: `aws elbv2 deregister-targets --target-group-arn ${tg.id} --targets Id=${c.target.id}` });
    return leg;
  }
  const pkt: Packet = preserve ? { ...arrival.pkt, dst } : { src: nodeIp, dst, srcPorts: EPHEMERAL.wide };
  if (!preserve || lb.securityGroupIds.length > 0) leg.sourceHint = nodeSourceHint(lb, leg, preserve ? undefined : arrival.privateLink ? "Through PrivateLink" : "With client IP preservation off");
  if (node && lb.securityGroupIds.length > 0) {
    // Outbound rules apply to what the node sends, health checks included.
    const sg = evaluateSecurityGroups(view.world, node, true, dst, leg.protocol, leg.port, view.eniAt(tg.vpcId, dst));
    leg.hop({ component: groupRef(leg, node, sg.rule, "security-group-egress"), verdict: sg.allowed ? "pass" : "block", detail: sg.allowed ? `${lb.name}: egress allowed by ${String(sg.rule?.["rule"])}` : `${lb.name}: no egress rule in ${lb.securityGroupIds.join(", ")} allows ${leg.portText(leg.port)} to ${c.address}`, rule: sg.rule ?? { securityGroupIds: lb.securityGroupIds.join(",") } });
    if (!sg.allowed) leg.block({ code: "ENI_SG_RULES_MISMATCH", component: groupRef(leg, node, undefined, "security-group"), message: `The security groups of ${node.id} (${lb.securityGroupIds.join(", ")}) have no outbound rule allowing ${leg.portText(leg.port)} to ${c.address}: load balancer ${lb.name} cannot reach its target.`, fix: `aws ec2 authorize-security-group-egress --group-id ${lb.securityGroupIds[0]!} --protocol ${leg.protocol} --port ${leg.port} --cidr ${c.address}/32` });
  }
  leaveSubnet(leg, zone.subnetId, pkt, pkt.srcPorts, routeOut(view, zone.subnetId, dst));
  leg.routeFrom(leg, view.subnet(zone.subnetId), pkt, "inside", node);
  return leg;
}
