// Changing a load balancer after creation: SetSubnets (nodes added and removed, kept ones
// untouched) and SetSecurityGroups (network load balancers created with security groups only).
import { AwsError } from "../model/errors.js";
import type { LoadBalancer, LoadBalancerZone } from "../model/loadBalancing.js";
import type { Ctx } from "./context.js";
import { getLoadBalancer, validationError } from "./elbv2.js";
import { type SubnetMapping, checkIpAddressType, checkSecurityGroups, checkSubnetMappings } from "./loadBalancerSubnets.js";
import { addNode, removeNode, servicesUsing } from "./loadBalancers.js";

function invalidConfig(message: string): AwsError {
  return new AwsError("InvalidConfigurationRequest", message);
}

/**
 * SetSubnets: the given subnets replace the enabled ones. A subnet already enabled keeps its
 * node and must keep its Elastic IP or private address; new subnets get nodes (checked like
 * CreateLoadBalancer); missing ones lose theirs, which an endpoint service using the load
 * balancer forbids ("You can't remove a subnet if the NLB has active VPC endpoint associations").
 */
export function setSubnets(ctx: Ctx, arn: string, input: { subnetIds?: string[]; subnetMappings?: SubnetMapping[]; ipAddressType?: string }): LoadBalancer {
  const lb = getLoadBalancer(ctx, arn);
  if (input.ipAddressType !== lb.ipAddressType) checkIpAddressType(input.ipAddressType, lb.zones[0]?.subnetId ?? "");
  if (input.subnetIds?.length && input.subnetMappings?.length) throw validationError("You can specify subnets or subnet mappings, not both");
  const mappings: SubnetMapping[] = input.subnetMappings?.length ? input.subnetMappings : (input.subnetIds ?? []).map((subnetId) => ({ subnetId }));
  if (mappings.length === 0) throw validationError("At least one subnet must be specified");
  const kept = new Map<string, LoadBalancerZone>();
  const fresh: SubnetMapping[] = [];
  for (const m of mappings) {
    const zone = lb.zones.find((z) => z.subnetId === m.subnetId);
    if (!zone) { fresh.push(m); continue; }
    if ((m.allocationId !== undefined && m.allocationId !== zone.allocationId) ||
      (m.privateIPv4Address !== undefined && m.privateIPv4Address !== zone.privateIpv4Address)) {
      throw invalidConfig(`The Elastic IP address or private IPv4 address of subnet '${m.subnetId}' cannot be changed while it is enabled`);
    }
    kept.set(zone.subnetId, zone);
  }
  const plan = fresh.length > 0
    ? checkSubnetMappings(ctx, { type: lb.type, scheme: lb.scheme, subnetMappings: fresh, ipAddressType: input.ipAddressType ?? lb.ipAddressType })
    : [];
  const zones = new Set([...kept.values()].map((z) => z.zoneName));
  for (const p of plan) {
    if (p.subnet.vpcId !== lb.vpcId) throw invalidConfig(`Subnet '${p.subnet.id}' is not in the load balancer's VPC '${lb.vpcId}'`);
    if (zones.has(p.subnet.availabilityZone)) throw invalidConfig("A load balancer cannot be attached to multiple subnets in the same Availability Zone");
    zones.add(p.subnet.availabilityZone);
  }
  const removed = lb.zones.filter((z) => !kept.has(z.subnetId));
  if (removed.length > 0 && servicesUsing(ctx, lb.id).length > 0) {
    throw new AwsError("ResourceInUse", `Subnets cannot be removed from load balancer '${lb.id}' because it is associated with a VPC endpoint service`);
  }
  for (const z of removed) removeNode(ctx, z);
  const added = plan.map((p) => addNode(ctx, lb, p.subnet, p.privateIpv4Address, p.eip));
  lb.zones = [...lb.zones.filter((z) => kept.has(z.subnetId)), ...added];
  return lb;
}

/**
 * SetSecurityGroups: replaces a network load balancer's groups (and its nodes'). AWS allows it
 * only for NLBs created with security groups, and never down to none.
 */
export function setSecurityGroups(ctx: Ctx, arn: string, groupIds: string[], enforcePrivateLink?: string): LoadBalancer {
  const lb = getLoadBalancer(ctx, arn);
  if (lb.type === "gateway") throw validationError("Security groups are not supported for Gateway Load Balancers");
  if (lb.securityGroupIds.length === 0) {
    throw invalidConfig("You cannot set security groups on a Network Load Balancer which was created without any security groups");
  }
  if (groupIds.length === 0) throw invalidConfig("You cannot remove all security groups from a Network Load Balancer which was created with security groups");
  if (enforcePrivateLink !== undefined && enforcePrivateLink !== "on" && enforcePrivateLink !== "off") {
    throw validationError(`1 validation error detected: Value '${enforcePrivateLink}' at 'enforceSecurityGroupInboundRulesOnPrivateLinkTraffic' failed to satisfy constraint: Member must satisfy enum value set: [off, on]`);
  }
  checkSecurityGroups(ctx, lb.type, lb.vpcId, groupIds);
  lb.securityGroupIds = [...new Set(groupIds)];
  if (enforcePrivateLink !== undefined) lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic = enforcePrivateLink;
  for (const z of lb.zones) {
    const eni = ctx.world.networkInterfaces.get(z.networkInterfaceId);
    if (eni) eni.groupIds = [...lb.securityGroupIds];
  }
  return lb;
}
