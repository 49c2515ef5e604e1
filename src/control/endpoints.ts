// VPC endpoints, consumer side. Gateway endpoints put a prefix-list route into each associated
// route table; interface endpoints put one requester-managed ENI into each chosen subnet and
// publish regional, zonal and (optionally) private DNS names for them.
import { AwsError } from "../model/errors.js";
import { type RegionInfo, type ServiceInfo, fill, findAwsService, prefixListFor } from "../model/catalog/index.js";
import type { DnsEntry, Subnet, Tag, Vpc, VpcEndpoint, VpcEndpointType } from "../model/types.js";
import { createEni, deleteEni } from "./networkInterfaces.js";
import { checkFreeAddresses } from "./addresses.js";
import { type Ctx, base, checkIdFormat, find, get, owned } from "./context.js";

export const QUOTAS = { gatewayPerRegion: 20, gatewayPerVpc: 255, interfacePerVpc: 50, policyChars: 20480 };
/** The AWS account that owns interface-endpoint ENIs as their requester. */
export const ENDPOINT_REQUESTER_ID = "727180483921";
const TYPES: VpcEndpointType[] = ["Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"];

/** The default policies, as AWS returns them (gateway compact, interface pretty-printed). */
export const DEFAULT_POLICY: Record<"Gateway" | "Interface", string> = {
  Gateway: '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
  Interface: '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}',
};

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

const param = (message: string): AwsError => new AwsError("InvalidParameter", message);

function resolveService(ctx: Ctx, serviceName: string, type: VpcEndpointType): { region: RegionInfo; service: ServiceInfo } {
  const found = findAwsService(serviceName);
  // AWS answers the same for a service that does not exist and one in another Region.
  if (!found || found.region.name !== ctx.region) {
    throw new AwsError("InvalidServiceName", `The Vpc Endpoint Service '${serviceName}' does not exist`);
  }
  if (type !== "Gateway" && type !== "Interface") {
    throw param(`VPC endpoint type ${type} is not supported for service ${serviceName}.`);
  }
  if (!found.service.types.includes(type)) {
    throw param(`The Vpc Endpoint Service '${serviceName}' does not support ${type} type VPC Endpoints.`);
  }
  return found;
}

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

function checkRouteTables(ctx: Ctx, vpc: Vpc, serviceCode: string, ids: string[]): string {
  const pl = prefixListFor(ctx.region, serviceCode);
  if (!pl) throw new AwsError("InvalidServiceName", `The Vpc Endpoint Service 'com.amazonaws.${ctx.region}.${serviceCode}' does not exist`);
  for (const id of ids) {
    const rtb = get(ctx, "routeTables", id);
    if (rtb.vpcId !== vpc.id) throw param(`Route table ${rtb.id} does not belong to ${vpc.id}.`);
    if (rtb.routes.some((r) => r.destinationPrefixListId === pl.id)) {
      throw new AwsError("RouteAlreadyExists", `route table ${rtb.id} already has a route with destination-prefix-list-id ${pl.id}`);
    }
  }
  return pl.id;
}

/** Checks subnets for an interface endpoint: in the VPC, at most one per AZ (counting `kept`). */
function checkSubnets(ctx: Ctx, vpc: Vpc, ids: string[], kept: Subnet[]): Subnet[] {
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

function checkGroups(ctx: Ctx, vpc: Vpc, ids: string[]): void {
  for (const id of ids) {
    if (get(ctx, "securityGroups", id).vpcId !== vpc.id) throw param(`The security group ${id} does not belong to ${vpc.id}.`);
  }
}

/** Private DNS needs both VPC DNS attributes, and at most one endpoint per service name in the VPC. */
function checkPrivateDns(ctx: Ctx, vpc: Vpc, service: ServiceInfo, self?: string): void {
  if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
    throw param(`Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`);
  }
  if (service.privateDnsNames.length === 0) throw param(`Private DNS is not supported for the service ${service.code}.`);
  for (const other of ctx.world.vpcEndpoints.inVpc(vpc.id)) {
    if (other.id !== self && other.privateDnsEnabled && other.serviceName === `com.amazonaws.${ctx.region}.${service.code}`) {
      const domain = fill(service.privateDnsNames[0]!, ctx.region);
      throw param(`private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${domain} in the VPC ${vpc.id}`);
    }
  }
}

/** The label between the endpoint id and the Region in vpce.amazonaws.com names (ec2, api.sagemaker ...). */
export function dnsLabel(service: ServiceInfo): string {
  const m = /^(?:\*\.)?(.+)\.\{region\}\.amazonaws\.com$/.exec(service.hostname);
  return m ? m[1]! : service.code;
}

export function dnsEntriesFor(ctx: Pick<Ctx, "world">, ep: VpcEndpoint, phzId: string): DnsEntry[] {
  const found = findAwsService(ep.serviceName);
  if (!found || ep.vpcEndpointType !== "Interface") return [];
  const { region, service } = found;
  const zone = region.vpceHostedZoneId;
  const star = service.wildcardEndpointNames ? "*." : "";
  const tail = `${dnsLabel(service)}.${region.name}.vpce.amazonaws.com`;
  const entries: DnsEntry[] = [{ dnsName: `${star}${ep.id}-${ep.dnsSuffix}.${tail}`, hostedZoneId: zone }];
  for (const eniId of ep.networkInterfaceIds) {
    const az = ctx.world.networkInterfaces.get(eniId)?.availabilityZone;
    if (az) entries.push({ dnsName: `${star}${ep.id}-${ep.dnsSuffix}-${az}.${tail}`, hostedZoneId: zone });
  }
  if (ep.privateDnsEnabled) {
    for (const name of service.privateDnsNames) entries.push({ dnsName: fill(name, region.name), hostedZoneId: phzId });
  }
  return entries;
}

function phzOf(ep: VpcEndpoint): string {
  return ep.dnsEntries.find((e) => !e.dnsName.endsWith(".vpce.amazonaws.com"))?.hostedZoneId ?? `Z${ep.id.slice(5, 18).toUpperCase()}HZ`;
}

function addEni(ctx: Ctx, ep: VpcEndpoint, subnet: Subnet): void {
  const eni = createEni(ctx, subnet, { interfaceType: "vpc_endpoint", groupIds: ep.groupIds, description: `VPC Endpoint Interface ${ep.id}`, requesterId: ENDPOINT_REQUESTER_ID });
  ep.networkInterfaceIds.push(eni.id);
}

function removeEni(ctx: Ctx, ep: VpcEndpoint, eniId: string): void {
  deleteEni(ctx, eniId);
  ep.networkInterfaceIds = ep.networkInterfaceIds.filter((id) => id !== eniId);
}

function countQuota(ctx: Ctx, vpc: Vpc, type: VpcEndpointType): void {
  const inVpc = ctx.world.vpcEndpoints.inVpc(vpc.id);
  const over = type === "Gateway"
    ? inVpc.filter((e) => e.vpcEndpointType === "Gateway").length >= QUOTAS.gatewayPerVpc ||
      owned(ctx, "vpcEndpoints").filter((e) => e.vpcEndpointType === "Gateway").length >= QUOTAS.gatewayPerRegion
    : inVpc.filter((e) => e.vpcEndpointType === "Interface" || e.vpcEndpointType === "GatewayLoadBalancer").length >= QUOTAS.interfacePerVpc;
  if (over) throw new AwsError("VpcEndpointLimitExceeded", "You've reached the limit on the number of VPC endpoints that you can create in the region.");
}

/**
 * CreateVpcEndpoint for AWS services. Everything is validated before anything changes. The
 * returned copy shows an interface endpoint as `pending`, as AWS's response does; the stored
 * endpoint settles at once in `available`.
 */
export function createVpcEndpoint(ctx: Ctx, input: CreateVpcEndpointInput): VpcEndpoint {
  const vpc = get(ctx, "vpcs", input.vpcId);
  const type = (input.vpcEndpointType ?? "Gateway") as VpcEndpointType;
  if (!TYPES.includes(type)) throw new AwsError("InvalidVpcEndpointType", `The VPC endpoint type '${String(input.vpcEndpointType)}' is not valid.`);
  const { service } = resolveService(ctx, input.serviceName, type);
  const routeTableIds = [...new Set(input.routeTableIds ?? [])];
  const subnetIds = [...new Set(input.subnetIds ?? [])];
  const groupIds = [...new Set(input.securityGroupIds ?? [])];
  let prefixListId = "";
  let subnets: Subnet[] = [];
  if (type === "Gateway") {
    if (subnetIds.length) throw param("Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.");
    if (groupIds.length) throw param("Security group IDs are only supported for Interface type VPC Endpoint.");
    if (input.privateDnsEnabled) throw param("Private DNS can only be enabled for Interface type VPC Endpoint.");
    prefixListId = checkRouteTables(ctx, vpc, service.code, routeTableIds);
  } else {
    if (routeTableIds.length) throw param("Route table IDs are only supported for Gateway type VPC Endpoint.");
    subnets = checkSubnets(ctx, vpc, subnetIds, []);
    checkGroups(ctx, vpc, groupIds);
    if (input.privateDnsEnabled) checkPrivateDns(ctx, vpc, service);
  }
  if (input.policyDocument !== undefined) validatePolicy(input.policyDocument);
  countQuota(ctx, vpc, type);
  checkFreeAddresses(ctx.world, subnets);

  const ep: VpcEndpoint = {
    ...base(ctx, "vpce", input.tags),
    vpcEndpointType: type,
    vpcId: vpc.id,
    serviceName: input.serviceName,
    serviceRegion: ctx.region,
    state: "available",
    policyDocument: input.policyDocument ?? (service.policySupported ? DEFAULT_POLICY[type as "Gateway" | "Interface"] : undefined),
    routeTableIds,
    subnetIds: subnets.map((s) => s.id),
    groupIds: type === "Interface" ? (groupIds.length ? groupIds : [vpc.defaultSecurityGroupId]) : [],
    privateDnsEnabled: type === "Interface" && input.privateDnsEnabled === true,
    networkInterfaceIds: [],
    ipAddressType: "ipv4",
    dnsRecordIpType: "ipv4",
    dnsSuffix: ctx.world.ids.alnum(8),
    dnsEntries: [],
    creationTimestamp: ctx.world.ids.now(),
  };
  if (ep.policyDocument === undefined) delete ep.policyDocument;
  for (const id of routeTableIds) {
    ctx.world.routeTables.get(id)!.routes.push({ destinationPrefixListId: prefixListId, gatewayId: ep.id, origin: "CreateRoute", state: "active" });
  }
  for (const s of subnets) addEni(ctx, ep, s);
  ep.dnsEntries = dnsEntriesFor(ctx, ep, `Z${ctx.world.ids.alnum(20).toUpperCase()}`);
  ctx.world.vpcEndpoints.set(ep.id, ep);
  return type === "Interface" ? { ...structuredClone(ep), state: "pending" } : structuredClone(ep);
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

export function modifyVpcEndpoint(ctx: Ctx, input: ModifyVpcEndpointInput): void {
  const ep = get(ctx, "vpcEndpoints", input.vpcEndpointId);
  const vpc = ctx.world.vpcs.get(ep.vpcId)!;
  const { service } = findAwsService(ep.serviceName)!;
  const gateway = ep.vpcEndpointType === "Gateway";
  const addRt = [...new Set(input.addRouteTableIds ?? [])];
  const removeRt = [...new Set(input.removeRouteTableIds ?? [])];
  const addSn = [...new Set(input.addSubnetIds ?? [])];
  const removeSn = [...new Set(input.removeSubnetIds ?? [])];
  const addSg = [...new Set(input.addSecurityGroupIds ?? [])];
  const removeSg = [...new Set(input.removeSecurityGroupIds ?? [])];

  // Validate everything first.
  let prefixListId = "";
  if (gateway) {
    if (addSn.length || removeSn.length) throw param("Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.");
    if (addSg.length || removeSg.length) throw param("Security group IDs are only supported for Interface type VPC Endpoint.");
    if (input.privateDnsEnabled) throw param("Private DNS can only be enabled for Interface type VPC Endpoint.");
    prefixListId = checkRouteTables(ctx, vpc, service.code, addRt.filter((id) => !ep.routeTableIds.includes(id)));
    for (const id of removeRt) {
      get(ctx, "routeTables", id);
      if (!ep.routeTableIds.includes(id)) throw param(`Route table ${id} is not associated with ${ep.id}.`);
    }
  } else {
    if (addRt.length || removeRt.length) throw param("Route table IDs are only supported for Gateway type VPC Endpoint.");
    for (const id of removeSn) {
      get(ctx, "subnets", id);
      if (!ep.subnetIds.includes(id)) throw param(`Subnet ${id} is not associated with ${ep.id}.`);
    }
    const kept = ep.subnetIds.filter((id) => !removeSn.includes(id)).map((id) => ctx.world.subnets.get(id)!);
    checkSubnets(ctx, vpc, addSn.filter((id) => !ep.subnetIds.includes(id)), kept);
    checkGroups(ctx, vpc, addSg);
    for (const id of removeSg) if (!ep.groupIds.includes(id)) throw param(`Security group ${id} is not associated with ${ep.id}.`);
    const groupsAfter = [...ep.groupIds.filter((g) => !removeSg.includes(g)), ...addSg.filter((g) => !ep.groupIds.includes(g))];
    if (groupsAfter.length === 0) throw param("An interface endpoint must have at least one security group.");
    if (input.privateDnsEnabled === true && !ep.privateDnsEnabled) checkPrivateDns(ctx, vpc, service, ep.id);
    checkFreeAddresses(ctx.world, addSn.filter((id) => !ep.subnetIds.includes(id)).map((id) => ctx.world.subnets.get(id)!));
  }
  if (input.policyDocument !== undefined) {
    if (input.resetPolicy) throw new AwsError("InvalidParameterCombination", "PolicyDocument and ResetPolicy cannot both be specified.");
    if (!service.policySupported) throw param(`The service ${ep.serviceName} does not support VPC endpoint policies.`);
    validatePolicy(input.policyDocument);
  }

  // Then apply.
  for (const id of addRt.filter((x) => !ep.routeTableIds.includes(x))) {
    ctx.world.routeTables.get(id)!.routes.push({ destinationPrefixListId: prefixListId, gatewayId: ep.id, origin: "CreateRoute", state: "active" });
    ep.routeTableIds.push(id);
  }
  for (const id of removeRt) {
    const rtb = ctx.world.routeTables.get(id)!;
    rtb.routes = rtb.routes.filter((r) => r.gatewayId !== ep.id);
    ep.routeTableIds = ep.routeTableIds.filter((x) => x !== id);
  }
  for (const id of removeSn) {
    const eni = ep.networkInterfaceIds.find((e) => ctx.world.networkInterfaces.get(e)?.subnetId === id);
    if (eni) removeEni(ctx, ep, eni);
    ep.subnetIds = ep.subnetIds.filter((x) => x !== id);
  }
  for (const id of addSn.filter((x) => !ep.subnetIds.includes(x))) {
    addEni(ctx, ep, ctx.world.subnets.get(id)!);
    ep.subnetIds.push(id);
  }
  if (addSg.length || removeSg.length) {
    ep.groupIds = [...ep.groupIds.filter((g) => !removeSg.includes(g)), ...addSg.filter((g) => !ep.groupIds.includes(g))];
    for (const eniId of ep.networkInterfaceIds) ctx.world.networkInterfaces.get(eniId)!.groupIds = [...ep.groupIds];
  }
  if (input.privateDnsEnabled !== undefined && !gateway) ep.privateDnsEnabled = input.privateDnsEnabled;
  if (input.resetPolicy && service.policySupported) ep.policyDocument = DEFAULT_POLICY[gateway ? "Gateway" : "Interface"];
  if (input.policyDocument !== undefined) ep.policyDocument = input.policyDocument;
  ep.dnsEntries = dnsEntriesFor(ctx, ep, phzOf(ep));
}

export interface Unsuccessful { resourceId: string; error: { code: string; message: string } }

/** Deletes what it can and reports the rest per id, as DeleteVpcEndpoints does. */
export function deleteVpcEndpoints(ctx: Ctx, ids: string[]): Unsuccessful[] {
  const failed: Unsuccessful[] = [];
  for (const id of ids) {
    try {
      checkIdFormat("vpcEndpoints", id);
    } catch (e) {
      failed.push({ resourceId: id, error: { code: (e as AwsError).code, message: (e as AwsError).message } });
      continue;
    }
    const ep = find(ctx, "vpcEndpoints", id);
    if (!ep) {
      failed.push({ resourceId: id, error: { code: "InvalidVpcEndpoint.NotFound", message: `The Vpc Endpoint Id '${id}' does not exist` } });
      continue;
    }
    for (const rtbId of ep.routeTableIds) {
      const rtb = ctx.world.routeTables.get(rtbId);
      if (rtb) rtb.routes = rtb.routes.filter((r) => r.gatewayId !== ep.id);
    }
    for (const eniId of [...ep.networkInterfaceIds]) removeEni(ctx, ep, eniId);
    ctx.world.vpcEndpoints.delete(ep.id);
  }
  return failed;
}
