// `vpclab apply FILE`: makes the world match a declarative lab file, by name. Resources are found
// by their Name tag; missing ones are created, declared attributes are reconciled, nothing
// undeclared is deleted. Everything goes through the control operations (so AWS's validation
// applies) on a copy of the world, which replaces the original only if every step succeeded.
import { type Document, parseDocument } from "yaml";
import { isAwsError } from "../model/errors.js";
import { IdGenerator } from "../model/ids.js";
import { World, COLLECTION_NAMES } from "../model/world.js";
import type { Tag } from "../model/types.js";
import { findPrefixList, findRegion, prefixListsIn, regions } from "../model/catalog/index.js";
import type { Ctx } from "../control/context.js";
import { createVpc, modifyVpcAttribute } from "../control/vpcs.js";
import { createSubnet, modifySubnetAttribute } from "../control/subnets.js";
import { associateRouteTable, createRoute, createRouteTable, deleteRoute, replaceRoute, replaceRouteTableAssociation, setVgwRoutePropagation, type RouteInput } from "../control/routeTables.js";
import { allocateAddress, attachInternetGateway, attachVpnGateway, createInternetGateway, createNatGateway, createVpnConnection, createVpnGateway } from "../control/gateways.js";
import { createSecurityGroup, replaceRules, type IpPermission } from "../control/securityGroups.js";
import { createNetworkAcl, createNetworkAclEntry, deleteNetworkAclEntry, replaceNetworkAclAssociation } from "../control/networkAcls.js";
import { modifyNetworkInterface, runInstances } from "../control/instances.js";
import { createVpcEndpoint, modifyVpcEndpoint } from "../control/endpoints.js";
import { acceptVpcPeeringConnection, createVpcPeeringConnection } from "../control/peering.js";
import { LabError, type Obj, type Path, bool, isObj, list, num, obj, ports, str, strList } from "./reader.js";
import { LineCounter, locate } from "./position.js";

const SECTIONS = ["region", "account", "seed", "description", "vpcs", "internetGateways", "vpnGateways", "subnets", "routeTables", "securityGroups", "networkAcls", "instances", "natGateways", "peerings", "onPremises", "endpoints"] as const;

export interface ApplyResult { world: World; created: string[]; changed: string[] }

/** A lab-file error with its position, already formatted as `file:line:col: key.path: message`. */
export class LabFileError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = "LabFileError";
  }
}

export function applyLab(world: World, text: string, file: string): ApplyResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = counter.linePos(e.pos[0]);
    throw new LabFileError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
  const at = (path: Path): string => {
    const pos = locate(doc, counter, path);
    return `${file}${pos ? `:${pos.line}:${pos.col}` : ""}: ${path.join(".")}`;
  };
  try {
    return new Applier(world.clone(), doc).run();
  } catch (e) {
    if (e instanceof LabError) throw new LabFileError(`${at(e.path)}: ${e.code ? `${e.code}: ` : ""}${e.message}`, e.code);
    throw e;
  }
}

/** A literal AWS id in a lab file (names take precedence: a gateway may well be called igw-a). */
const ID = /^[a-z]+-([0-9a-f]{8}|[0-9a-f]{17})$/;

type Kind = "vpcs" | "subnets" | "routeTables" | "internetGateways" | "natGateways" | "securityGroups" | "networkAcls" | "instances" | "vpcEndpoints" | "peeringConnections" | "vpnGateways" | "vpnConnections";

class Applier {
  private readonly created: string[] = [];
  private readonly changed: string[] = [];
  private readonly spec: Obj;
  private ctx!: Ctx;

  constructor(private world: World, doc: Document) {
    this.spec = obj(doc.toJS() as unknown, [], SECTIONS);
  }

  run(): ApplyResult {
    const region = str(this.spec, "region", []);
    const account = str(this.spec, "account", [], true) ?? "000000000000";
    if (!/^\d{12}$/.test(account)) throw new LabError(["account"], "account must be a 12-digit AWS account id");
    const seed = str(this.spec, "seed", [], true);
    if (seed !== undefined && COLLECTION_NAMES.every((c) => this.world.collection(c).size === 0)) {
      const fresh = new World(IdGenerator.fresh(seed));
      this.world = fresh;
    }
    this.ctx = { world: this.world, account, region };
    if (!findRegion(region)) {
      throw new LabError(["region"], `unknown region '${region}'; vpclab knows ${regions().map((r) => r.name).join(", ")}`);
    }
    this.vpcs();
    this.internetGateways();
    this.vpnGateways();
    this.subnets();
    this.routeTables();
    this.securityGroups();
    this.networkAcls();
    this.instances();
    this.natGateways();
    this.peerings();
    this.onPremises();
    this.routes();
    this.endpoints();
    return { world: this.world, created: this.created, changed: this.changed };
  }

  /** Runs one step; an AWS error becomes a lab error pointing at the key being applied. */
  private step<T>(path: Path, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isAwsError(e)) throw new LabError(path, e.message, e.code);
      throw e;
    }
  }

  private section(name: string): [string, Obj][] {
    const s = obj(this.spec[name], [name]);
    return Object.entries(s).map(([k, v]) => [k, obj(v, [name, k])]);
  }

  private findByName(kind: Kind, name: string): string | undefined {
    for (const r of this.world.collection(kind).values()) {
      if (r.ownerId === this.ctx.account && r.region === this.ctx.region && r.tags.some((t) => t.key === "Name" && t.value === name)) {
        if (kind === "instances" && (r as { state?: string }).state === "terminated") continue;
        if (kind === "natGateways" && (r as { state?: string }).state === "deleted") continue;
        if (kind === "peeringConnections" && (r as { status?: string }).status === "deleted") continue;
        return r.id;
      }
    }
    return undefined;
  }

  /** A reference in the file: a name declared (or existing) in the lab, or a literal AWS id. */
  private ref(kind: Kind, name: string, path: Path): string {
    const id = this.findByName(kind, name) ?? (ID.test(name) ? name : undefined);
    if (!id) throw new LabError(path, `no ${kind.replace(/s$/, "")} named '${name}'`);
    return id;
  }

  private tags(name: string): Tag[] {
    return [{ key: "Name", value: name }];
  }

  private vpcs(): void {
    for (const [name, v] of this.section("vpcs")) {
      const path = ["vpcs", name];
      obj(v, path, ["cidr", "dnsSupport", "dnsHostnames"]);
      const cidrBlock = str(v, "cidr", path);
      let id = this.findByName("vpcs", name);
      if (!id) {
        id = this.step([...path, "cidr"], () => createVpc(this.ctx, { cidrBlock, tags: this.tags(name) }).id);
        this.created.push(`vpc ${name} (${id})`);
      } else if (this.world.vpcs.get(id)!.cidrBlock !== cidrBlock) {
        throw new LabError([...path, "cidr"], `vpc '${name}' exists with CIDR ${this.world.vpcs.get(id)!.cidrBlock}; a VPC's CIDR cannot change (run 'vpclab reset' to start over)`);
      }
      const vpc = this.world.vpcs.get(id)!;
      for (const [key, attr] of [["dnsSupport", "enableDnsSupport"], ["dnsHostnames", "enableDnsHostnames"]] as const) {
        const want = bool(v, key, path) ?? (key === "dnsSupport");
        if (vpc[attr] !== want) {
          modifyVpcAttribute(this.ctx, id, attr, want);
          this.changed.push(`vpc ${name}: ${attr}=${want}`);
        }
      }
    }
  }

  private internetGateways(): void {
    for (const [name, v] of this.section("internetGateways")) {
      const path = ["internetGateways", name];
      obj(v, path, ["vpc"]);
      let id = this.findByName("internetGateways", name);
      if (!id) {
        id = createInternetGateway(this.ctx, { tags: this.tags(name) }).id;
        this.created.push(`internet gateway ${name} (${id})`);
      }
      const vpcName = str(v, "vpc", path, true);
      if (vpcName !== undefined) {
        const vpcId = this.ref("vpcs", vpcName, [...path, "vpc"]);
        const igw = this.world.internetGateways.get(id)!;
        if (!igw.attachments.some((a) => a.vpcId === vpcId)) this.step([...path, "vpc"], () => attachInternetGateway(this.ctx, id, vpcId));
      }
    }
  }

  private vpnGateways(): void {
    for (const [name, v] of this.section("vpnGateways")) {
      const path = ["vpnGateways", name];
      obj(v, path, ["vpc", "routePropagation"]);
      let id = this.findByName("vpnGateways", name);
      if (!id) {
        id = createVpnGateway(this.ctx, { tags: this.tags(name) }).id;
        this.created.push(`vpn gateway ${name} (${id})`);
      }
      const vpcName = str(v, "vpc", path, true);
      if (vpcName !== undefined) {
        const vpcId = this.ref("vpcs", vpcName, [...path, "vpc"]);
        if (!this.world.vpnGateways.get(id)!.attachments.some((a) => a.vpcId === vpcId)) this.step([...path, "vpc"], () => attachVpnGateway(this.ctx, id, vpcId));
      }
    }
  }

  private subnets(): void {
    for (const [name, v] of this.section("subnets")) {
      const path = ["subnets", name];
      obj(v, path, ["vpc", "cidr", "az", "routeTable", "mapPublicIp"]);
      const vpcId = this.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
      const cidrBlock = str(v, "cidr", path);
      const az = str(v, "az", path, true);
      let id = this.findByName("subnets", name);
      if (!id) {
        id = this.step([...path, az !== undefined ? "az" : "cidr"], () => {
          // Check the CIDR first so that its error points at the CIDR, then the AZ.
          return createSubnet(this.ctx, { vpcId, cidrBlock, ...(az !== undefined ? { availabilityZone: az } : {}), tags: this.tags(name) }).id;
        });
        this.created.push(`subnet ${name} (${id})`);
      } else {
        const s = this.world.subnets.get(id)!;
        if (s.cidrBlock !== cidrBlock || s.vpcId !== vpcId || (az !== undefined && s.availabilityZone !== az)) {
          throw new LabError(path, `subnet '${name}' exists as ${s.cidrBlock} in ${s.availabilityZone} of ${s.vpcId}; a subnet's VPC, CIDR and AZ cannot change`);
        }
      }
      const mapPublic = bool(v, "mapPublicIp", path);
      if (mapPublic !== undefined && this.world.subnets.get(id)!.mapPublicIpOnLaunch !== mapPublic) modifySubnetAttribute(this.ctx, id, mapPublic);
    }
  }

  private routeTables(): void {
    for (const [name, v] of this.section("routeTables")) {
      const path = ["routeTables", name];
      obj(v, path, ["vpc", "routes", "subnets", "main"]);
      const vpcId = this.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
      let id = this.findByName("routeTables", name);
      if (!id) {
        id = this.step(path, () => createRouteTable(this.ctx, { vpcId, tags: this.tags(name) }).id);
        this.created.push(`route table ${name} (${id})`);
      }
      const rtbId = id;
      for (const [i, subnetName] of strList(v, "subnets", path).entries()) {
        const sp = [...path, "subnets", i];
        const subnetId = this.ref("subnets", subnetName, sp);
        const current = [...this.world.routeTables.values()].find((t) => t.associations.some((a) => a.subnetId === subnetId));
        if (current?.id === rtbId) continue;
        this.step(sp, () => {
          if (current) replaceRouteTableAssociation(this.ctx, current.associations.find((a) => a.subnetId === subnetId)!.id, rtbId);
          else associateRouteTable(this.ctx, { routeTableId: rtbId, subnetId });
        });
        this.changed.push(`subnet ${subnetName} uses route table ${name}`);
      }
      if (bool(v, "main", path)) {
        const vpc = this.world.vpcs.get(vpcId)!;
        if (vpc.mainRouteTableId !== rtbId) {
          const mainAssoc = this.world.routeTables.get(vpc.mainRouteTableId)!.associations.find((a) => a.main)!;
          replaceRouteTableAssociation(this.ctx, mainAssoc.id, rtbId);
        }
      }
    }
  }

  /** Routes go in after every possible target (gateways, NAT, peering, instances) exists. */
  private routes(): void {
    for (const [name, v] of this.section("routeTables")) {
      const path = ["routeTables", name];
      const routes = list(v, "routes", path);
      if (routes === undefined) continue;
      const rtbId = this.ref("routeTables", name, path);
      const rtb = this.world.routeTables.get(rtbId)!;
      const wanted: RouteInput[] = routes.map((r, i) => {
        const rp = [...path, "routes", i];
        const o = obj(r, rp, ["destination", "target"]);
        return { routeTableId: rtbId, destinationCidrBlock: str(o, "destination", rp), ...this.routeTarget(str(o, "target", rp), [...rp, "target"]) };
      });
      for (const [i, want] of wanted.entries()) {
        const rp = [...path, "routes", i];
        const have = rtb.routes.find((r) => r.destinationCidrBlock === want.destinationCidrBlock);
        const same = have && (["gatewayId", "natGatewayId", "vpcPeeringConnectionId", "networkInterfaceId"] as const).every((k) => have[k] === want[k] || (k === "networkInterfaceId" && want.instanceId !== undefined && have.instanceId === want.instanceId));
        if (same) continue;
        this.step(rp, () => (have ? replaceRoute(this.ctx, want) : createRoute(this.ctx, want)));
        const target = want.gatewayId ?? want.natGatewayId ?? want.vpcPeeringConnectionId ?? want.instanceId ?? want.networkInterfaceId ?? "";
        this.changed.push(`route table ${name}: ${want.destinationCidrBlock} → ${target}`);
      }
      for (const r of [...rtb.routes]) {
        if (r.origin === "CreateRoute" && r.destinationCidrBlock && r.gatewayId !== "local" && !wanted.some((w) => w.destinationCidrBlock === r.destinationCidrBlock)) {
          deleteRoute(this.ctx, { routeTableId: rtbId, destinationCidrBlock: r.destinationCidrBlock });
          this.changed.push(`route table ${name}: removed ${r.destinationCidrBlock}`);
        }
      }
    }
  }

  private routeTarget(target: string, path: Path): Partial<RouteInput> {
    if (target === "local") throw new LabError(path, "the local route exists with the VPC and cannot be declared");
    const byId = ID.test(target) ? /^(igw|vgw|nat|pcx|eni|i|vpce)-/.exec(target)?.[1] : undefined;
    const lookups: [Kind, (id: string) => Partial<RouteInput>][] = [
      ["internetGateways", (id) => ({ gatewayId: id })],
      ["vpnGateways", (id) => ({ gatewayId: id })],
      ["natGateways", (id) => ({ natGatewayId: id })],
      ["peeringConnections", (id) => ({ vpcPeeringConnectionId: id })],
      ["instances", (id) => ({ instanceId: id })],
    ];
    for (const [kind, make] of lookups) {
      const id = this.findByName(kind, target);
      if (id) return make(id);
    }
    if (byId) {
      const field = { igw: "gatewayId", vgw: "gatewayId", nat: "natGatewayId", pcx: "vpcPeeringConnectionId", eni: "networkInterfaceId", i: "instanceId", vpce: "vpcEndpointId" }[byId];
      return { [field as string]: target };
    }
    throw new LabError(path, `no internet gateway, VPN gateway, NAT gateway, peering or instance named '${target}'`);
  }

  private permissions(rules: unknown[] | undefined, path: Path, vpcId: string): IpPermission[] {
    return (rules ?? []).map((r, i) => {
      const rp = [...path, i];
      const o = obj(r, rp, ["protocol", "port", "ports", "cidr", "group", "prefixList", "description"]);
      const protocol = str(o, "protocol", rp, true) ?? "tcp";
      const range = ports(o, rp);
      const perm: IpPermission = { ipProtocol: protocol, ...(range ? { fromPort: range.from, toPort: range.to } : {}) };
      const cidr = str(o, "cidr", rp, true);
      const group = str(o, "group", rp, true);
      const pl = str(o, "prefixList", rp, true);
      if ([cidr, group, pl].filter((x) => x !== undefined).length !== 1) throw new LabError(rp, "a rule needs exactly one of 'cidr', 'group' or 'prefixList'");
      if (cidr !== undefined) perm.ipRanges = [{ cidrIp: cidr, ...(str(o, "description", rp, true) ? { description: str(o, "description", rp) } : {}) }];
      if (group !== undefined) perm.groupIds = [this.sgRef(group, vpcId, [...rp, "group"])];
      if (pl !== undefined) {
        const id = pl.startsWith("pl-") ? pl : prefixListsIn(this.ctx.region).find((p) => p.name === pl)?.id;
        if (!id || !findPrefixList(this.ctx.region, id)) throw new LabError([...rp, "prefixList"], `no prefix list '${pl}' in ${this.ctx.region}`);
        perm.prefixListIds = [id];
      }
      if ((protocol === "tcp" || protocol === "udp") && !range) throw new LabError(rp, `a ${protocol} rule needs 'port' or 'ports'`);
      return perm;
    });
  }

  /** Security groups by name are per VPC; `default` is the VPC's default group. */
  private sgRef(name: string, vpcId: string, path: Path): string {
    if (name.startsWith("sg-")) return name;
    if (name === "default") return this.world.vpcs.get(vpcId)!.defaultSecurityGroupId;
    return this.ref("securityGroups", name, path);
  }

  private securityGroups(): void {
    const groups = this.section("securityGroups");
    for (const [name, v] of groups) {
      const path = ["securityGroups", name];
      obj(v, path, ["vpc", "description", "ingress", "egress"]);
      const vpcId = this.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
      if (!this.findByName("securityGroups", name)) {
        const id = this.step(path, () => createSecurityGroup(this.ctx, { groupName: name, description: str(v, "description", path, true) ?? name, vpcId, tags: this.tags(name) }).id);
        this.created.push(`security group ${name} (${id})`);
      }
    }
    for (const [name, v] of groups) {
      const path = ["securityGroups", name];
      const id = this.ref("securityGroups", name, path);
      const vpcId = this.world.securityGroups.get(id)!.vpcId;
      const ingress = this.permissions(list(v, "ingress", path), [...path, "ingress"], vpcId);
      const egressRules = list(v, "egress", path);
      const egress = egressRules === undefined ? [{ ipProtocol: "-1", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }] : this.permissions(egressRules, [...path, "egress"], vpcId);
      const before = this.world.securityGroups.get(id)!.rules.map((r) => r.id).join();
      this.step([...path, "ingress"], () => replaceRules(this.ctx, id, false, ingress));
      this.step([...path, "egress"], () => replaceRules(this.ctx, id, true, egress));
      const after = this.world.securityGroups.get(id)!.rules.map((r) => r.id).join();
      if (before !== after && !this.created.some((c) => c.includes(`(${id})`))) this.changed.push(`security group ${name}: rules updated`);
    }
  }

  private networkAcls(): void {
    for (const [name, v] of this.section("networkAcls")) {
      const path = ["networkAcls", name];
      obj(v, path, ["vpc", "subnets", "inbound", "outbound"]);
      const vpcId = this.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
      let id = this.findByName("networkAcls", name);
      if (!id) {
        id = this.step(path, () => createNetworkAcl(this.ctx, { vpcId, tags: this.tags(name) }).id);
        this.created.push(`network ACL ${name} (${id})`);
      }
      const aclId = id;
      const entries = (["inbound", "outbound"] as const).flatMap((dir) =>
        (list(v, dir, path) ?? []).map((r, i) => {
          const rp = [...path, dir, i];
          const o = obj(r, rp, ["rule", "protocol", "port", "ports", "cidr", "action"]);
          const ruleNumber = num(o, "rule", rp);
          if (ruleNumber === undefined) throw new LabError(rp, "missing required key 'rule' (the rule number)");
          const range = ports(o, rp);
          return { rp, input: { networkAclId: aclId, ruleNumber, egress: dir === "outbound", protocol: str(o, "protocol", rp, true) ?? "tcp", ruleAction: str(o, "action", rp, true) ?? "allow", cidrBlock: str(o, "cidr", rp), ...(range ? { portRange: range } : {}) } };
        }),
      );
      const acl = this.world.networkAcls.get(aclId)!;
      for (const e of [...acl.entries]) if (e.ruleNumber !== 32767) deleteNetworkAclEntry(this.ctx, { networkAclId: aclId, ruleNumber: e.ruleNumber, egress: e.egress });
      for (const { rp, input } of entries) this.step(rp, () => createNetworkAclEntry(this.ctx, input));
      for (const [i, subnetName] of strList(v, "subnets", path).entries()) {
        const subnetId = this.ref("subnets", subnetName, [...path, "subnets", i]);
        const current = [...this.world.networkAcls.values()].find((a) => a.associations.some((x) => x.subnetId === subnetId))!;
        if (current.id !== aclId) this.step([...path, "subnets", i], () => replaceNetworkAclAssociation(this.ctx, current.associations.find((x) => x.subnetId === subnetId)!.id, aclId));
      }
    }
  }

  private instances(): void {
    for (const [name, v] of this.section("instances")) {
      const path = ["instances", name];
      obj(v, path, ["subnet", "privateIp", "publicIp", "securityGroups", "instanceType", "sourceDestCheck"]);
      const subnetId = this.ref("subnets", str(v, "subnet", path), [...path, "subnet"]);
      const vpcId = this.world.subnets.get(subnetId)!.vpcId;
      const groups = strList(v, "securityGroups", path).map((g, i) => this.sgRef(g, vpcId, [...path, "securityGroups", i]));
      const privateIp = str(v, "privateIp", path, true);
      let id = this.findByName("instances", name);
      if (!id) {
        id = this.step([...path, privateIp !== undefined ? "privateIp" : "subnet"], () => runInstances(this.ctx, {
          subnetId, securityGroupIds: groups, tags: this.tags(name),
          ...(privateIp !== undefined ? { privateIpAddress: privateIp } : {}),
          ...(bool(v, "publicIp", path) !== undefined ? { associatePublicIpAddress: bool(v, "publicIp", path)! } : {}),
          ...(str(v, "instanceType", path, true) ? { instanceType: str(v, "instanceType", path) } : {}),
        })[0]!.id);
        this.created.push(`instance ${name} (${id})`);
      } else {
        const inst = this.world.instances.get(id)!;
        if (inst.subnetId !== subnetId || (privateIp !== undefined && inst.privateIpAddress !== privateIp)) {
          throw new LabError(path, `instance '${name}' exists in ${inst.subnetId} at ${inst.privateIpAddress}; its subnet and address cannot change`);
        }
      }
      const eniId = this.world.instances.get(id)!.networkInterfaceId;
      const eni = this.world.networkInterfaces.get(eniId)!;
      const wantGroups = groups.length ? groups : [this.world.vpcs.get(vpcId)!.defaultSecurityGroupId];
      const sdc = bool(v, "sourceDestCheck", path);
      if (wantGroups.join() !== eni.groupIds.join() || (sdc !== undefined && sdc !== eni.sourceDestCheck)) {
        this.step([...path, "securityGroups"], () => modifyNetworkInterface(this.ctx, eniId, { groupIds: wantGroups, ...(sdc !== undefined ? { sourceDestCheck: sdc } : {}) }));
      }
    }
  }

  private natGateways(): void {
    for (const [name, v] of this.section("natGateways")) {
      const path = ["natGateways", name];
      obj(v, path, ["subnet", "connectivity"]);
      const subnetId = this.ref("subnets", str(v, "subnet", path), [...path, "subnet"]);
      const connectivity = str(v, "connectivity", path, true) ?? "public";
      if (connectivity !== "public" && connectivity !== "private") throw new LabError([...path, "connectivity"], "connectivity must be 'public' or 'private'");
      const existing = this.findByName("natGateways", name);
      if (existing) {
        if (this.world.natGateways.get(existing)!.subnetId !== subnetId) throw new LabError(path, `NAT gateway '${name}' exists in another subnet; it cannot move`);
        continue;
      }
      const id = this.step(path, () => {
        const allocationId = connectivity === "public" ? allocateAddress(this.ctx, { tags: this.tags(`${name}-eip`) }).id : undefined;
        return createNatGateway(this.ctx, { subnetId, connectivityType: connectivity, tags: this.tags(name), ...(allocationId ? { allocationId } : {}) }).id;
      });
      this.created.push(`NAT gateway ${name} (${id})`);
    }
  }

  private peerings(): void {
    for (const [name, v] of this.section("peerings")) {
      const path = ["peerings", name];
      obj(v, path, ["vpc", "peerVpc"]);
      if (this.findByName("peeringConnections", name)) continue;
      const vpcId = this.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
      const peerVpcId = this.ref("vpcs", str(v, "peerVpc", path), [...path, "peerVpc"]);
      const id = this.step(path, () => {
        const pcx = createVpcPeeringConnection(this.ctx, { vpcId, peerVpcId, tags: this.tags(name) });
        if (pcx.status === "failed") throw new LabError(path, `the peering connection failed: ${pcx.statusMessage ?? ""}`);
        acceptVpcPeeringConnection(this.ctx, pcx.id);
        return pcx.id;
      });
      this.created.push(`peering ${name} (${id})`);
    }
  }

  private onPremises(): void {
    for (const [name, v] of this.section("onPremises")) {
      const path = ["onPremises", name];
      obj(v, path, ["vpnGateway", "cidrs", "customerGatewayIp", "propagateTo"]);
      const vgwId = this.ref("vpnGateways", str(v, "vpnGateway", path), [...path, "vpnGateway"]);
      if (!this.findByName("vpnConnections", name)) {
        const cidrs = strList(v, "cidrs", path);
        if (cidrs.length === 0) throw new LabError([...path, "cidrs"], "an on-premises network needs at least one CIDR");
        const id = this.step([...path, "cidrs"], () => createVpnConnection(this.ctx, { vpnGatewayId: vgwId, customerGatewayIp: str(v, "customerGatewayIp", path, true) ?? "203.0.113.10", staticRoutes: cidrs, tags: this.tags(name) }).id);
        this.created.push(`on-premises network ${name} (${id})`);
      }
      for (const [i, rtName] of strList(v, "propagateTo", path).entries()) {
        const rtbId = this.ref("routeTables", rtName, [...path, "propagateTo", i]);
        if (!this.world.routeTables.get(rtbId)!.propagatingVgws.includes(vgwId)) this.step([...path, "propagateTo", i], () => setVgwRoutePropagation(this.ctx, rtbId, vgwId, true));
      }
    }
  }

  private endpoints(): void {
    for (const [name, v] of this.section("endpoints")) {
      const path = ["endpoints", name];
      obj(v, path, ["vpc", "service", "type", "routeTables", "subnets", "securityGroups", "privateDns", "policy"]);
      const vpcId = this.ref("vpcs", str(v, "vpc", path), [...path, "vpc"]);
      const serviceName = str(v, "service", path);
      const type = str(v, "type", path, true) ?? "Gateway";
      const routeTableIds = strList(v, "routeTables", path).map((n, i) => this.ref("routeTables", n, [...path, "routeTables", i]));
      const subnetIds = strList(v, "subnets", path).map((n, i) => this.ref("subnets", n, [...path, "subnets", i]));
      const groupIds = strList(v, "securityGroups", path).map((n, i) => this.sgRef(n, vpcId, [...path, "securityGroups", i]));
      const privateDns = bool(v, "privateDns", path);
      const policyValue = v["policy"];
      const policy = policyValue === undefined ? undefined : isObj(policyValue) ? JSON.stringify(policyValue) : str(v, "policy", path);
      const existing = this.findByName("vpcEndpoints", name);
      if (!existing) {
        const id = this.step(path, () => createVpcEndpoint(this.ctx, {
          vpcId, serviceName, vpcEndpointType: type, routeTableIds, subnetIds, securityGroupIds: groupIds, tags: this.tags(name),
          ...(privateDns !== undefined ? { privateDnsEnabled: privateDns } : {}), ...(policy !== undefined ? { policyDocument: policy } : {}),
        }).id);
        this.created.push(`endpoint ${name} (${id})`);
        continue;
      }
      const ep = this.world.vpcEndpoints.get(existing)!;
      if (ep.vpcId !== vpcId || ep.serviceName !== serviceName || ep.vpcEndpointType !== type) {
        throw new LabError(path, `endpoint '${name}' exists as a ${ep.vpcEndpointType} endpoint for ${ep.serviceName} in ${ep.vpcId}; those cannot change`);
      }
      const diff = <T>(want: T[], have: T[]): [T[], T[]] => [want.filter((x) => !have.includes(x)), have.filter((x) => !want.includes(x))];
      const [addRt, removeRt] = diff(routeTableIds, ep.routeTableIds);
      const [addSn, removeSn] = diff(subnetIds, ep.subnetIds);
      const wantGroups = type === "Interface" ? (groupIds.length ? groupIds : [this.world.vpcs.get(vpcId)!.defaultSecurityGroupId]) : [];
      const [addSg, removeSg] = diff(wantGroups, ep.groupIds);
      const dnsChange = privateDns !== undefined && privateDns !== ep.privateDnsEnabled;
      const policyChange = policy !== undefined && policy !== ep.policyDocument;
      if (addRt.length + removeRt.length + addSn.length + removeSn.length + addSg.length + removeSg.length === 0 && !dnsChange && !policyChange) continue;
      this.step(path, () => modifyVpcEndpoint(this.ctx, {
        vpcEndpointId: ep.id, addRouteTableIds: addRt, removeRouteTableIds: removeRt, addSubnetIds: addSn, removeSubnetIds: removeSn,
        addSecurityGroupIds: addSg, removeSecurityGroupIds: removeSg,
        ...(dnsChange ? { privateDnsEnabled: privateDns } : {}), ...(policyChange ? { policyDocument: policy } : {}),
      }));
      this.changed.push(`endpoint ${name} (${ep.id})`);
    }
  }
}
