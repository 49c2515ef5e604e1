// A read-only, indexed view of the world for analysis: lookups by id, by IP, by subnet and by
// DNS name, load balancers and PrivateLink services by their parts, and one longest-prefix-match
// table per route table. Built once per world state, so a trace never scans all ENIs or routes.
import { findPrefixList } from "../model/catalog/index.js";
import { PrefixTable } from "../model/lpm.js";
import { parseCidr, parseIpv4 } from "../model/net.js";
import type { Listener, LoadBalancer, LoadBalancerZone } from "../model/loadBalancing.js";
import type { NetworkAcl, NetworkInterface, Route, RouteTable, Subnet, VpcEndpoint, VpcEndpointService, VpcPeeringConnection, VpnConnection } from "../model/types.js";
import type { World } from "../model/world.js";

/** A route as installed: one CIDR, with the prefix list or VGW propagation it came from. */
export interface InstalledRoute { cidr: string; route: Route; prefixListId?: string; propagatedFrom?: string }

type NamedKind = "instances" | "subnets" | "vpcs" | "networkInterfaces" | "vpnConnections" | "securityGroups" | "routeTables" | "vpcEndpoints";

export class NetworkView {
  private readonly rtbOfSubnet = new Map<string, string>();
  private readonly rtbOfGateway = new Map<string, string>();
  private readonly aclOfSubnet = new Map<string, string>();
  private readonly eniByVpcIp = new Map<string, Map<number, string>>();
  private readonly eniByPublicIp = new Map<number, string>();
  private readonly endpointOfEni = new Map<string, string>();
  private readonly endpointsOfVpc = new Map<string, VpcEndpoint[]>();
  private readonly peeringsOfVpc = new Map<string, VpcPeeringConnection[]>();
  private readonly vpnsOfVgw = new Map<string, VpnConnection[]>();
  private readonly vgwOfVpc = new Map<string, string>();
  private readonly igwOfVpc = new Map<string, string>();
  private readonly tables = new Map<string, PrefixTable<InstalledRoute>>();
  private readonly names = new Map<string, string>();
  private readonly nodeOfEni = new Map<string, { lbId: string; zone: LoadBalancerZone }>();
  private readonly lbByDnsName = new Map<string, string>();
  private readonly listenersOfLb = new Map<string, Listener[]>();
  private readonly serviceOfLb = new Map<string, string>();
  private readonly serviceByName = new Map<string, string>();
  private readonly endpointsOfService = new Map<string, VpcEndpoint[]>();
  /** Provider VPC (where a service's load balancers are) -> the endpoints that connect to its services, by their VPC's CIDR. */
  private readonly consumersOfVpc = new Map<string, PrefixTable<VpcEndpoint>>();
  private readonly namesBuilt = new Set<NamedKind>();

  constructor(readonly world: World) {
    for (const rtb of world.routeTables.values()) {
      for (const a of rtb.associations) {
        if (a.subnetId) this.rtbOfSubnet.set(a.subnetId, rtb.id);
        if (a.gatewayId) this.rtbOfGateway.set(a.gatewayId, rtb.id);
      }
    }
    for (const acl of world.networkAcls.values()) for (const a of acl.associations) this.aclOfSubnet.set(a.subnetId, acl.id);
    for (const eni of world.networkInterfaces.values()) {
      let m = this.eniByVpcIp.get(eni.vpcId);
      if (!m) this.eniByVpcIp.set(eni.vpcId, (m = new Map<number, string>()));
      m.set(parseIpv4(eni.privateIpAddress)!, eni.id);
      if (eni.publicIp) this.eniByPublicIp.set(parseIpv4(eni.publicIp)!, eni.id);
    }
    for (const ep of world.vpcEndpoints.values()) {
      push(this.endpointsOfVpc, ep.vpcId, ep);
      for (const eni of ep.networkInterfaceIds) this.endpointOfEni.set(eni, ep.id);
    }
    for (const p of world.peeringConnections.values()) {
      push(this.peeringsOfVpc, p.requesterVpcId, p);
      push(this.peeringsOfVpc, p.accepterVpcId, p);
    }
    for (const v of world.vpnConnections.values()) push(this.vpnsOfVgw, v.vpnGatewayId, v);
    for (const g of world.vpnGateways.values()) for (const a of g.attachments) this.vgwOfVpc.set(a.vpcId, g.id);
    for (const g of world.internetGateways.values()) for (const a of g.attachments) this.igwOfVpc.set(a.vpcId, g.id);
    this.indexLoadBalancing();
  }

  private indexLoadBalancing(): void {
    const { world } = this;
    for (const lb of world.loadBalancers.values()) {
      this.lbByDnsName.set(lb.dnsName.toLowerCase(), lb.id);
      for (const zone of lb.zones) this.nodeOfEni.set(zone.networkInterfaceId, { lbId: lb.id, zone });
    }
    for (const l of world.listeners.values()) push(this.listenersOfLb, l.loadBalancerArn, l);
    for (const svc of world.endpointServices.values()) {
      this.serviceByName.set(svc.serviceName, svc.id);
      for (const arn of [...svc.networkLoadBalancerArns, ...svc.gatewayLoadBalancerArns]) this.serviceOfLb.set(arn, svc.id);
    }
    for (const ep of world.vpcEndpoints.values()) {
      const svc = this.serviceOf(ep);
      if (!svc) continue;
      push(this.endpointsOfService, svc.id, ep);
      const providers = new Set([...svc.networkLoadBalancerArns, ...svc.gatewayLoadBalancerArns].map((arn) => world.loadBalancers.get(arn)?.vpcId));
      const consumer = world.vpcs.get(ep.vpcId);
      for (const vpcId of providers) {
        if (vpcId === undefined || vpcId === ep.vpcId || !consumer) continue;
        let table = this.consumersOfVpc.get(vpcId);
        if (!table) this.consumersOfVpc.set(vpcId, (table = new PrefixTable()));
        table.insert(parseCidr(consumer.cidrBlock)!, ep);
      }
    }
  }

  subnet(id: string): Subnet { return this.world.subnets.get(id)!; }

  routeTableOfSubnet(subnetId: string): RouteTable {
    const id = this.rtbOfSubnet.get(subnetId) ?? this.world.vpcs.get(this.subnet(subnetId).vpcId)!.mainRouteTableId;
    return this.world.routeTables.get(id)!;
  }

  /** The edge route table associated with an internet or virtual private gateway, if any. */
  routeTableOfGateway(gatewayId: string): RouteTable | undefined {
    const id = this.rtbOfGateway.get(gatewayId);
    return id ? this.world.routeTables.get(id) : undefined;
  }

  aclOfSubnetId(subnetId: string): NetworkAcl | undefined {
    const id = this.aclOfSubnet.get(subnetId);
    return id ? this.world.networkAcls.get(id) : undefined;
  }

  eniAt(vpcId: string, ip: number): NetworkInterface | undefined {
    const id = this.eniByVpcIp.get(vpcId)?.get(ip);
    return id ? this.world.networkInterfaces.get(id) : undefined;
  }

  eniWithPublicIp(ip: number): NetworkInterface | undefined {
    const id = this.eniByPublicIp.get(ip);
    return id ? this.world.networkInterfaces.get(id) : undefined;
  }

  endpointOfInterface(eniId: string): VpcEndpoint | undefined {
    const id = this.endpointOfEni.get(eniId);
    return id ? this.world.vpcEndpoints.get(id) : undefined;
  }

  endpointsIn(vpcId: string): readonly VpcEndpoint[] { return this.endpointsOfVpc.get(vpcId) ?? []; }
  peeringsOf(vpcId: string): readonly VpcPeeringConnection[] { return this.peeringsOfVpc.get(vpcId) ?? []; }
  vpnsOf(vgwId: string): readonly VpnConnection[] { return this.vpnsOfVgw.get(vgwId) ?? []; }
  vgwOf(vpcId: string): string | undefined { return this.vgwOfVpc.get(vpcId); }
  igwOf(vpcId: string): string | undefined { return this.igwOfVpc.get(vpcId); }

  /** The load balancer whose node this ENI is, and the node (its zone). */
  loadBalancerNode(eniId: string): { lb: LoadBalancer; zone: LoadBalancerZone } | undefined {
    const n = this.nodeOfEni.get(eniId);
    const lb = n ? this.world.loadBalancers.get(n.lbId) : undefined;
    return lb && n ? { lb, zone: n.zone } : undefined;
  }

  loadBalancerByDnsName(name: string): LoadBalancer | undefined {
    const id = this.lbByDnsName.get(name);
    return id ? this.world.loadBalancers.get(id) : undefined;
  }

  listenersOf(lbArn: string): readonly Listener[] { return this.listenersOfLb.get(lbArn) ?? []; }

  /** The endpoint service that offers this load balancer through PrivateLink, if any. */
  serviceOfLoadBalancer(lbArn: string): VpcEndpointService | undefined {
    const id = this.serviceOfLb.get(lbArn);
    return id ? this.world.endpointServices.get(id) : undefined;
  }

  /** The customer endpoint service an endpoint connects to (by its service id, else its service name). */
  serviceOf(ep: VpcEndpoint): VpcEndpointService | undefined {
    const id = ep.serviceId ?? this.serviceByName.get(ep.serviceName);
    return id ? this.world.endpointServices.get(id) : undefined;
  }

  endpointsOfServiceId(serviceId: string): readonly VpcEndpoint[] { return this.endpointsOfService.get(serviceId) ?? []; }

  /** An endpoint, in a VPC whose CIDR holds ip, connected to a service whose load balancers are in this VPC. */
  consumerEndpointAt(providerVpcId: string, ip: number): VpcEndpoint | undefined { return this.consumersOfVpc.get(providerVpcId)?.longest(ip)?.[0]; }

  /** A resource id by its Name tag (the lab file's names). */
  byName(kind: NamedKind, name: string): string | undefined {
    if (!this.namesBuilt.has(kind)) {
      // Built per kind on first use: a trace by id never pays for it.
      for (const r of this.world.collection(kind).values()) {
        const tag = r.tags.find((t) => t.key === "Name")?.value;
        if (tag && !this.names.has(`${kind}:${tag}`)) this.names.set(`${kind}:${tag}`, r.id);
      }
      this.namesBuilt.add(kind);
    }
    return this.names.get(`${kind}:${name}`);
  }

  /** The route table as a longest-prefix-match table, prefix lists expanded and VGW routes propagated. */
  routes(rtb: RouteTable): PrefixTable<InstalledRoute> {
    let table = this.tables.get(rtb.id);
    if (table) return table;
    table = new PrefixTable();
    for (const route of rtb.routes) {
      if (route.destinationCidrBlock) table.insert(parseCidr(route.destinationCidrBlock)!, { cidr: route.destinationCidrBlock, route });
      else if (route.destinationPrefixListId) {
        for (const c of findPrefixList(rtb.region, route.destinationPrefixListId)?.cidrs ?? []) {
          table.insert(parseCidr(c)!, { cidr: c, route, prefixListId: route.destinationPrefixListId });
        }
      }
    }
    for (const vgwId of rtb.propagatingVgws) {
      const attached = this.world.vpnGateways.get(vgwId)?.attachments.some((a) => a.vpcId === rtb.vpcId);
      if (!attached) continue;
      for (const vpn of this.vpnsOf(vgwId)) {
        for (const c of vpn.staticRoutes) {
          const route: Route = { destinationCidrBlock: c, gatewayId: vgwId, origin: "EnableVgwRoutePropagation", state: "active" };
          table.insert(parseCidr(c)!, { cidr: c, route, propagatedFrom: vpn.id });
        }
      }
    }
    this.tables.set(rtb.id, table);
    return table;
  }

  /**
   * The route AWS uses for ip: the longest prefix; between equal prefixes a static route beats a
   * propagated one and a CIDR route beats a prefix-list route, as AWS's route priority says.
   */
  lookup(rtb: RouteTable, ip: number): { best?: InstalledRoute; others: InstalledRoute[] } {
    const matches = this.routes(rtb).matches(ip);
    const all = matches.flatMap((m) => m.values);
    const first = matches[0]?.values ?? [];
    const rank = (r: InstalledRoute): number => (r.route.gatewayId === "local" ? 0 : r.propagatedFrom ? 3 : r.prefixListId ? 2 : 1);
    const best = [...first].sort((a, b) => rank(a) - rank(b))[0];
    return { best, others: all.filter((r) => r !== best) };
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
