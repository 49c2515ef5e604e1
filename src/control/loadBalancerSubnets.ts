// Where a load balancer's nodes go: the checks on Subnets / SubnetMappings shared by
// CreateLoadBalancer and SetSubnets (one VPC, one subnet per AZ, an internet gateway for an
// internet-facing scheme, Elastic IPs and private addresses as AWS allows them), and SetSubnets.
import { AwsError } from "../model/errors.js";
import type { LoadBalancer, LoadBalancerType } from "../model/loadBalancing.js";
import type { ElasticIp, Subnet } from "../model/types.js";
import { checkPrivateIp, freeAddressCount } from "./addresses.js";
import { type Ctx, find } from "./context.js";
import { validationError } from "./elbv2.js";

export interface SubnetMapping { subnetId: string; privateIPv4Address?: string; allocationId?: string }

/** One node to make: its subnet, and the address or Elastic IP it was asked to have. */
export interface NodePlan { subnet: Subnet; privateIpv4Address?: string; eip?: ElasticIp }

export interface PlacementInput {
  type: LoadBalancerType;
  scheme: LoadBalancer["scheme"];
  subnetIds?: string[] | undefined;
  subnetMappings?: SubnetMapping[] | undefined;
  securityGroupIds?: string[] | undefined;
  ipAddressType: string;
}

function invalidConfig(message: string): AwsError {
  return new AwsError("InvalidConfigurationRequest", message);
}

/**
 * IpAddressType on CreateLoadBalancer and SetSubnets: AWS's enum, and ipv4 only, since vpclab's
 * subnets have no IPv6 CIDR block for a dualstack load balancer's nodes.
 */
export function checkIpAddressType(value: string | undefined, subnetId?: string): void {
  if (value === undefined || value === "ipv4") return;
  if (value !== "dualstack" && value !== "dualstack-without-public-ipv4") {
    throw validationError(`1 validation error detected: Value '${value}' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack, dualstack-without-public-ipv4]`);
  }
  // Without a subnet to name, only the value is checked (CreateLoadBalancer checks its subnets first).
  if (subnetId !== undefined) throw invalidConfig(`Subnet '${subnetId}' does not have an IPv6 CIDR block; ${value} load balancers need subnets with IPv6 CIDR blocks`);
}

/** The caller's subnet; ELBv2 answers SubnetNotFound where EC2 would say InvalidSubnetID.NotFound. */
function subnetOf(ctx: Ctx, id: string): Subnet {
  const s = find(ctx, "subnets", id);
  if (!s) throw new AwsError("SubnetNotFound", `The subnet ID '${id}' does not exist`);
  return s;
}

/**
 * Checks where the nodes go and returns one plan per subnet, changing nothing. AWS: "You must
 * specify either subnets or subnet mappings, but not both"; one subnet per Availability Zone;
 * Elastic IPs only for internet-facing NLBs, private addresses only for internal NLBs; at least 8
 * free addresses in each subnet (Network Load Balancers guide, "Availability Zones").
 */
export function checkSubnetMappings(ctx: Ctx, input: PlacementInput): NodePlan[] {
  if (input.subnetIds?.length && input.subnetMappings?.length) throw validationError("You can specify subnets or subnet mappings, not both");
  const mappings: SubnetMapping[] = input.subnetMappings?.length ? input.subnetMappings : (input.subnetIds ?? []).map((subnetId) => ({ subnetId }));
  if (mappings.length === 0) throw validationError("At least one subnet must be specified");
  const plan: NodePlan[] = [];
  const zones = new Set<string>();
  const eips = new Set<string>();
  for (const m of mappings) {
    if (!m.subnetId) throw validationError("A subnet ID must be specified for each subnet mapping");
    const subnet = subnetOf(ctx, m.subnetId);
    if (plan.some((p) => p.subnet.vpcId !== subnet.vpcId)) {
      throw invalidConfig(`Subnets must belong to the same VPC: '${subnet.id}' is in '${subnet.vpcId}', '${plan[0]!.subnet.id}' in '${plan[0]!.subnet.vpcId}'`);
    }
    if (zones.has(subnet.availabilityZone)) throw invalidConfig("A load balancer cannot be attached to multiple subnets in the same Availability Zone");
    zones.add(subnet.availabilityZone);
    plan.push({ subnet, ...placeNode(ctx, input, m, subnet, eips) });
  }
  if (input.scheme === "internet-facing") {
    const vpcId = plan[0]!.subnet.vpcId;
    const igw = [...ctx.world.internetGateways.values()].some((g) => g.attachments.some((a) => a.vpcId === vpcId));
    if (!igw) throw new AwsError("InvalidSubnet", `VPC ${vpcId} has no internet gateway`);
  }
  checkIpAddressType(input.ipAddressType, plan[0]!.subnet.id);
  checkSecurityGroups(ctx, input.type, plan[0]!.subnet.vpcId, input.securityGroupIds);
  return plan;
}

function placeNode(ctx: Ctx, input: PlacementInput, m: SubnetMapping, subnet: Subnet, eips: Set<string>): { privateIpv4Address?: string; eip?: ElasticIp } {
  const out: { privateIpv4Address?: string; eip?: ElasticIp } = {};
  if (m.allocationId !== undefined) {
    if (input.type !== "network" || input.scheme !== "internet-facing") {
      throw invalidConfig("Elastic IP addresses can be specified only for internet-facing Network Load Balancers");
    }
    const eip = find(ctx, "elasticIps", m.allocationId);
    if (!eip) throw new AwsError("AllocationIdNotFound", `The allocation ID '${m.allocationId}' does not exist`);
    if (eip.networkInterfaceId !== undefined || eips.has(eip.id)) throw invalidConfig(`The allocation ID '${eip.id}' is already associated`);
    eips.add(eip.id);
    out.eip = eip;
  }
  if (m.privateIPv4Address !== undefined) {
    if (input.type !== "network" || input.scheme !== "internal") {
      throw invalidConfig("Private IPv4 addresses can be specified only for internal Network Load Balancers");
    }
    try {
      checkPrivateIp(ctx.world, subnet, m.privateIPv4Address);
    } catch (e) {
      throw invalidConfig(`Private IPv4 address '${m.privateIPv4Address}' cannot be used in subnet '${subnet.id}': ${(e as Error).message}`);
    }
    out.privateIpv4Address = m.privateIPv4Address;
  } else if (freeAddressCount(ctx.world, subnet) < 8) {
    throw new AwsError("InvalidSubnet", `Not enough IP space available in ${subnet.id}. ELB requires at least 8 free IP addresses in each subnet.`);
  }
  return out;
}

/** Security groups: network load balancers only, at most 5, each the caller's and in the load balancer's VPC. */
export function checkSecurityGroups(ctx: Ctx, type: LoadBalancerType, vpcId: string, groupIds: string[] | undefined): void {
  if (!groupIds?.length) return;
  if (type === "gateway") throw validationError("Security groups are not supported for Gateway Load Balancers");
  if (new Set(groupIds).size > 5) throw validationError("A load balancer can have at most 5 security groups");
  for (const id of groupIds) {
    const sg = find(ctx, "securityGroups", id);
    if (!sg || sg.vpcId !== vpcId) throw new AwsError("InvalidSecurityGroup", `Invalid security group '${id}'`);
  }
}
