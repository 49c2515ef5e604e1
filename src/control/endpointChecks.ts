// What every VPC endpoint shares, whoever provides its service (AWS or a customer's endpoint
// service): AWS's checks on subnets, security groups, VPC DNS and quotas, and the endpoint's ENIs.
import { AwsError } from "../model/errors.js";
import type { InterfaceType, Subnet, Tag, Vpc, VpcEndpoint, VpcEndpointType } from "../model/types.js";
import { createEni, deleteEni } from "./networkInterfaces.js";
import { type Ctx, get, owned } from "./context.js";

export const QUOTAS = { gatewayPerRegion: 20, gatewayPerVpc: 255, interfacePerVpc: 50, policyChars: 20480 };
/** The AWS account that owns interface-endpoint ENIs as their requester. */
export const ENDPOINT_REQUESTER_ID = "727180483921";

export interface CreateVpcEndpointInput {
  vpcId: string;
  serviceName: string;
  vpcEndpointType?: string;
  routeTableIds?: string[];
  subnetIds?: string[];
  securityGroupIds?: string[];
  privateDnsEnabled?: boolean;
  policyDocument?: string;
  tags?: Tag[];
}

export interface ModifyVpcEndpointInput {
  vpcEndpointId: string;
  addRouteTableIds?: string[];
  removeRouteTableIds?: string[];
  addSubnetIds?: string[];
  removeSubnetIds?: string[];
  addSecurityGroupIds?: string[];
  removeSecurityGroupIds?: string[];
  privateDnsEnabled?: boolean;
  policyDocument?: string;
  resetPolicy?: boolean;
}

/** What an endpoint's service allows when the endpoint changes, whoever provides the service. */
export interface EndpointRules {
  policySupported: boolean;
  /** Throws unless subnets being added are in Availability Zones the service offers. */
  checkZones(subnets: Subnet[]): void;
  /** Throws unless private DNS may be turned on for the endpoint. */
  checkPrivateDns(vpc: Vpc, self: string): void;
}

/** A per-id failure of a bulk call (Accept/Reject/Delete...): the call succeeds and lists these. */
export interface Unsuccessful { resourceId: string; error: { code: string; message: string } }

export const param = (message: string): AwsError => new AwsError("InvalidParameter", message);

export function validatePolicy(doc: string): void {
  if (doc.length > QUOTAS.policyChars) {
    throw new AwsError("InvalidPolicyDocument", `The policy document is ${doc.length} characters long; the limit is ${QUOTAS.policyChars}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw new AwsError("InvalidPolicyDocument", "The policy document is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !("Statement" in parsed)) {
    throw new AwsError("InvalidPolicyDocument", "The policy document must be a JSON object with a Statement.");
  }
}

/** Checks subnets for an interface endpoint: in the VPC, at most one per AZ (counting `kept`). */
export function checkSubnets(ctx: Ctx, vpc: Vpc, ids: string[], kept: Subnet[]): Subnet[] {
  const subnets = ids.map((id) => get(ctx, "subnets", id));
  const seen = new Map(kept.map((s) => [s.availabilityZone, s]));
  for (const s of subnets) {
    if (s.vpcId !== vpc.id) throw param(`The subnet ${s.id} does not belong to ${vpc.id}.`);
    if (seen.has(s.availabilityZone)) {
      throw new AwsError("DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${s.id}`);
    }
    seen.set(s.availabilityZone, s);
  }
  return subnets;
}

export function checkGroups(ctx: Ctx, vpc: Vpc, ids: string[]): void {
  for (const id of ids) {
    if (get(ctx, "securityGroups", id).vpcId !== vpc.id) throw param(`The security group ${id} does not belong to ${vpc.id}.`);
  }
}

/** Private DNS lives in a hidden private hosted zone, which AWS answers only with both VPC DNS attributes on. */
export function checkVpcDnsAttributes(vpc: Vpc): void {
  if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
    throw param(`Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`);
  }
}

/** One private-DNS endpoint per domain in a VPC: a second would shadow the first's hosted zone. */
export function checkPrivateDnsConflict(ctx: Ctx, vpc: Vpc, domain: string, conflicts: (other: VpcEndpoint) => boolean, self?: string): void {
  for (const other of ctx.world.vpcEndpoints.inVpc(vpc.id)) {
    if (other.id !== self && other.privateDnsEnabled && conflicts(other)) {
      throw param(`private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${domain} in the VPC ${vpc.id}`);
    }
  }
}

/**
 * The endpoint quotas: gateway endpoints per VPC and per Region; interface and Gateway Load
 * Balancer endpoints share one quota of 50 per VPC (AWS PrivateLink quotas).
 */
export function countQuota(ctx: Ctx, vpc: Vpc, type: VpcEndpointType): void {
  const inVpc = ctx.world.vpcEndpoints.inVpc(vpc.id);
  const over = type === "Gateway"
    ? inVpc.filter((e) => e.vpcEndpointType === "Gateway").length >= QUOTAS.gatewayPerVpc ||
      owned(ctx, "vpcEndpoints").filter((e) => e.vpcEndpointType === "Gateway").length >= QUOTAS.gatewayPerRegion
    : inVpc.filter((e) => e.vpcEndpointType === "Interface" || e.vpcEndpointType === "GatewayLoadBalancer").length >= QUOTAS.interfacePerVpc;
  if (over) throw new AwsError("VpcEndpointLimitExceeded", "You've reached the limit on the number of VPC endpoints that you can create in the region.");
}

/** A requester-managed ENI for the endpoint in the subnet: vpc_endpoint, or gateway_load_balancer_endpoint (without security groups). */
export function addEni(ctx: Ctx, ep: VpcEndpoint, subnet: Subnet): void {
  const interfaceType: InterfaceType = ep.vpcEndpointType === "GatewayLoadBalancer" ? "gateway_load_balancer_endpoint" : "vpc_endpoint";
  const eni = createEni(ctx, subnet, { interfaceType, groupIds: ep.groupIds, description: `VPC Endpoint Interface ${ep.id}`, requesterId: ENDPOINT_REQUESTER_ID });
  ep.networkInterfaceIds.push(eni.id);
}

export function removeEni(ctx: Ctx, ep: VpcEndpoint, eniId: string): void {
  deleteEni(ctx, eniId);
  ep.networkInterfaceIds = ep.networkInterfaceIds.filter((id) => id !== eniId);
}

/** The id of the endpoint's hidden private hosted zone: the one its entries name, or one derived from its id. */
export function phzOf(ep: VpcEndpoint): string {
  return ep.dnsEntries.find((e) => !e.dnsName.endsWith(".vpce.amazonaws.com"))?.hostedZoneId ?? `Z${ep.id.slice(5, 18).toUpperCase()}HZ`;
}

/** The regional and zonal vpce.amazonaws.com names of an endpoint, `tail` being what follows its id and suffix. */
export function vpceNames(ctx: Pick<Ctx, "world">, ep: VpcEndpoint, tail: string, zone: string, star = ""): { dnsName: string; hostedZoneId: string }[] {
  const entries = [{ dnsName: `${star}${ep.id}-${ep.dnsSuffix}.${tail}`, hostedZoneId: zone }];
  for (const eniId of ep.networkInterfaceIds) {
    const az = ctx.world.networkInterfaces.get(eniId)?.availabilityZone;
    if (az) entries.push({ dnsName: `${star}${ep.id}-${ep.dnsSuffix}-${az}.${tail}`, hostedZoneId: zone });
  }
  return entries;
}
