// From a vpclab trace's hops and explanations to Reachability Analyzer's shapes (PathComponent,
// Explanation, ...: the EC2 model's member names, first letter lowercased), and EC2 ARNs.
import { isPublicIp, parseIpv4 } from "../model/net.js";
import { routeTarget } from "../model/routes.js";
import type { NetworkAclEntry, Route } from "../model/types.js";
import type { World } from "../model/world.js";
import type { AnalysisAclRule, AnalysisComponent, AnalysisPacketHeader, AnalysisRouteTableRoute, AnalysisSecurityGroupRule, InsightsExplanation, PathComponent } from "../model/insights.js";
import { EPHEMERAL, type Protocol } from "../analysis/filters.js";
import type { ComponentRef, Hop, MatchedRule, Explanation as TraceExplanation, Trace } from "../analysis/types.js";
import { type Ports, ref } from "../analysis/walk.js";
import { type Ctx, collectionOfId } from "./context.js";
import { type LoadBalancingExplanation, loadBalancingDetails, loadBalancingExplanation, vpcOfLoadBalancing } from "./insightsLoadBalancing.js";

export function ec2Arn(region: string, account: string, type: string, id: string): string {
  return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
}

/** The resource type in an EC2 ARN, by the trace's component types and the world's collections. */
const ARN_TYPE: Record<string, string> = {
  instance: "instance", "network-interface": "network-interface", "security-group": "security-group",
  "security-group-egress": "security-group", "security-group-ingress": "security-group", "network-acl": "network-acl",
  "route-table": "route-table", subnet: "subnet", vpc: "vpc", "internet-gateway": "internet-gateway", "nat-gateway": "natgateway",
  "vpc-endpoint": "vpc-endpoint", "vpc-peering-connection": "vpc-peering-connection", "vpn-gateway": "vpn-gateway", "vpn-connection": "vpn-connection",
  "vpc-endpoint-service": "vpc-endpoint-service",
};
const PROTOCOL_NUMBER: Record<Protocol, string> = { tcp: "6", udp: "17", icmp: "1" };
const ACL_PROTOCOL: Record<NetworkAclEntry["protocol"], string> = { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp" };
const FIELD_OF_TYPE: Record<string, keyof InsightsExplanation> = {
  "security-group": "securityGroup", "network-acl": "acl", "route-table": "routeTable", "internet-gateway": "internetGateway",
  "nat-gateway": "natGateway", "vpc-endpoint": "vpcEndpoint", "vpc-peering-connection": "vpcPeeringConnection",
  "vpn-gateway": "vpnGateway", "vpn-connection": "vpnConnection", "network-interface": "networkInterface", subnet: "subnet", vpc: "vpc",
};

const str = (v: MatchedRule[string]): string | undefined => (v === undefined ? undefined : String(v));

/** Maps one trace's hops and explanations onto Reachability Analyzer's shapes, reading details off the world. */
export class Shaper {
  constructor(
    private readonly ctx: Ctx, private readonly world: World, private readonly protocol: Protocol, private readonly port: number,
    private readonly tr?: Trace,
  ) {}

  component(c: ComponentRef): AnalysisComponent {
    const arnType = ARN_TYPE[c.type];
    const kind = collectionOfId(c.id);
    const r = kind ? this.world.collection(kind).get(c.id) : undefined;
    const name = c.name ?? r?.tags.find((t) => t.key === "Name")?.value;
    return {
      id: c.id,
      // Load balancers, listeners and target groups are named by their ELBv2 ARN.
      ...(c.id.startsWith("arn:") ? { arn: c.id } : arnType ? { arn: ec2Arn(r?.region ?? this.ctx.region, r?.ownerId ?? this.ctx.account, arnType, c.id) } : {}),
      ...(name ? { name } : {}),
    };
  }

  private byId(id: string | undefined, type: string): AnalysisComponent | undefined {
    if (!id) return undefined;
    const kind = collectionOfId(id);
    const r = kind ? this.world.collection(kind).get(id) : undefined;
    return this.component(r ? ref(r, type) : { id, type });
  }

  private vpcOf(id: string): string | undefined {
    if (id.startsWith("arn:")) return vpcOfLoadBalancing(this.world, id);
    const kind = collectionOfId(id);
    const r = kind ? (this.world.collection(kind).get(id) as { vpcId?: unknown; attachments?: { vpcId?: unknown }[] } | undefined) : undefined;
    const vpcId = r?.vpcId ?? r?.attachments?.[0]?.vpcId;
    return typeof vpcId === "string" ? vpcId : undefined;
  }

  private place(subnetId: string | undefined, vpcId: string | undefined): Pick<PathComponent, "subnet" | "vpc"> {
    const subnet = this.byId(subnetId, "subnet");
    const vpc = this.byId(vpcId, "vpc");
    return { ...(subnet ? { subnet } : {}), ...(vpc ? { vpc } : {}) };
  }

  private sgRule(rule: MatchedRule | undefined): AnalysisSecurityGroupRule | undefined {
    const sg = this.world.securityGroups.get(str(rule?.["securityGroupId"]) ?? "");
    const r = sg?.rules.find((x) => x.id === rule?.["securityGroupRuleId"]);
    if (!sg || !r) return undefined;
    return {
      ...(r.cidrIpv4 ? { cidr: r.cidrIpv4 } : {}),
      direction: r.isEgress ? "egress" : "ingress",
      securityGroupId: sg.id,
      ...(r.ipProtocol !== "-1" && r.fromPort !== -1 ? { portRange: { from: r.fromPort, to: r.toPort } } : {}),
      ...(r.prefixListId ? { prefixListId: r.prefixListId } : {}),
      protocol: r.ipProtocol === "-1" ? "all" : r.ipProtocol,
    };
  }

  private aclRule(rule: MatchedRule | undefined): AnalysisAclRule | undefined {
    const acl = this.world.networkAcls.get(str(rule?.["networkAclId"]) ?? "");
    const number = rule?.["ruleNumber"] === "*" ? 32767 : rule?.["ruleNumber"];
    const e = acl?.entries.find((x) => x.egress === (rule?.["direction"] === "outbound") && x.ruleNumber === number);
    if (!e) return undefined;
    return {
      cidr: e.cidrBlock, egress: e.egress, ...(e.portRange ? { portRange: { from: e.portRange.from, to: e.portRange.to } } : {}),
      protocol: ACL_PROTOCOL[e.protocol], ruleAction: e.ruleAction, ruleNumber: e.ruleNumber,
    };
  }

  private routeRule(rtbId: string, rule: MatchedRule | undefined): AnalysisRouteTableRoute | undefined {
    const destination = str(rule?.["destination"]);
    const target = str(rule?.["target"]);
    if (!destination || !target) return undefined;
    const found = this.world.routeTables.get(rtbId)?.routes.find((r) => (r.destinationCidrBlock ?? r.destinationPrefixListId) === destination && routeTarget(r) === target);
    // Propagated routes are not in the table's own list: their target is the VGW.
    const route: Partial<Route> = found ?? { gatewayId: target };
    return {
      ...(destination.startsWith("pl-") ? { destinationPrefixListId: destination } : { destinationCidr: destination }),
      ...(route.gatewayId ? { gatewayId: route.gatewayId } : {}),
      ...(route.instanceId ? { instanceId: route.instanceId } : {}),
      ...(route.natGatewayId ? { natGatewayId: route.natGatewayId } : {}),
      ...(route.networkInterfaceId ? { networkInterfaceId: route.networkInterfaceId } : {}),
      ...(route.vpcPeeringConnectionId ? { vpcPeeringConnectionId: route.vpcPeeringConnectionId } : {}),
      ...(rule?.["origin"] !== undefined ? { origin: String(rule["origin"]).toLowerCase() } : {}),
      ...(rule?.["state"] !== undefined ? { state: String(rule["state"]) } : {}),
    };
  }

  /** The route a hop names only in its text ("... matches 0.0.0.0/0 → igw-..."), as the trace's route-back checks do. */
  private ruleFromDetail(rtbId: string, detail: string): MatchedRule | undefined {
    const m = /matches (\S+) → (\S+)$/.exec(detail);
    if (!m) return undefined;
    const r = this.world.routeTables.get(rtbId)?.routes.find((x) => routeTarget(x) === m[2] && (x.destinationCidrBlock === m[1] || x.destinationPrefixListId !== undefined));
    return r ? { destination: r.destinationCidrBlock ?? r.destinationPrefixListId, target: m[2], origin: r.origin, state: r.state } : undefined;
  }

  /** The details a hop carries in PathComponent's members: the rule that decided, where it is. */
  private details(h: Hop): Omit<PathComponent, "sequenceNumber" | "component"> {
    const { id, type } = h.component;
    switch (type) {
      case "security-group-egress":
      case "security-group-ingress": {
        const securityGroupRule = this.sgRule(h.rule);
        return { ...(securityGroupRule ? { securityGroupRule } : {}), ...this.place(undefined, this.vpcOf(id)) };
      }
      case "network-acl": {
        const aclRule = this.aclRule(h.rule);
        return { ...(aclRule ? { aclRule } : {}), ...this.place(/^(subnet-[0-9a-f]+) /.exec(h.detail)?.[1], this.vpcOf(id)) };
      }
      case "route-table": {
        const routeTableRoute = this.routeRule(id, h.rule ?? this.ruleFromDetail(id, h.detail));
        return { ...(routeTableRoute ? { routeTableRoute } : {}), ...this.place(undefined, this.vpcOf(id)) };
      }
      case "instance": {
        const inst = this.world.instances.get(id);
        return this.place(inst?.subnetId, inst?.vpcId);
      }
      case "network-interface": {
        const eni = this.world.networkInterfaces.get(id);
        const attachedTo = this.byId(eni?.attachment?.instanceId, "instance");
        return { ...(attachedTo ? { attachedTo } : {}), ...this.place(eni?.subnetId, eni?.vpcId) };
      }
      case "nat-gateway": {
        const nat = this.world.natGateways.get(id);
        return this.place(nat?.subnetId, nat?.vpcId);
      }
      case "vpc-endpoint": {
        const ep = this.world.vpcEndpoints.get(id);
        return { ...(ep ? { serviceName: ep.serviceName } : {}), ...this.place(undefined, ep?.vpcId) };
      }
      case "aws-service":
        return { serviceName: id };
      default: {
        const lb = loadBalancingDetails(this.world, h, (c) => this.component(c));
        return { ...lb, ...this.place(undefined, this.vpcOf(id)) };
      }
    }
  }

  /** Hops as PathComponents, numbered from 1; blocking hops carry their explanations, the forward path the trace's notes. */
  components(hops: Hop[], direction: "forward" | "return", explanations: InsightsExplanation[]): PathComponent[] {
    const notes = [...(direction === "forward" ? this.tr?.notes ?? [] : [])];
    const out = hops.map((h, i): PathComponent => {
      const pc: PathComponent = { sequenceNumber: i + 1, component: this.component(h.component), ...this.details(h) };
      const mine = h.verdict === "block" ? explanations.filter((e) => e.component?.id === h.component.id) : [];
      if (mine.length) pc.explanations = mine;
      const noted = notes.filter((n) => n.component.id === h.component.id);
      if (noted.length) {
        pc.additionalDetails = noted.map((n) => ({ additionalDetailType: n.code, component: this.component(n.component) }));
        notes.splice(0, notes.length, ...notes.filter((n) => !noted.includes(n)));
      }
      return pc;
    });
    this.headers(out, hops, direction);
    return out;
  }

  private header(src: string, dst: string, srcPorts: Ports, dstPorts: Ports): AnalysisPacketHeader {
    return {
      destinationAddresses: [`${dst}/32`], destinationPortRanges: [{ from: dstPorts.from, to: dstPorts.to }], protocol: PROTOCOL_NUMBER[this.protocol],
      sourceAddresses: [`${src}/32`], sourcePortRanges: [{ from: srcPorts.from, to: srcPorts.to }],
    };
  }

  /**
   * The packet as it leaves the source (outbound header of the first component) and as it arrives
   * (inbound header of the destination's component): a NAT gateway on the way changes its source
   * to the gateway's address, an internet gateway a private source to its public address.
   */
  private headers(out: PathComponent[], hops: Hop[], direction: "forward" | "return"): void {
    const tr = this.tr;
    if (!tr || out.length === 0) return;
    const fromEni = tr.source.type !== "internet-gateway";
    const originPorts = fromEni ? EPHEMERAL.linux : EPHEMERAL.wide;
    let dstPorts = { from: this.port, to: this.port };
    let src = tr.source.ip;
    let srcPorts = originPorts;
    let natPublic: string | undefined;
    for (const h of tr.forward) {
      const nat = h.component.type === "nat-gateway" ? this.world.natGateways.get(h.component.id) : undefined;
      const lbSource = h.component.type === "load-balancer" ? h.rule?.["source"] : undefined;
      if (typeof lbSource === "string" && tr.delivery?.via) {
        // A load balancer's node sends to its target's port, from its own address unless the client's is preserved.
        if (lbSource !== src) srcPorts = EPHEMERAL.wide;
        src = lbSource;
        dstPorts = { from: tr.delivery.port, to: tr.delivery.port };
      } else if (nat) {
        src = nat.privateIp;
        natPublic = nat.publicIp;
        srcPorts = EPHEMERAL.wide;
      } else if (h.component.type === "internet-gateway" && !isPublicIp(parseIpv4(src) ?? 0)) {
        const sourceEni = this.world.networkInterfaces.get(this.world.instances.get(tr.source.id)?.networkInterfaceId ?? tr.source.id);
        src = natPublic ?? sourceEni?.publicIp ?? src;
      }
    }
    const terminal = tr.destination.component;
    const landed = terminal ? (this.world.instances.get(terminal.id)?.privateIpAddress ?? this.world.networkInterfaces.get(terminal.id)?.privateIpAddress) : undefined;
    const arrivedAt = landed ?? tr.destination.ip;
    if (direction === "forward") {
      // As the source sends it: to the address and port asked for (a load balancer's listener's).
      out[0]!.outboundHeader = this.header(tr.source.ip, tr.destination.ip, originPorts, { from: this.port, to: this.port });
      const last = terminal ? hops.map((h) => h.component.id).lastIndexOf(terminal.id) : -1;
      if (last >= 0) out[last]!.inboundHeader = this.header(src, arrivedAt, srcPorts, dstPorts);
    } else {
      out[0]!.outboundHeader = this.header(arrivedAt, src, dstPorts, srcPorts);
    }
  }

  /** A trace explanation as Reachability Analyzer's Explanation: the component in its typed member too, and what the message says of direction, ENI and ports. */
  explanation(e: TraceExplanation): InsightsExplanation {
    const component = this.component(e.component);
    const out: LoadBalancingExplanation = { explanationCode: e.code, component };
    const field = FIELD_OF_TYPE[e.component.type];
    if (field) Object.assign(out, { [field]: component });
    const vpcId = this.vpcOf(e.component.id);
    if (vpcId && field !== "vpc") out.vpc = this.byId(vpcId, "vpc")!;
    switch (e.code) {
      case "ENI_SG_RULES_MISMATCH": {
        const m = /of (eni-[0-9a-f]+) \(([^)]*)\) have no (inbound|outbound) rule/.exec(e.message);
        if (m) {
          const eni = this.world.networkInterfaces.get(m[1]!);
          delete out.securityGroup;
          out.direction = m[3] === "inbound" ? "ingress" : "egress";
          out.networkInterface = this.byId(m[1], "network-interface")!;
          out.securityGroups = m[2]!.split(", ").map((id) => {
            const sg = this.world.securityGroups.get(id);
            return this.component(sg ? { ...ref(sg, "security-group"), ...(sg.tags.some((t) => t.key === "Name") ? {} : { name: sg.groupName }) } : { id, type: "security-group" });
          });
          Object.assign(out, this.place(eni?.subnetId, eni?.vpcId));
        }
        out.port = this.port;
        out.protocols = [this.protocol];
        break;
      }
      case "SUBNET_ACL_RESTRICTION": {
        const m = /on (subnet-[0-9a-f]+) does not allow (outbound|inbound) /.exec(e.message);
        if (m) {
          out.direction = m[2] === "outbound" ? "egress" : "ingress";
          Object.assign(out, this.place(m[1], vpcId));
          const hop = [...(this.tr?.forward ?? []), ...(this.tr?.return ?? [])]
            .find((h) => h.verdict === "block" && h.component.id === e.component.id && h.rule?.["direction"] === m[2] && h.detail.startsWith(m[1]!));
          const aclRule = this.aclRule(hop?.rule);
          if (aclRule) out.aclRule = aclRule;
        }
        const range = /ports (\d+)-(\d+)/.exec(e.message);
        if (range) out.portRanges = [{ from: Number(range[1]), to: Number(range[2]) }];
        else out.port = this.port;
        out.protocols = [this.protocol];
        break;
      }
      case "NO_ROUTE_TO_DESTINATION":
      case "BAD_STATE_ROUTE": {
        const subnetId = /(subnet-[0-9a-f]+)/.exec(e.message)?.[1];
        if (subnetId) Object.assign(out, this.place(subnetId, vpcId));
        const hop = this.tr?.forward.find((h) => h.verdict === "block" && h.component.id === e.component.id && h.rule !== undefined);
        const routeTableRoute = hop && e.component.type === "route-table" ? this.routeRule(e.component.id, hop.rule) : undefined;
        if (routeTableRoute) out.routeTableRoute = routeTableRoute;
        break;
      }
      default:
        loadBalancingExplanation(this.world, this.tr, e, out, this.port, (c) => this.component(c));
        break;
    }
    return out;
  }
}
