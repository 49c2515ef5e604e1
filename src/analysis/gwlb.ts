// Gateway Load Balancer endpoints as route targets: the flow enters the endpoint, crosses to the
// provider's gateway load balancer, goes out to an appliance in GENEVE (UDP 6081) and back, and
// leaves the endpoint routed from its subnet toward where it was going. The reply must come back
// through the same endpoint (symmetric routing), which is checked on the way back.
import { formatIpv4, parseIpv4 } from "../model/net.js";
import { routeTarget } from "../model/routes.js";
import type { NetworkInterface, RouteTable, VpcEndpoint, VpcEndpointService } from "../model/types.js";
import { chooseTarget, lbRef, type Candidate } from "./loadBalancer.js";
import { connection, nodeForZone } from "./privateLink.js";
import type { LoadBalancer, LoadBalancerZone, TargetGroup } from "../model/loadBalancing.js";
import type { ComponentRef } from "./types.js";
import { type Ingress, type Packet, type Walk, aclCheck, arriveAtEni, expectRouteBack, leaveSubnet, ref, routeOut } from "./walk.js";

const GENEVE_PORT = 6081;

/** Where the request came in from outside the VPC, so that the endpoint's subnet can be checked for the way back out. */
export interface Entry { gatewayId: string; replyCidr: string }

export function viaGwlbEndpoint(walk: Walk, epId: string, pkt: Packet, ingress: Ingress, sourceEni: NetworkInterface | undefined, fromSubnetId: string | undefined, entry?: Entry): void {
  const { view } = walk;
  const ep = view.world.vpcEndpoints.get(epId);
  if (!ep || ep.vpcEndpointType !== "GatewayLoadBalancer") {
    walk.block({ code: "BAD_STATE_ROUTE", component: { id: epId, type: "vpc-endpoint" }, message: `The route's target ${epId} is not an existing Gateway Load Balancer endpoint.` });
    return;
  }
  const epRef = ref(ep, "vpc-endpoint");
  const svc = connection(walk, ep);
  const eni = view.world.networkInterfaces.get(ep.networkInterfaceIds[0] ?? "");
  if (!eni) {
    walk.block({ code: "BAD_STATE", component: epRef, message: `Gateway Load Balancer endpoint ${ep.id} has no network interface.` });
    return;
  }
  // Entering and leaving the endpoint's subnet: its network ACL, both ways, like any ENI route target.
  if (fromSubnetId !== eni.subnetId) {
    aclCheck(walk, eni.subnetId, false, pkt.src, { from: walk.port, to: walk.port }, "forward");
    walk.onReturn(() => aclCheck(walk, eni.subnetId, true, pkt.src, pkt.srcPorts, "return"));
  }
  if (entry) expectRouteBack(walk, eni.subnetId, pkt.src, entry.gatewayId, entry.replyCidr);
  if (svc) inspect(walk, ep, eni, svc, pkt);
  walk.hop({ component: epRef, verdict: "pass", detail: `back from inspection through ${ep.id}: routed on from ${eni.subnetId} toward ${formatIpv4(pkt.dst)}` });
  if (walk.loop(epRef)) return;
  leaveSubnet(walk, eni.subnetId, pkt, pkt.srcPorts, routeOut(view, eni.subnetId, pkt.dst));
  // Queued last before going on, so that on the way back it comes right after the reply's own
  // route into the VPC and before it enters the endpoint's subnet.
  expectSymmetric(walk, ep, pkt, ingress, fromSubnetId, walk.forward.length);
  walk.routeFrom(walk, view.subnet(eni.subnetId), pkt, ingress, sourceEni);
}

/** The provider's gateway load balancer node in the endpoint's zone sends the packet to an appliance and gets it back. */
function inspect(walk: Walk, ep: VpcEndpoint, eni: NetworkInterface, svc: VpcEndpointService, pkt: Packet): void {
  const node = nodeForZone(walk, svc, svc.gatewayLoadBalancerArns, eni);
  if (!node) return;
  const { lb, zone } = node;
  const r = lbRef(lb);
  const usable = lb.state === "active" || lb.state === "active_impaired";
  walk.hop({ component: r, verdict: usable ? "pass" : "block", detail: `gateway load balancer ${lb.name} (${lb.state}): node ${zone.privateIpv4Address} in ${zone.zoneName} (${zone.zoneId}) inspects ${formatIpv4(pkt.src)} → ${formatIpv4(pkt.dst)} ${walk.portText(walk.port)}`, rule: { node: zone.privateIpv4Address, availabilityZone: zone.zoneName, zoneId: zone.zoneId } });
  if (!usable) walk.block({ code: "BAD_STATE", component: r, message: `Gateway load balancer ${lb.name} is ${lb.state}, not active.` });
  const listener = walk.view.listenersOf(lb.id)[0];
  if (!listener) {
    walk.hop({ component: r, verdict: "block", detail: `${lb.name} has no listener` });
    walk.block({ code: "ELBV2_LISTENERS_MISMATCH", component: r, message: `Gateway load balancer ${lb.name} has no listener, so it sends nothing to its appliances and ${ep.id} drops the traffic.`, fix: `aws elbv2 create-listener --load-balancer-arn ${lb.id} --default-actions Type=forward,TargetGroupArn=<target-group-arn>` });
    return;
  }
  const tg = walk.view.world.targetGroups.get(listener.defaultActions[0]?.targetGroupArn ?? "");
  if (!tg) {
    walk.block({ code: "ELBV2_LISTENER_REQUIRES_TG_ACCEPT", component: { id: listener.id, type: "listener" }, message: `The listener of ${lb.name} forwards to a target group that does not exist.` });
    return;
  }
  walk.hop({ component: { id: listener.id, type: "listener" }, verdict: "pass", detail: `listener of ${lb.name}: every packet to ${tg.protocol} target group ${tg.name}`, rule: { targetGroupArn: tg.id } });
  walk.hop({ component: { id: tg.id, type: "target-group", name: tg.name }, verdict: "pass", detail: `${tg.protocol} target group ${tg.name}: ${tg.targets.length} appliances registered`, rule: { protocol: tg.protocol, port: tg.port, targetType: tg.targetType } });
  walk.onReturn(() => walk.back({ component: r, verdict: "pass", detail: `the reply is inspected by the same appliance (flows are sticky) and returned through ${ep.id}` }));
  chooseTarget(walk, lb, zone, tg, (c) => geneveLeg(walk, lb, zone, tg, c), false);
}

/**
 * The node to an appliance and back, in GENEVE: UDP 6081 both ways (the appliance sends the packet
 * back to the node's port 6081), from the node's address, so the appliance's security groups and
 * both subnets' network ACLs must admit UDP 6081 between them.
 */
function geneveLeg(walk: Walk, lb: LoadBalancer, zone: LoadBalancerZone, tg: TargetGroup, c: Candidate): Walk {
  const { view } = walk;
  const leg = walk.fork(GENEVE_PORT, "udp");
  const nodeIp = parseIpv4(zone.privateIpv4Address)!;
  const dst = c.address !== undefined ? parseIpv4(c.address) : undefined;
  const target = dst !== undefined ? view.eniAt(tg.vpcId, dst) : undefined;
  leg.hop({ component: lbRef(lb), verdict: target ? "info" : "block", detail: `GENEVE udp/${GENEVE_PORT} from node ${zone.privateIpv4Address} to appliance ${c.target.id} (${c.address ?? "?"})`, rule: { node: zone.privateIpv4Address, target: c.target.id, targetPort: GENEVE_PORT } });
  if (dst === undefined || !target) {
    leg.block({ code: "UNKNOWN_DESTINATION", component: { id: tg.vpcId, type: "vpc" }, message: `No network interface in ${tg.vpcId} has appliance ${c.target.id}'s address ${c.address ?? "?"}.` });
    return leg;
  }
  const pkt: Packet = { src: nodeIp, dst, srcPorts: { from: GENEVE_PORT, to: GENEVE_PORT } };
  leg.sourceHint = {
    why: ` The gateway load balancer sends the traffic to its appliances in GENEVE (udp/${GENEVE_PORT}) from its nodes' addresses (${lb.zones.map((z) => z.privateIpv4Address).join(", ")}).`,
    fix: (eni) => `aws ec2 authorize-security-group-ingress --group-id ${eni.groupIds[0] ?? "<appliance group>"} --ip-permissions 'IpProtocol=udp,FromPort=${GENEVE_PORT},ToPort=${GENEVE_PORT},IpRanges=[${lb.zones.map((z) => `{CidrIp=${z.privateIpv4Address}/32}`).join(",")}]'`,
  };
  leaveSubnet(leg, zone.subnetId, pkt, pkt.srcPorts, routeOut(view, zone.subnetId, dst));
  arriveAtEni(leg, target, pkt, view.world.networkInterfaces.get(zone.networkInterfaceId), zone.subnetId);
  const inst = target.attachment?.instanceId ? view.world.instances.get(target.attachment.instanceId) : undefined;
  const running = !inst || inst.state === "running";
  const who: ComponentRef = inst ? ref(inst, "instance") : ref(target, "network-interface");
  leg.hop({ component: who, verdict: running ? "pass" : "block", detail: `appliance ${who.id}${inst ? ` (${inst.state})` : ""} inspects the packet and returns it to ${zone.privateIpv4Address} in GENEVE` });
  if (!running) leg.block({ code: "BAD_STATE", component: who, message: `Appliance instance ${who.id} is ${inst?.state ?? "not running"}.` });
  leg.terminal = who;
  return leg;
}

/**
 * Queued before the flow goes on, so that it runs on the way back once the forward walk is known:
 * the reply must come back into the same endpoint. Leaving the VPC (egress), it re-enters where
 * the flow left, the internet gateway's edge route table or the NAT gateway's subnet, which must
 * route the source back to the endpoint; entering it (ingress), the destination's subnet must
 * route replies to the endpoint rather than straight out.
 */
function expectSymmetric(walk: Walk, ep: VpcEndpoint, pkt: Packet, ingress: Ingress, fromSubnetId: string | undefined, mark: number): void {
  walk.onReturn(() => {
    const { view } = walk;
    const src = formatIpv4(pkt.src);
    const dest = view.eniAt(ep.vpcId, pkt.dst);
    let table: RouteTable | undefined;
    let where = "";
    let fixCidr = fromSubnetId ? view.subnet(fromSubnetId).cidrBlock : `${src}/32`;
    const exit = ingress === "inside" ? walk.forward.slice(mark).find((h) => h.component.type === "internet-gateway" || h.component.type === "nat-gateway") : undefined;
    if (exit?.component.type === "internet-gateway") {
      table = view.routeTableOfGateway(exit.component.id);
      where = `the edge route table of ${exit.component.id}`;
      if (!table) return asymmetric(walk, ep, { id: exit.component.id, type: "internet-gateway" }, `${exit.component.id} has no edge route table, so replies from the internet go from it straight to ${src}, around ${ep.id} and its appliance.`, `aws ec2 create-route-table --vpc-id ${ep.vpcId}; aws ec2 associate-route-table --route-table-id <new table> --gateway-id ${exit.component.id}; aws ec2 create-route --route-table-id <new table> --destination-cidr-block ${fixCidr} --vpc-endpoint-id ${ep.id}`);
    } else if (exit?.component.type === "nat-gateway") {
      const nat = view.world.natGateways.get(exit.component.id);
      table = nat ? view.routeTableOfSubnet(nat.subnetId) : undefined;
      where = `the route table of ${exit.component.id}'s subnet`;
    } else if (dest && (ingress !== "inside" || walk.terminal !== undefined)) {
      table = view.routeTableOfSubnet(dest.subnetId);
      where = `the route table of ${dest.subnetId}, where ${formatIpv4(pkt.dst)} is`;
      if (ingress !== "inside") fixCidr = ingress === "internet" ? "0.0.0.0/0" : `${src}/32`;
    }
    if (!table) return;
    const back = view.lookup(table, pkt.src).best;
    const rtbRef = ref(table, "route-table");
    const ok = back !== undefined && back.route.vpcEndpointId === ep.id && back.route.state === "active";
    const target = back ? routeTarget(back.route) : undefined;
    walk.back({ component: rtbRef, verdict: ok ? "pass" : "block", detail: ok ? `${src} matches ${back.cidr} → ${ep.id}` : `replies to ${src} must go back through ${ep.id}${back ? `, but match ${back.cidr} → ${target ?? "?"}` : ", but no route matches"}` });
    if (ok) return;
    const verb = back?.cidr === fixCidr ? "replace-route" : "create-route";
    asymmetric(walk, ep, rtbRef, `${where[0]!.toUpperCase()}${where.slice(1)} (${table.id}) sends replies to ${src} ${back ? `to ${target ?? "?"} (${back.cidr})` : "nowhere"}, not back through ${ep.id}.`, `aws ec2 ${verb} --route-table-id ${table.id} --destination-cidr-block ${fixCidr} --vpc-endpoint-id ${ep.id}`);
  });
}

function asymmetric(walk: Walk, ep: VpcEndpoint, component: ComponentRef, what: string, fix: string): void {
  if (component.type === "internet-gateway") walk.back({ component, verdict: "block", detail: what });
  walk.block({ code: "GWLB_ASYMMETRIC_ROUTING", component, message: `${what} Gateway Load Balancer needs both directions of a flow through the same endpoint, and so the same appliance: a stateful appliance that sees only one direction drops the flow.`, fix });
}
