// VPC endpoints, consumer side. Gateway endpoints put a prefix-list route into each associated
// route table; interface endpoints put one requester-managed ENI into each chosen subnet and
// publish regional, zonal and (optionally) private DNS names for them. Endpoints to customers'
// endpoint services (and Gateway Load Balancer endpoints) are made in customerEndpoints.ts.
import { AwsError } from "../model/errors.js";
import { type RegionInfo, type ServiceInfo, fill, findAwsService, prefixListFor } from "../model/catalog/index.js";
import type { DnsEntry, Subnet, Vpc, VpcEndpoint, VpcEndpointType } from "../model/types.js";
import { checkFreeAddresses } from "./addresses.js";
import { type Ctx, base, checkIdFormat, find, get } from "./context.js";
import {
  type CreateVpcEndpointInput, type EndpointRules, type ModifyVpcEndpointInput, type Unsuccessful, addEni, checkGroups, checkPrivateDnsConflict, checkSubnets, checkVpcDnsAttributes, countQuota, param, phzOf, removeEni, validatePolicy, vpceNames,
} from "./endpointChecks.js";
import { createCustomerEndpoint, isCustomerServiceName, modifyCustomerEndpoint } from "./customerEndpoints.js";
import { customerDnsEntries, serviceOfEndpoint } from "./endpointServices.js";
import { dropEndpointNotifications, notifyConnectionEvent } from "./connectionNotifications.js";

export {
  type CreateVpcEndpointInput, type EndpointRules, type ModifyVpcEndpointInput, type Unsuccessful, ENDPOINT_REQUESTER_ID, QUOTAS, validatePolicy,
} from "./endpointChecks.js";
const TYPES: VpcEndpointType[] = ["Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"];

/** The default policies, as AWS returns them (gateway compact, interface pretty-printed). */
export const DEFAULT_POLICY: Record<"Gateway" | "Interface", string> = {
  Gateway: '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
  Interface: '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}',
};


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

/** Private DNS needs both VPC DNS attributes, a service that has a private name, and at most one endpoint per name in the VPC. */
function checkPrivateDns(ctx: Ctx, vpc: Vpc, service: ServiceInfo, self?: string): void {
  checkVpcDnsAttributes(vpc);
  const serviceName = `com.amazonaws.${ctx.region}.${service.code}`;
  // AWS's words for an interface endpoint to a service without one, DynamoDB's say (observed).
  if (service.privateDnsNames.length === 0) throw param(`Private DNS can't be enabled because the service ${serviceName} does not provide a private DNS name.`);
  checkPrivateDnsConflict(ctx, vpc, fill(service.privateDnsNames[0]!, ctx.region), (other) => other.serviceName === serviceName, self);
}

/** The label between the endpoint id and the Region in vpce.amazonaws.com names (ec2, api.sagemaker ...). */
export function dnsLabel(service: ServiceInfo): string {
  const m = /^(?:\*\.)?(.+)\.\{region\}\.amazonaws\.com$/.exec(service.hostname);
  return m ? m[1]! : service.code;
}

/** An endpoint's DnsEntries: regional and zonal vpce.amazonaws.com names, then the private name(s) when enabled. */
export function dnsEntriesFor(ctx: Pick<Ctx, "world">, ep: VpcEndpoint, phzId: string): DnsEntry[] {
  if (ep.serviceId !== undefined) {
    const svc = serviceOfEndpoint(ctx.world, ep);
    return svc ? customerDnsEntries(ctx.world, ep, svc, phzId) : ep.dnsEntries;
  }
  const found = findAwsService(ep.serviceName);
  if (!found || ep.vpcEndpointType !== "Interface") return [];
  const { region, service } = found;
  const star = service.wildcardEndpointNames ? "*." : "";
  const entries: DnsEntry[] = vpceNames(ctx, ep, `${dnsLabel(service)}.${region.name}.vpce.amazonaws.com`, region.vpceHostedZoneId, star);
  if (ep.privateDnsEnabled) {
    for (const name of service.privateDnsNames) entries.push({ dnsName: fill(name, region.name), hostedZoneId: phzId });
  }
  return entries;
}

/**
 * CreateVpcEndpoint. Everything is validated before anything changes. The returned copy shows an
 * interface endpoint as `pending`, as AWS's response does; the stored endpoint settles at once
 * in `available`. Endpoints to customers' endpoint services are made in customerEndpoints.ts.
 */
export function createVpcEndpoint(ctx: Ctx, input: CreateVpcEndpointInput): VpcEndpoint {
  const vpc = get(ctx, "vpcs", input.vpcId);
  const type = (input.vpcEndpointType ?? "Gateway") as VpcEndpointType;
  if (!TYPES.includes(type)) throw new AwsError("InvalidVpcEndpointType", `The VPC endpoint type '${String(input.vpcEndpointType)}' is not valid.`);
  if (isCustomerServiceName(input.serviceName)) return createCustomerEndpoint(ctx, vpc, type, input);
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



function awsRules(ctx: Ctx, service: ServiceInfo): EndpointRules {
  // vpclab offers every AWS service in every AZ of the catalog (docs/FIDELITY.md).
  return { policySupported: service.policySupported, checkZones: () => undefined, checkPrivateDns: (vpc, self) => checkPrivateDns(ctx, vpc, service, self) };
}

export function modifyVpcEndpoint(ctx: Ctx, input: ModifyVpcEndpointInput): void {
  const ep = get(ctx, "vpcEndpoints", input.vpcEndpointId);
  const vpc = ctx.world.vpcs.get(ep.vpcId)!;
  const rules = ep.serviceId !== undefined ? modifyCustomerEndpoint(ctx, ep, input) : awsRules(ctx, findAwsService(ep.serviceName)!.service);
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
    prefixListId = checkRouteTables(ctx, vpc, findAwsService(ep.serviceName)!.service.code, addRt.filter((id) => !ep.routeTableIds.includes(id)));
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
    rules.checkZones(checkSubnets(ctx, vpc, addSn.filter((id) => !ep.subnetIds.includes(id)), kept));
    checkGroups(ctx, vpc, addSg);
    for (const id of removeSg) if (!ep.groupIds.includes(id)) throw param(`Security group ${id} is not associated with ${ep.id}.`);
    const groupsAfter = [...ep.groupIds.filter((g) => !removeSg.includes(g)), ...addSg.filter((g) => !ep.groupIds.includes(g))];
    if (groupsAfter.length === 0 && ep.vpcEndpointType === "Interface") throw param("An interface endpoint must have at least one security group.");
    if (input.privateDnsEnabled === true && !ep.privateDnsEnabled) rules.checkPrivateDns(vpc, ep.id);
    checkFreeAddresses(ctx.world, addSn.filter((id) => !ep.subnetIds.includes(id)).map((id) => ctx.world.subnets.get(id)!));
  }
  if (input.policyDocument !== undefined) {
    if (input.resetPolicy) throw new AwsError("InvalidParameterCombination", "PolicyDocument and ResetPolicy cannot both be specified.");
    if (!rules.policySupported) throw param(`The service ${ep.serviceName} does not support VPC endpoint policies.`);
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
  if (input.resetPolicy && rules.policySupported) ep.policyDocument = DEFAULT_POLICY[gateway ? "Gateway" : "Interface"];
  if (input.policyDocument !== undefined) ep.policyDocument = input.policyDocument;
  ep.dnsEntries = dnsEntriesFor(ctx, ep, phzOf(ep));
}


/** Why an endpoint cannot be deleted yet: a Gateway Load Balancer endpoint that routes still target. */
function stillRouted(ctx: Ctx, ep: VpcEndpoint): string | undefined {
  if (ep.vpcEndpointType !== "GatewayLoadBalancer") return undefined;
  // The routes can be in any of the VPC's tables, edge-associated ones included.
  return ctx.world.routeTables.inVpc(ep.vpcId).find((t) => t.routes.some((r) => r.vpcEndpointId === ep.id))?.id;
}

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
    // "You can only delete Gateway Load Balancer endpoints when the routes that are associated
    // with the endpoint are deleted" (DeleteVpcEndpoints, API reference); the code is vpclab's.
    const rtb = stillRouted(ctx, ep);
    if (rtb !== undefined) {
      failed.push({ resourceId: id, error: { code: "DependencyViolation", message: `The Gateway Load Balancer endpoint ${id} is the target of routes in ${rtb}: delete them first.` } });
      continue;
    }
    for (const rtbId of ep.routeTableIds) {
      const table = ctx.world.routeTables.get(rtbId);
      if (table) table.routes = table.routes.filter((r) => r.gatewayId !== ep.id);
    }
    for (const eniId of [...ep.networkInterfaceIds]) removeEni(ctx, ep, eniId);
    if (ep.serviceId !== undefined) notifyConnectionEvent(ctx.world, "Delete", ep);
    dropEndpointNotifications(ctx.world, ep.id);
    ctx.world.vpcEndpoints.delete(ep.id);
  }
  return failed;
}
