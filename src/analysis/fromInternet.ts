// Traffic from the internet through an internet gateway into a VPC: trace.ts starts its walks at
// ENIs and VPN connections only, so Reachability Analyzer's paths from a gateway start here.
import { routeTarget } from "../model/routes.js";
import { formatIpv4, isPublicIp, parseIpv4 } from "../model/net.js";
import type { InternetGateway } from "../model/types.js";
import { EPHEMERAL, type Protocol } from "./filters.js";
import { dispatchRoute, enterThroughGateway } from "./targets.js";
import type { Trace } from "./types.js";
import type { NetworkView } from "./view.js";
import { type RouteStep, Walk, ref } from "./walk.js";

/**
 * Routing from a subnet for walks that start at an internet gateway: longest prefix match, then
 * the same route targets the trace uses (trace.ts keeps its own step private). Only reached when
 * an appliance on the gateway's edge route table forwards the traffic on.
 */
const routeOnward: RouteStep = (walk, subnet, pkt, ingress, sourceEni) => {
  const rtb = walk.view.routeTableOfSubnet(subnet.id);
  const rtbRef = ref(rtb, "route-table");
  const best = walk.view.lookup(rtb, pkt.dst).best;
  if (!best) {
    walk.hop({ component: rtbRef, verdict: "block", detail: `no route in ${rtb.id} matches ${formatIpv4(pkt.dst)}` });
    walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: rtbRef, message: `Route table ${rtb.id} (used by ${subnet.id}) has no route to ${formatIpv4(pkt.dst)}.` });
    return;
  }
  const r = best.route;
  const target = routeTarget(r);
  walk.hop({
    component: rtbRef, verdict: r.state === "active" ? "pass" : "block",
    detail: `${formatIpv4(pkt.dst)} matches ${best.prefixListId ? `${best.cidr} in ${best.prefixListId}` : best.cidr} → ${target}`,
    rule: { destination: r.destinationPrefixListId ?? r.destinationCidrBlock, matchedCidr: best.cidr, target, origin: r.origin, state: r.state },
  });
  if (r.state !== "active") {
    walk.block({ code: "BAD_STATE_ROUTE", component: rtbRef, message: `The route ${best.cidr} → ${target} in ${rtb.id} is a blackhole: its target no longer exists or is not active.` });
    return;
  }
  dispatchRoute(walk, subnet, rtb.vpcId, best, pkt, ingress, sourceEni);
};

/**
 * A flow from `src` on the internet to `dst` through an internet gateway: the gateway accepts it
 * only for the public IP of an ENI in its VPC, translates that to the ENI's private address, and
 * the flow enters the VPC as the trace's own internet arrivals do (edge route table, subnet ACL,
 * security groups, the route back). A destination with no public address is a blocker, after
 * which the walk goes on to its private address so that the filters inside are checked too.
 */
export function traceFromInternet(view: NetworkView, igw: InternetGateway, src: string, dst: string, port: number, protocol: Protocol): Trace {
  const walk = new Walk(view, protocol, port, routeOnward);
  const igwRef = ref(igw, "internet-gateway");
  const out: Trace = {
    reachable: false, source: { ...igwRef, ip: src }, destination: { ip: dst, port, protocol },
    forward: walk.forward, return: walk.ret, returnComplete: false, explanations: walk.explanations, notes: walk.notes,
  };
  const srcIp = parseIpv4(src)!;
  const dstIp = parseIpv4(dst)!;
  const flow = `${src} → ${dst} ${walk.portText(port)} from the internet`;
  if (!isPublicIp(srcIp)) {
    walk.block({ code: "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", component: igwRef, message: `${src} is not a public address: ${igw.id} drops traffic from the internet whose source is a private address.` });
  }
  const vpcId = igw.attachments[0]?.vpcId;
  if (!vpcId) {
    walk.hop({ component: igwRef, verdict: "block", detail: `${flow}: ${igw.id} is not attached to a VPC` });
    walk.block({ code: "BAD_STATE_ATTACHMENT", component: igwRef, message: `${igw.id} is not attached to a VPC.`, fix: `aws ec2 attach-internet-gateway --internet-gateway-id ${igw.id} --vpc-id <vpc>` });
    return out;
  }
  const publicEni = view.eniWithPublicIp(dstIp);
  let privateIp = dstIp;
  if (publicEni?.vpcId === vpcId) {
    privateIp = parseIpv4(publicEni.privateIpAddress)!;
    walk.hop({ component: igwRef, verdict: "pass", detail: `${flow}: ${igw.id} translates ${dst} to ${publicEni.privateIpAddress}` });
  } else {
    const inside = view.eniAt(vpcId, dstIp);
    walk.hop({ component: igwRef, verdict: "block", detail: `${flow}: ${dst} is not the public address of a network interface in ${vpcId}` });
    walk.block({
      code: "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", component: igwRef,
      message: `${igw.id} accepts traffic from the internet only for the public IPv4 address of a network interface in ${vpcId}; ${dst} is not one${inside ? ` (${inside.id} has no public address)` : ""}.`,
      ...(inside ? { fix: `aws ec2 allocate-address, then aws ec2 associate-address --network-interface-id ${inside.id} --allocation-id <eipalloc>, and connect to that address` } : {}),
    });
    if (!inside) return out;
  }
  // Queued first, so it is the last step of the way back.
  walk.onReturn(() => walk.back({ component: igwRef, verdict: "pass", detail: `${igw.id} translates the reply's source back to ${dst}` }));
  enterThroughGateway(walk, igw.id, vpcId, { src: srcIp, dst: privateIp, srcPorts: EPHEMERAL.wide }, "internet", "0.0.0.0/0");
  walk.finishReturn();
  out.reachable = walk.explanations.length === 0 && walk.terminal !== undefined;
  if (walk.terminal) out.destination.component = walk.terminal;
  out.returnComplete = walk.terminal !== undefined;
  return out;
}
