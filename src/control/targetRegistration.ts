// RegisterTargets and DeregisterTargets: instance targets must be the caller's running instances
// in the group's VPC; ip targets private addresses in one of the VPC's subnets, or elsewhere
// (peered VPCs, on premises) with AvailabilityZone "all". Messages are AWS's as users report them.
import { AwsError } from "../model/errors.js";
import type { Target, TargetGroup } from "../model/loadBalancing.js";
import { containsIp, isPublicIp, parseCidr, parseIpv4 } from "../model/net.js";
import type { Subnet } from "../model/types.js";
import type { World } from "../model/world.js";
import { type Ctx, find } from "./context.js";
import { getTargetGroup, validationError } from "./elbv2.js";

export interface TargetInput { id: string; port?: number; availabilityZone?: string }

function invalidTarget(message: string): AwsError {
  return new AwsError("InvalidTarget", message);
}

const quoted = (ids: string[]): string => ids.map((id) => `'${id}'`).join(", ");

/** The subnet of the group's VPC an address is in: AWS decides "in the VPC" by its subnets, not its CIDR. */
export function subnetOfIp(world: World, vpcId: string, ip: string): Subnet | undefined {
  const n = parseIpv4(ip);
  if (n === undefined) return undefined;
  return world.subnets.inVpc(vpcId).find((s) => containsIp(parseCidr(s.cidrBlock)!, n));
}

function portOf(tg: TargetGroup, t: TargetInput): number {
  const port = t.port ?? tg.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw validationError(`1 validation error detected: Value '${port}' at 'targets.member.port' failed to satisfy constraint: Member must have value between 1 and 65535`);
  }
  if (tg.protocol === "GENEVE" && port !== 6081) throw validationError("The port of targets in GENEVE target groups must be 6081");
  return port;
}

/** Checks one target against the group and returns it as it will be stored. */
function checkTarget(ctx: Ctx, tg: TargetGroup, t: TargetInput, bad: { missing: string[]; notRunning: string[]; otherVpc: string[] }): Target {
  const port = portOf(tg, t);
  if (tg.targetType === "instance") {
    if (t.availabilityZone !== undefined) throw validationError("An Availability Zone cannot be specified for targets of target groups with target type 'instance'");
    const inst = /^i-[0-9a-f]{8,17}$/.test(t.id) ? find(ctx, "instances", t.id) : undefined;
    if (!inst) bad.missing.push(t.id);
    // "If the target is an EC2 instance, it must be in the running state when you register it."
    else if (inst.state !== "running") bad.notRunning.push(t.id);
    else if (inst.vpcId !== tg.vpcId) bad.otherVpc.push(t.id);
    return { id: t.id, port };
  }
  const n = parseIpv4(t.id);
  if (n === undefined) throw validationError(`The IP address '${t.id}' is not a valid IPv4 address`);
  // "You can't specify publicly routable IP addresses" (TargetDescription reference).
  if (isPublicIp(n)) throw validationError(`The IP address '${t.id}' is not a valid target: ip targets must be private (RFC 1918 or RFC 6598) addresses`);
  const subnet = subnetOfIp(ctx.world, tg.vpcId, t.id);
  if (subnet) {
    if (t.availabilityZone !== undefined && t.availabilityZone !== subnet.availabilityZone) {
      throw validationError(`The IP address '${t.id}' is within the VPC, and cannot have its Availability Zone overridden to '${t.availabilityZone}' from '${subnet.availabilityZone}'`);
    }
    return { id: t.id, port };
  }
  if (t.availabilityZone === undefined) throw validationError(`The Availability Zone is required for IP address '${t.id}' because it is not in the VPC`);
  if (t.availabilityZone !== "all") throw validationError(`You must specify a valid Availability Zone or select 'all' for all enabled Availability zones, since the IP address '${t.id}' is outside the VPC`);
  return { id: t.id, port, availabilityZone: "all" };
}

/** Registers targets, all or none; registering a target again (same id and port) changes nothing. */
export function registerTargets(ctx: Ctx, targetGroupArn: string, targets: TargetInput[]): void {
  const tg = getTargetGroup(ctx, targetGroupArn);
  if (targets.length === 0) throw validationError("At least one target must be specified");
  const bad = { missing: [] as string[], notRunning: [] as string[], otherVpc: [] as string[] };
  const checked = targets.map((t) => checkTarget(ctx, tg, t, bad));
  if (bad.missing.length) throw invalidTarget(`The following instances do not exist: ${quoted(bad.missing)}`);
  if (bad.notRunning.length) throw invalidTarget(`The following targets are not in a running state and cannot be registered: ${quoted(bad.notRunning)}`);
  if (bad.otherVpc.length) throw invalidTarget(`The following targets are not in the target group VPC '${tg.vpcId}': ${quoted(bad.otherVpc)}`);
  for (const t of checked) {
    if (!tg.targets.some((x) => x.id === t.id && x.port === t.port)) tg.targets.push(t);
  }
}

/**
 * Deregisters targets, all or none. A target registered with a port override must be named with
 * that port; without one the group's port is meant (DeregisterTargets reference).
 */
export function deregisterTargets(ctx: Ctx, targetGroupArn: string, targets: TargetInput[]): void {
  const tg = getTargetGroup(ctx, targetGroupArn);
  if (targets.length === 0) throw validationError("At least one target must be specified");
  const keys = targets.map((t) => ({ id: t.id, port: t.port ?? tg.port }));
  const unknown = keys.filter((k) => !tg.targets.some((x) => x.id === k.id && x.port === k.port));
  if (unknown.length) {
    throw invalidTarget(`The following targets are not registered in target group '${tg.name}': ${quoted(unknown.map((k) => `${k.id}:${k.port}`))}`);
  }
  tg.targets = tg.targets.filter((x) => !keys.some((k) => k.id === x.id && k.port === x.port));
}
