// A target's health as its load balancer would see it, decided from the network alone (and, when
// a data plane probes them, from the real backends). Pure: DescribeTargetHealth and traces call it.
// States and reasons are AWS's ("Target health status", Network Load Balancers guide).
import { backendFor } from "../model/backends.js";
import type { LoadBalancer, LoadBalancerZone, Target, TargetGroup } from "../model/loadBalancing.js";
import { containsIp, parseCidr, parseIpv4 } from "../model/net.js";
import type { NetworkAcl, NetworkInterface } from "../model/types.js";
import type { World } from "../model/world.js";
import { EPHEMERAL, evaluateAcl, evaluateSecurityGroups } from "./filters.js";

export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

/** One reason a health check from one load balancer node fails: what blocks it, for people and traces. */
export interface HealthCheckFailure {
  kind: "no-host" | "load-balancer-security-group" | "target-security-group" | "network-acl" | "backend-down";
  /** The node whose checks fail (its private address) and the component that blocks them. */
  nodeIp: string;
  componentId: string;
  description: string;
}

export interface TargetHealthResult {
  state: TargetHealthState;
  reason?: string;
  description?: string;
  /** The load balancer that uses the group (a network load balancer's group serves only one). */
  loadBalancerArn?: string;
  /** The port health checks go to: the target's own when the group says "traffic-port". */
  healthCheckPort: string;
  /** The target's Availability Zone ("all" for an ip target outside the VPC), when known. */
  availabilityZone?: string;
  failures?: HealthCheckFailure[];
}

/** The load balancer whose listener forwards to the group, if any. */
export function loadBalancerOf(world: World, tg: TargetGroup): LoadBalancer | undefined {
  const l = world.listeners.inVpc(tg.vpcId).find((x) => x.defaultActions.some((a) => a.targetGroupArn === tg.id));
  return l ? world.loadBalancers.get(l.loadBalancerArn) : undefined;
}

function aclOf(world: World, vpcId: string, subnetId: string): NetworkAcl | undefined {
  return world.networkAcls.inVpc(vpcId).find((a) => a.associations.some((x) => x.subnetId === subnetId));
}

/** Where the target is: its network interface (if one has the address) and its Availability Zone. */
function locate(world: World, tg: TargetGroup, t: Target): { ip?: string; eni?: NetworkInterface; az?: string; invalidState?: string } {
  if (tg.targetType === "instance") {
    const inst = world.instances.get(t.id);
    if (!inst || inst.state !== "running") return { invalidState: inst?.state ?? "terminated", ...(inst ? { az: inst.availabilityZone } : {}) };
    return { ip: inst.privateIpAddress, az: inst.availabilityZone, ...(world.networkInterfaces.has(inst.networkInterfaceId) ? { eni: world.networkInterfaces.get(inst.networkInterfaceId)! } : {}) };
  }
  if (t.availabilityZone === "all") return { ip: t.id, az: "all" };
  const n = parseIpv4(t.id);
  const subnet = n === undefined ? undefined : world.subnets.inVpc(tg.vpcId).find((s) => containsIp(parseCidr(s.cidrBlock)!, n));
  const eni = world.networkInterfaces.inVpc(tg.vpcId).find((e) => e.privateIpAddress === t.id);
  return { ip: t.id, ...(subnet ? { az: subnet.availabilityZone } : {}), ...(eni ? { eni } : {}) };
}

/** Why the checks from one node to the target fail on the network, if they do. */
function nodeFailures(world: World, lb: LoadBalancer, zone: LoadBalancerZone, target: NetworkInterface, port: number): HealthCheckFailure[] {
  const node = world.networkInterfaces.get(zone.networkInterfaceId);
  const nodeIp = zone.privateIpv4Address;
  const nodeN = parseIpv4(nodeIp)!;
  const targetN = parseIpv4(target.privateIpAddress)!;
  const out: HealthCheckFailure[] = [];
  const fail = (kind: HealthCheckFailure["kind"], componentId: string, description: string): void => {
    out.push({ kind, nodeIp, componentId, description });
  };
  // A network load balancer with security groups applies their outbound rules to its health checks.
  if (node && lb.securityGroupIds.length > 0 && !evaluateSecurityGroups(world, node, true, targetN, "tcp", port, target).allowed) {
    fail("load-balancer-security-group", lb.securityGroupIds[0]!, `the load balancer's security groups (${lb.securityGroupIds.join(", ")}) do not allow outbound TCP ${port} to ${target.privateIpAddress}`);
  }
  if (!evaluateSecurityGroups(world, target, false, nodeN, "tcp", port, node).allowed) {
    const byGroup = lb.securityGroupIds.length > 0 ? ` or from the load balancer's security group ${lb.securityGroupIds[0]}` : "";
    fail("target-security-group", target.groupIds[0] ?? target.id, `the security groups of ${target.id} (${target.groupIds.join(", ") || "none"}) do not allow inbound TCP ${port} from the load balancer node ${nodeIp}${byGroup}`);
  }
  // Network ACLs filter only traffic that crosses a subnet boundary; each direction is checked, the reply against the node's source ports.
  if (zone.subnetId !== target.subnetId) {
    const checks: [string, boolean, number, { from: number; to: number }, string][] = [
      [zone.subnetId, true, targetN, { from: port, to: port }, `outbound TCP ${port} to ${target.privateIpAddress}`],
      [target.subnetId, false, nodeN, { from: port, to: port }, `inbound TCP ${port} from ${nodeIp}`],
      [target.subnetId, true, nodeN, EPHEMERAL.wide, `outbound replies (TCP ${EPHEMERAL.wide.from}-${EPHEMERAL.wide.to}) to ${nodeIp}`],
      [zone.subnetId, false, targetN, EPHEMERAL.wide, `inbound replies (TCP ${EPHEMERAL.wide.from}-${EPHEMERAL.wide.to}) from ${target.privateIpAddress}`],
    ];
    for (const [subnetId, egress, peer, ports, what] of checks) {
      const acl = aclOf(world, target.vpcId, subnetId);
      if (acl && !evaluateAcl(acl, egress, peer, "tcp", ports).allowed) fail("network-acl", acl.id, `network ACL ${acl.id} of ${subnetId} does not allow ${what}`);
    }
  }
  return out;
}

/**
 * The health AWS would report for one target of a group. unused when no load balancer uses the
 * group, when the target's zone is not enabled on it, or when an instance is not running;
 * unhealthy when the checks from any node cannot reach the target (AWS advises admitting the
 * whole VPC CIDR because every node checks every target) or the real backend is known down;
 * healthy otherwise. `backendHealth("host:port")` false means down, undefined unknown.
 */
export function targetHealth(world: World, tg: TargetGroup, target: Target, backendHealth?: (address: string) => boolean | undefined): TargetHealthResult {
  const hcPort = tg.healthCheck.port === "traffic-port" ? target.port : Number(tg.healthCheck.port);
  const base = { healthCheckPort: String(hcPort) };
  if (!tg.targets.some((x) => x.id === target.id && x.port === target.port)) {
    return { ...base, state: "unused", reason: "Target.NotRegistered", description: "Target is not registered to the target group" };
  }
  const where = locate(world, tg, target);
  const located = { ...base, ...(where.az !== undefined ? { availabilityZone: where.az } : {}) };
  const lb = loadBalancerOf(world, tg);
  if (!lb) return { ...located, state: "unused", reason: "Target.NotInUse", description: "Target group is not configured to receive traffic from the load balancer" };
  const withLb = { ...located, loadBalancerArn: lb.id };
  if (where.az !== undefined && where.az !== "all" && !lb.zones.some((z) => z.zoneName === where.az)) {
    return { ...withLb, state: "unused", reason: "Target.NotInUse", description: "Target is in an Availability Zone that is not enabled for the load balancer" };
  }
  if (where.invalidState !== undefined) {
    return { ...withLb, state: "unused", reason: "Target.InvalidState", description: `Target is in the ${where.invalidState} state` };
  }
  if (lb.zones.some((z) => z.privateIpv4Address === where.ip)) {
    return { ...withLb, state: "unused", reason: "Target.IpUnusable", description: "The IP address cannot be used as a target, as it is in use by a load balancer" };
  }
  const failures: HealthCheckFailure[] = [];
  if (where.eni) {
    for (const z of lb.zones) failures.push(...nodeFailures(world, lb, z, where.eni, hcPort));
    const backend = backendFor(world, tg.vpcId, where.eni.privateIpAddress, hcPort);
    if (backend.found && backendHealth?.(`${backend.backend.host}:${backend.backend.port}`) === false) {
      failures.push({ kind: "backend-down", nodeIp: lb.zones[0]?.privateIpv4Address ?? "", componentId: backend.taggedOn, description: `the real server ${backend.backend.host}:${backend.backend.port} behind ${backend.taggedOn} does not answer` });
    }
  } else if (where.az !== "all") {
    // An address in the VPC that no network interface holds: nothing answers the checks.
    failures.push({ kind: "no-host", nodeIp: lb.zones[0]?.privateIpv4Address ?? "", componentId: tg.vpcId, description: `no network interface in ${tg.vpcId} has the address ${target.id}` });
  }
  if (failures.length > 0) {
    return { ...withLb, state: "unhealthy", reason: "Target.FailedHealthChecks", description: `Health checks failed: ${failures[0]!.description}`, failures };
  }
  return { ...withLb, state: "healthy" };
}
