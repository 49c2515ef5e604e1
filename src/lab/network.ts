// Lab-file sections for the network itself: VPCs, gateways, subnets, route tables and their
// routes, network ACLs, peering and on-premises networks.
import { createVpc, modifyVpcAttribute } from "../control/vpcs.js";
import { createSubnet, modifySubnetAttribute } from "../control/subnets.js";
import { associateRouteTable, createRoute, createRouteTable, deleteRoute, replaceRoute, replaceRouteTableAssociation, setVgwRoutePropagation, type RouteInput } from "../control/routeTables.js";
import { attachInternetGateway, attachVpnGateway, createInternetGateway, createVpnConnection, createVpnGateway } from "../control/gateways.js";
import { createNetworkAcl, createNetworkAclEntry, deleteNetworkAclEntry, replaceNetworkAclAssociation } from "../control/networkAcls.js";
import { acceptVpcPeeringConnection, createVpcPeeringConnection } from "../control/peering.js";
import type { Tag } from "../model/types.js";
import { routeTarget as targetOf } from "../model/routes.js";
import { LabError, type Path, bool, list, num, obj, ports, str, strList } from "./reader.js";
import { type Kind, LabSession } from "./session.js";

export function vpcs(s: LabSession): void {
  for (const [name, v] of s.section("vpcs")) {
    const path = ["vpcs", name];
    obj(v, path, ["cidr", "dnsSupport", "dnsHostnames"]);
    const cidrBlock = str(v, "cidr", path);
    let id = s.findByName("vpcs", name);
    if (!id) {
      id = s.step([...path, "cidr"], () => createVpc(s.ctx, { cidrBlock, tags: s.tags(name) }).id);
      s.created.push(`vpc ${name} (${id})`);
    } else if (s.world.vpcs.get(id)!.cidrBlock !== cidrBlock) {
      throw new LabError([...path, "cidr"], `vpc '${name}' exists with CIDR ${s.world.vpcs.get(id)!.cidrBlock}; a VPC's CIDR cannot change (run 'vpclab reset' to start over)`);
    }
    const vpc = s.world.vpcs.get(id)!;
    for (const [key, attr] of [["dnsSupport", "enableDnsSupport"], ["dnsHostnames", "enableDnsHostnames"]] as const) {
      const want = bool(v, key, path);
      if (want !== undefined && vpc[attr] !== want) {
        modifyVpcAttribute(s.ctx, id, attr, want);
        s.changed.push(`vpc ${name}: ${attr}=${want}`);
      }
    }
  }
}

/** Internet and virtual private gateways: created by name, attached to the declared VPC. */
function gateways(s: LabSession, section: "internetGateways" | "vpnGateways", noun: string, create: (tags: Tag[]) => string, attach: (id: string, vpcId: string) => void): void {
  for (const [name, v] of s.section(section)) {
    const path = [section, name];
    obj(v, path, ["vpc"]);
    let id = s.findByName(section, name);
    if (!id) {
      id = create(s.tags(name));
      s.created.push(`${noun} ${name} (${id})`);
    }
    const gatewayId = id;
    const vpcName = str(v, "vpc", path, true);
    if (vpcName === undefined) continue;
    const vpcId = s.ref("vpcs", vpcName, [...path, "vpc"]);
    if (!s.world.collection(section).get(gatewayId)!.attachments.some((a) => a.vpcId === vpcId)) s.step([...path, "vpc"], () => attach(gatewayId, vpcId));
  }
}

export function internetGateways(s: LabSession): void {
  gateways(s, "internetGateways", "internet gateway", (tags) => createInternetGateway(s.ctx, { tags }).id, (id, vpcId) => attachInternetGateway(s.ctx, id, vpcId));
}

export function vpnGateways(s: LabSession): void {
  gateways(s, "vpnGateways", "vpn gateway", (tags) => createVpnGateway(s.ctx, { tags }).id, (id, vpcId) => attachVpnGateway(s.ctx, id, vpcId));
}

export function subnets(s: LabSession): void {
  for (const [name, v] of s.section("subnets")) {
    const path = ["subnets", name];
    obj(v, path, ["vpc", "cidr", "az", "routeTable", "mapPublicIp"]);
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    const cidrBlock = str(v, "cidr", path);
    const az = str(v, "az", path, true);
    let id = s.findByName("subnets", name);
    if (!id) {
      // An AZ error points at the az key, any other at the CIDR.
      const create = (): string => createSubnet(s.ctx, { vpcId, cidrBlock, ...(az !== undefined ? { availabilityZone: az } : {}), tags: s.tags(name) }).id;
      try {
        id = create();
      } catch (e) {
        const azError = e instanceof Error && /availability zone/i.test(e.message);
        id = s.step([...path, azError ? "az" : "cidr"], () => { throw e; });
      }
      s.created.push(`subnet ${name} (${id})`);
    } else {
      const have = s.world.subnets.get(id)!;
      if (have.cidrBlock !== cidrBlock || have.vpcId !== vpcId || (az !== undefined && have.availabilityZone !== az)) {
        throw new LabError(path, `subnet '${name}' exists as ${have.cidrBlock} in ${have.availabilityZone} of ${have.vpcId}; a subnet's VPC, CIDR and AZ cannot change`);
      }
    }
    const mapPublic = bool(v, "mapPublicIp", path);
    if (mapPublic !== undefined && s.world.subnets.get(id)!.mapPublicIpOnLaunch !== mapPublic) modifySubnetAttribute(s.ctx, id, mapPublic);
  }
}

export function routeTables(s: LabSession): void {
  for (const [name, v] of s.section("routeTables")) {
    const path = ["routeTables", name];
    obj(v, path, ["vpc", "routes", "subnets", "edge", "main"]);
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    const rtbId = s.findOrCreateInVpc("routeTables", name, vpcId, path, "route table", () => createRouteTable(s.ctx, { vpcId, tags: s.tags(name) }).id);
    for (const [i, subnetName] of strList(v, "subnets", path).entries()) {
      const sp = [...path, "subnets", i];
      const subnetId = s.subnetIn(vpcId, subnetName, sp);
      const current = s.world.routeTables.inVpc(vpcId).find((t) => t.associations.some((a) => a.subnetId === subnetId));
      if (current?.id === rtbId) continue;
      s.step(sp, () => {
        if (current) replaceRouteTableAssociation(s.ctx, current.associations.find((a) => a.subnetId === subnetId)!.id, rtbId);
        else associateRouteTable(s.ctx, { routeTableId: rtbId, subnetId });
      });
      s.changed.push(`subnet ${subnetName} uses route table ${name}`);
    }
    // Edge associations: traffic entering through these gateways is routed by this table first.
    for (const [i, gatewayName] of strList(v, "edge", path).entries()) {
      const gp = [...path, "edge", i];
      const gatewayId = s.findByName("internetGateways", gatewayName) ?? s.ref("vpnGateways", gatewayName, gp);
      if (s.world.routeTables.get(rtbId)!.associations.some((a) => a.gatewayId === gatewayId)) continue;
      s.step(gp, () => associateRouteTable(s.ctx, { routeTableId: rtbId, gatewayId }));
      s.changed.push(`gateway ${gatewayName} enters through route table ${name}`);
    }
    if (bool(v, "main", path)) {
      const vpc = s.world.vpcs.get(vpcId)!;
      if (vpc.mainRouteTableId !== rtbId) {
        const mainAssoc = s.world.routeTables.get(vpc.mainRouteTableId)!.associations.find((a) => a.main)!;
        s.step([...path, "main"], () => replaceRouteTableAssociation(s.ctx, mainAssoc.id, rtbId));
        s.changed.push(`route table ${name} is the main table of its VPC`);
      }
    }
  }
}

/** Routes go in after every possible target (gateways, NAT, peering, instances, Gateway Load Balancer endpoints) exists. */
export function routes(s: LabSession): void {
  for (const [name, v] of s.section("routeTables")) {
    const path = ["routeTables", name];
    const routes = list(v, "routes", path);
    if (routes === undefined) continue;
    const rtbId = s.ref("routeTables", name, path);
    const rtb = s.world.routeTables.get(rtbId)!;
    const wanted: RouteInput[] = routes.map((r, i) => {
      const rp = [...path, "routes", i];
      const o = obj(r, rp, ["destination", "target"]);
      return { routeTableId: rtbId, destinationCidrBlock: str(o, "destination", rp), ...routeTarget(s, str(o, "target", rp), [...rp, "target"]) };
    });
    for (const [i, want] of wanted.entries()) {
      const rp = [...path, "routes", i];
      const have = rtb.routes.find((r) => r.destinationCidrBlock === want.destinationCidrBlock);
      const same = have && (["gatewayId", "natGatewayId", "vpcPeeringConnectionId", "networkInterfaceId", "vpcEndpointId"] as const).every((k) => have[k] === want[k] || (k === "networkInterfaceId" && want.instanceId !== undefined && have.instanceId === want.instanceId));
      if (same) continue;
      s.step(rp, () => (have ? replaceRoute(s.ctx, want) : createRoute(s.ctx, want)));
      s.changed.push(`route table ${name}: ${want.destinationCidrBlock} → ${targetOf(want)}`);
    }
    for (const r of [...rtb.routes]) {
      if (r.origin === "CreateRoute" && r.destinationCidrBlock && r.gatewayId !== "local" && !wanted.some((w) => w.destinationCidrBlock === r.destinationCidrBlock)) {
        deleteRoute(s.ctx, { routeTableId: rtbId, destinationCidrBlock: r.destinationCidrBlock });
        s.changed.push(`route table ${name}: removed ${r.destinationCidrBlock}`);
      }
    }
  }
}

function routeTarget(s: LabSession, target: string, path: Path): Partial<RouteInput> {
  if (target === "local") throw new LabError(path, "the local route exists with the VPC and cannot be declared");
  const byId = LabSession.isId(target) ? /^(igw|vgw|nat|pcx|eni|i|vpce)-/.exec(target)?.[1] : undefined;
  const lookups: [Kind, (id: string) => Partial<RouteInput>][] = [
    ["internetGateways", (id) => ({ gatewayId: id })],
    ["vpnGateways", (id) => ({ gatewayId: id })],
    ["natGateways", (id) => ({ natGatewayId: id })],
    ["peeringConnections", (id) => ({ vpcPeeringConnectionId: id })],
    ["instances", (id) => ({ instanceId: id })],
    // Only a Gateway Load Balancer endpoint can be a route target; CreateRoute says so for others.
    ["vpcEndpoints", (id) => ({ vpcEndpointId: id })],
  ];
  for (const [kind, make] of lookups) {
    const id = s.findByName(kind, target);
    if (id) return make(id);
  }
  if (byId) {
    const field = { igw: "gatewayId", vgw: "gatewayId", nat: "natGatewayId", pcx: "vpcPeeringConnectionId", eni: "networkInterfaceId", i: "instanceId", vpce: "vpcEndpointId" }[byId];
    return { [field as string]: target };
  }
  throw new LabError(path, `no internet gateway, VPN gateway, NAT gateway, peering, instance or Gateway Load Balancer endpoint named '${target}'`);
}

export function networkAcls(s: LabSession): void {
  for (const [name, v] of s.section("networkAcls")) {
    const path = ["networkAcls", name];
    obj(v, path, ["vpc", "subnets", "inbound", "outbound"]);
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    const aclId = s.findOrCreateInVpc("networkAcls", name, vpcId, path, "network ACL", () => createNetworkAcl(s.ctx, { vpcId, tags: s.tags(name) }).id);
    // A direction whose list is omitted keeps its entries; a listed one is replaced by the list.
    const directions = (["inbound", "outbound"] as const).filter((dir) => list(v, dir, path) !== undefined);
    const entries = directions.flatMap((dir) =>
      (list(v, dir, path) ?? []).map((r, i) => {
        const rp = [...path, dir, i];
        const o = obj(r, rp, ["rule", "protocol", "port", "ports", "cidr", "action"]);
        const ruleNumber = num(o, "rule", rp);
        if (ruleNumber === undefined) throw new LabError(rp, "missing required key 'rule' (the rule number)");
        const range = ports(o, rp);
        return { rp, input: { networkAclId: aclId, ruleNumber, egress: dir === "outbound", protocol: str(o, "protocol", rp, true) ?? "tcp", ruleAction: str(o, "action", rp, true) ?? "allow", cidrBlock: str(o, "cidr", rp), ...(range ? { portRange: range } : {}) } };
      }),
    );
    const acl = s.world.networkAcls.get(aclId)!;
    const egressOf = directions.map((d) => d === "outbound");
    const before = JSON.stringify(acl.entries.filter((e) => egressOf.includes(e.egress)));
    for (const e of [...acl.entries]) {
      if (e.ruleNumber !== 32767 && egressOf.includes(e.egress)) deleteNetworkAclEntry(s.ctx, { networkAclId: aclId, ruleNumber: e.ruleNumber, egress: e.egress });
    }
    for (const { rp, input } of entries) s.step(rp, () => createNetworkAclEntry(s.ctx, input));
    const sorted = (list: typeof acl.entries): string => JSON.stringify([...list].sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber));
    if (sorted(JSON.parse(before) as typeof acl.entries) !== sorted(s.world.networkAcls.get(aclId)!.entries.filter((e) => egressOf.includes(e.egress))) && !s.created.some((c) => c.includes(`(${aclId})`))) {
      s.changed.push(`network ACL ${name}: rules updated`);
    }
    for (const [i, subnetName] of strList(v, "subnets", path).entries()) {
      const subnetId = s.subnetIn(vpcId, subnetName, [...path, "subnets", i]);
      const current = s.world.networkAcls.inVpc(vpcId).find((a) => a.associations.some((x) => x.subnetId === subnetId))!;
      if (current.id === aclId) continue;
      s.step([...path, "subnets", i], () => replaceNetworkAclAssociation(s.ctx, current.associations.find((x) => x.subnetId === subnetId)!.id, aclId));
      s.changed.push(`subnet ${subnetName} uses network ACL ${name}`);
    }
  }
}

export function peerings(s: LabSession): void {
  for (const [name, v] of s.section("peerings")) {
    const path = ["peerings", name];
    obj(v, path, ["vpc", "peerVpc"]);
    if (s.findByName("peeringConnections", name)) continue;
    const vpcId = s.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
    const peerVpcId = s.ref("vpcs", str(v, "peerVpc", path), [...path, "peerVpc"]);
    const id = s.step(path, () => {
      const pcx = createVpcPeeringConnection(s.ctx, { vpcId, peerVpcId, tags: s.tags(name) });
      if (pcx.status === "failed") throw new LabError(path, `the peering connection failed: ${pcx.statusMessage ?? ""}`);
      acceptVpcPeeringConnection(s.ctx, pcx.id);
      return pcx.id;
    });
    s.created.push(`peering ${name} (${id})`);
  }
}

export function onPremises(s: LabSession): void {
  for (const [name, v] of s.section("onPremises")) {
    const path = ["onPremises", name];
    obj(v, path, ["vpnGateway", "cidrs", "customerGatewayIp", "propagateTo"]);
    const vgwId = s.ref("vpnGateways", str(v, "vpnGateway", path), [...path, "vpnGateway"]);
    if (!s.findByName("vpnConnections", name)) {
      const cidrs = strList(v, "cidrs", path);
      if (cidrs.length === 0) throw new LabError([...path, "cidrs"], "an on-premises network needs at least one CIDR");
      const id = s.step([...path, "cidrs"], () => createVpnConnection(s.ctx, { vpnGatewayId: vgwId, customerGatewayIp: str(v, "customerGatewayIp", path, true) ?? "203.0.113.10", staticRoutes: cidrs, tags: s.tags(name) }).id);
      s.created.push(`on-premises network ${name} (${id})`);
    }
    for (const [i, rtName] of strList(v, "propagateTo", path).entries()) {
      const rtbId = s.ref("routeTables", rtName, [...path, "propagateTo", i]);
      if (!s.world.routeTables.get(rtbId)!.propagatingVgws.includes(vgwId)) s.step([...path, "propagateTo", i], () => setVgwRoutePropagation(s.ctx, rtbId, vgwId, true));
    }
  }
}
