// What every section of a lab file is applied with: the world being built (a copy), who is
// building it where, lookups by name, and the mapping of AWS errors to the key being applied.
import { isAwsError } from "../model/errors.js";
import type { World } from "../model/world.js";
import type { Tag } from "../model/types.js";
import type { Ctx } from "../control/context.js";
import { LabError, type Obj, type Path, obj } from "./reader.js";

/** A literal AWS id in a lab file (names take precedence: a gateway may well be called igw-a). */
const ID = /^[a-z]+-([0-9a-f]{8}|[0-9a-f]{17})$/;

export type Kind = "vpcs" | "subnets" | "routeTables" | "internetGateways" | "natGateways" | "securityGroups" | "networkAcls" | "instances" | "vpcEndpoints" | "peeringConnections" | "vpnGateways" | "vpnConnections" | "endpointServices";

/** ELBv2 resources: named by their own `name`, not a Name tag, and referred to by ARN. */
export type ElbKind = "loadBalancers" | "targetGroups";

export class LabSession {
  readonly created: string[] = [];
  readonly changed: string[] = [];

  constructor(readonly world: World, readonly ctx: Ctx, private readonly spec: Obj) {}

  /** True when a reference looks like an AWS id rather than a name. */
  static isId(text: string): boolean {
    return ID.test(text);
  }

  /**
   * The id of an existing resource with this name in the declared VPC, if any. A name found in
   * another VPC is an error: resources do not move between VPCs.
   */
  existingInVpc(kind: "routeTables" | "securityGroups" | "networkAcls", name: string, vpcId: string, path: Path): string | undefined {
    const id = this.findByName(kind, name);
    const have = id ? (this.world.collection(kind).get(id) as { vpcId: string }).vpcId : undefined;
    if (id && have !== vpcId) throw new LabError([...path, "vpc"], `'${name}' exists in ${have ?? "?"}; it cannot move to another VPC (rename it, or run 'vpclab reset')`);
    return id;
  }

  /** The named resource in the declared VPC, created (and reported) when it does not exist yet. */
  findOrCreateInVpc(kind: "routeTables" | "securityGroups" | "networkAcls", name: string, vpcId: string, path: Path, noun: string, create: () => string): string {
    const existing = this.existingInVpc(kind, name, vpcId, path);
    if (existing) return existing;
    const id = this.step(path, create);
    this.created.push(`${noun} ${name} (${id})`);
    return id;
  }

  /** A subnet by name that must be in the given VPC (route tables and ACLs take only their own VPC's subnets). */
  subnetIn(vpcId: string, name: string, path: Path): string {
    const id = this.ref("subnets", name, path);
    const subnet = this.world.subnets.get(id);
    if (subnet && subnet.vpcId !== vpcId) throw new LabError(path, `subnet '${name}' is in ${subnet.vpcId}, not in ${vpcId}`);
    return id;
  }

  /** Runs one step; an AWS error becomes a lab error pointing at the key being applied. */
  step<T>(path: Path, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isAwsError(e)) throw new LabError(path, e.message, e.code);
      throw e;
    }
  }

  section(name: string): [string, Obj][] {
    const s = obj(this.spec[name], [name]);
    return Object.entries(s).map(([k, v]) => [k, obj(v, [name, k])]);
  }

  findByName(kind: Kind, name: string): string | undefined {
    for (const r of this.world.collection(kind).values()) {
      if (r.ownerId === this.ctx.account && r.region === this.ctx.region && r.tags.some((t) => t.key === "Name" && t.value === name)) {
        if (kind === "instances" && (r as { state?: string }).state === "terminated") continue;
        if (kind === "natGateways" && (r as { state?: string }).state === "deleted") continue;
        if (kind === "peeringConnections" && (r as { status?: string }).status === "deleted") continue;
        if (kind === "endpointServices" && (r as { serviceState?: string }).serviceState === "Deleted") continue;
        return r.id;
      }
    }
    return undefined;
  }

  /** A reference in the file: a name declared (or existing) in the lab, or a literal AWS id. */
  ref(kind: Kind, name: string, path: Path): string {
    const id = this.findByName(kind, name) ?? (LabSession.isId(name) ? name : undefined);
    if (!id) {
      const elsewhere = [...this.world.collection(kind).values()].find((r) => r.tags.some((t) => t.key === "Name" && t.value === name));
      const hint = elsewhere ? `; one exists in ${elsewhere.region} (account ${elsewhere.ownerId}), but this file is for ${this.ctx.region} (account ${this.ctx.account})` : "";
      throw new LabError(path, `no ${kind.replace(/s$/, "")} named '${name}'${hint}`);
    }
    return id;
  }

  /** A load balancer or target group of this account and Region by its ELBv2 name. */
  findElb(kind: ElbKind, name: string): string | undefined {
    for (const r of this.world.collection(kind).values()) {
      if (r.ownerId === this.ctx.account && r.region === this.ctx.region && r.name === name) return r.id;
    }
    return undefined;
  }

  /** A reference to a load balancer or target group: its name, or its ARN. */
  elbRef(kind: ElbKind, name: string, path: Path): string {
    const id = this.findElb(kind, name) ?? (name.startsWith("arn:") ? name : undefined);
    if (!id) throw new LabError(path, `no ${kind === "loadBalancers" ? "load balancer" : "target group"} named '${name}' in ${this.ctx.region} (account ${this.ctx.account})`);
    return id;
  }

  /** True when this apply created the resource (so that it is not also reported as changed). */
  isNew(id: string): boolean {
    return this.created.some((c) => c.includes(`(${id})`));
  }

  tags(name: string): Tag[] {
    return [{ key: "Name", value: name }];
  }

  /** Security groups by name are per VPC; `default` is the VPC's default group. */
  sgRef(name: string, vpcId: string, path: Path): string {
    if (name.startsWith("sg-")) return name;
    if (name === "default") return this.world.vpcs.get(vpcId)!.defaultSecurityGroupId;
    return this.ref("securityGroups", name, path);
  }
}
