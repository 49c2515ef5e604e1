// Network and gateway load balancers: creation (one requester-managed node ENI per subnet, whose
// address targets see as the source), deletion (its nodes and listeners go with it) and the
// lookups others use. Attributes are loadBalancerAttributes.ts; SetSubnets and SetSecurityGroups
// loadBalancerChanges.ts.
import { AwsError } from "../model/errors.js";
import type { LoadBalancer, LoadBalancerType, LoadBalancerZone } from "../model/loadBalancing.js";
import type { ElasticIp, NetworkInterface, Subnet, Tag } from "../model/types.js";
import { allocatePublicIp, releasePublicIp } from "./addresses.js";
import { type Ctx, find, owned } from "./context.js";
import { checkArn, checkName, checkTags, elbArn, getLoadBalancer, hex16, validationError } from "./elbv2.js";
import { defaultLoadBalancerAttributes } from "./loadBalancerAttributes.js";
import { type SubnetMapping, checkIpAddressType, checkSubnetMappings } from "./loadBalancerSubnets.js";
import { createEni, deleteEni } from "./networkInterfaces.js";

export { getLoadBalancer };

export interface CreateLoadBalancerInput {
  name: string;
  type?: string;
  scheme?: string;
  subnetIds?: string[];
  subnetMappings?: SubnetMapping[];
  securityGroupIds?: string[];
  ipAddressType?: string;
  tags?: Tag[];
}

/**
 * Route 53 hosted zone ids of network load balancers' DNS names, per Region ("Elastic Load
 * Balancing endpoints and quotas", AWS General Reference, the Network Load Balancers column).
 * Gateway load balancers' names live in the same zones.
 */
const NLB_HOSTED_ZONES: Record<string, string> = {
  "us-east-1": "Z26RNL4JYFTOTI", "us-east-2": "ZLMOA37VPKANP", "us-west-2": "Z18D5FSROUN65G", "eu-west-1": "Z2IFOLAFXWLO4F",
  "eu-west-2": "ZD4D7Y8KGAS4G", "ap-northeast-1": "Z31USIVHYNEOWT", "ap-northeast-2": "ZIBE1TIR4HY56",
};

/** AWS's default quotas per Region: 50 network load balancers, 100 gateway load balancers. */
const MAX_LOAD_BALANCERS: Record<LoadBalancerType, number> = { network: 50, gateway: 100 };

function checkType(type: string | undefined): LoadBalancerType {
  if (type === "network" || type === "gateway") return type;
  if (type === undefined || type === "application") {
    // AWS's default Type is application; vpclab does not model layer 7 load balancers.
    throw validationError("vpclab models network and gateway load balancers only: pass Type network or gateway (application load balancers, AWS's default type, are not modelled)");
  }
  throw validationError(`1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [application, network, gateway]`);
}

function checkScheme(scheme: string | undefined, type: LoadBalancerType): LoadBalancer["scheme"] {
  if (scheme !== undefined && scheme !== "internal" && scheme !== "internet-facing") {
    throw validationError(`1 validation error detected: Value '${scheme}' at 'scheme' failed to satisfy constraint: Member must satisfy enum value set: [internet-facing, internal]`);
  }
  // A gateway load balancer sits inside the network: it has no public side and no scheme to choose.
  if (type === "gateway") {
    if (scheme !== undefined) throw validationError("Scheme is not supported for Gateway Load Balancers");
    return "internal";
  }
  return scheme ?? "internet-facing";
}

/** Whether an existing load balancer was made with these settings: CreateLoadBalancer is idempotent for those. */
function sameSettings(lb: LoadBalancer, type: LoadBalancerType, scheme: string, subnets: Subnet[], groups: string[]): boolean {
  const ids = (xs: string[]): string => [...xs].sort().join(",");
  return lb.type === type && lb.scheme === scheme && ids(lb.zones.map((z) => z.subnetId)) === ids(subnets.map((s) => s.id)) &&
    ids(lb.securityGroupIds) === ids(groups);
}

export function createLoadBalancer(ctx: Ctx, input: CreateLoadBalancerInput): LoadBalancer {
  checkName(input.name, "load balancer");
  const type = checkType(input.type);
  const scheme = checkScheme(input.scheme, type);
  checkIpAddressType(input.ipAddressType);
  const tags = checkTags(input.tags ?? []);
  const plan = checkSubnetMappings(ctx, { type, scheme, subnetIds: input.subnetIds, subnetMappings: input.subnetMappings, securityGroupIds: input.securityGroupIds, ipAddressType: input.ipAddressType ?? "ipv4" });
  const existing = owned(ctx, "loadBalancers").find((lb) => lb.name === input.name);
  if (existing) {
    if (sameSettings(existing, type, scheme, plan.map((p) => p.subnet), input.securityGroupIds ?? [])) return existing;
    throw new AwsError("DuplicateLoadBalancerName", `A load balancer with the same name '${input.name}' exists, but with different settings`);
  }
  if (owned(ctx, "loadBalancers").filter((lb) => lb.type === type).length >= MAX_LOAD_BALANCERS[type]) {
    throw new AwsError("TooManyLoadBalancers", "The maximum number of load balancers has been reached");
  }
  // Everything is checked: from here on nothing fails.
  const hex = hex16(ctx);
  const kind = type === "network" ? "net" : "gwy";
  const groups = [...new Set(input.securityGroupIds ?? [])];
  const lb: LoadBalancer = {
    id: elbArn(ctx, `loadbalancer/${kind}/${input.name}/${hex}`), region: ctx.region, ownerId: ctx.account, tags,
    name: input.name, type, scheme, vpcId: plan[0]!.subnet.vpcId, state: "active",
    dnsName: `${input.name}-${hex}.elb.${ctx.region}.amazonaws.com`,
    canonicalHostedZoneId: NLB_HOSTED_ZONES[ctx.region] ?? "Z26RNL4JYFTOTI",
    ipAddressType: input.ipAddressType === "dualstack" ? "dualstack" : "ipv4",
    zones: [], securityGroupIds: groups, ...(groups.length > 0 ? { enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "on" as const } : {}),
    attributes: defaultLoadBalancerAttributes(type, scheme), createdTime: ctx.world.ids.now(),
  };
  lb.zones = plan.map((p) => addNode(ctx, lb, p.subnet, p.privateIpv4Address, p.eip));
  ctx.world.loadBalancers.set(lb.id, lb);
  return lb;
}

/** The load balancer's node in one subnet: a requester-managed ENI, public when the scheme is internet-facing. */
export function addNode(ctx: Ctx, lb: LoadBalancer, subnet: Subnet, privateIpv4Address?: string, eip?: ElasticIp): LoadBalancerZone {
  const kind = lb.type === "network" ? "net" : "gwy";
  const publicIp = lb.scheme === "internet-facing" ? eip?.publicIp ?? allocatePublicIp(ctx.world, ctx.region) : undefined;
  const eni: NetworkInterface = createEni(ctx, subnet, {
    interfaceType: lb.type === "network" ? "network_load_balancer" : "gateway_load_balancer",
    groupIds: lb.securityGroupIds, description: `ELB ${kind}/${lb.name}/${lb.id.slice(-16)}`, requesterId: "amazon-elb",
    ...(privateIpv4Address !== undefined ? { privateIpAddress: privateIpv4Address } : {}),
    ...(publicIp !== undefined ? { publicIp } : {}), ...(eip ? { allocationId: eip.id } : {}),
  });
  if (eip) {
    eip.networkInterfaceId = eni.id;
    eip.associationId = ctx.world.ids.next("eipassoc");
  }
  return {
    zoneName: subnet.availabilityZone, zoneId: subnet.availabilityZoneId, subnetId: subnet.id, networkInterfaceId: eni.id,
    privateIpv4Address: eni.privateIpAddress, ...(privateIpv4Address !== undefined ? { privateIpv4Requested: true } : {}),
    ...(publicIp !== undefined ? { publicIpv4Address: publicIp } : {}), ...(eip ? { allocationId: eip.id } : {}),
  };
}

/** Removes a node's ENI, giving back its public address (AWS's) or Elastic IP (the owner's). */
export function removeNode(ctx: Ctx, zone: LoadBalancerZone): void {
  const eni = deleteEni(ctx, zone.networkInterfaceId);
  if (zone.allocationId !== undefined) {
    const eip = ctx.world.elasticIps.get(zone.allocationId);
    if (eip) {
      delete eip.networkInterfaceId;
      delete eip.associationId;
    }
  } else if (eni?.publicIp !== undefined) {
    releasePublicIp(ctx.world, eni.publicIp);
  }
}

/** The endpoint services that offer this load balancer, in any account (PrivateLink). */
export function servicesUsing(ctx: Ctx, arn: string): string[] {
  return [...ctx.world.endpointServices.values()]
    .filter((s) => s.networkLoadBalancerArns.includes(arn) || s.gatewayLoadBalancerArns.includes(arn))
    .map((s) => s.id);
}

/**
 * Deletes the load balancer, its nodes and its listeners; its target groups and their targets
 * stay. Like AWS, an ARN of a load balancer that does not exist (or no longer does) succeeds.
 */
export function deleteLoadBalancer(ctx: Ctx, arn: string): void {
  checkArn(arn, "loadbalancer");
  const lb = find(ctx, "loadBalancers", arn);
  if (!lb) return;
  if (lb.attributes["deletion_protection.enabled"] === "true") {
    throw new AwsError("OperationNotPermitted", `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`);
  }
  if (servicesUsing(ctx, arn).length > 0) {
    throw new AwsError("ResourceInUse", `Load balancer '${arn}' cannot be deleted because it is currently associated with another service`);
  }
  for (const l of ctx.world.listeners.inVpc(lb.vpcId)) if (l.loadBalancerArn === arn) ctx.world.listeners.delete(l.id);
  for (const z of lb.zones) removeNode(ctx, z);
  ctx.world.loadBalancers.delete(arn);
}
