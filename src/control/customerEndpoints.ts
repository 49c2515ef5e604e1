// Endpoints to customers' endpoint services (PrivateLink), the consumer's side: interface
// endpoints to Network Load Balancer services and Gateway Load Balancer endpoints to Gateway Load
// Balancer services, only in the Availability Zones the provider's load balancers serve, waiting
// in pendingAcceptance when the service requires acceptance.
import { AwsError } from "../model/errors.js";
import type { Subnet, Vpc, VpcEndpoint, VpcEndpointService, VpcEndpointType } from "../model/types.js";
import type { World } from "../model/world.js";
import { checkFreeAddresses } from "./addresses.js";
import { type Ctx, base } from "./context.js";
import {
  type CreateVpcEndpointInput, type EndpointRules, type ModifyVpcEndpointInput, addEni, checkGroups, checkPrivateDnsConflict, checkSubnets,
  checkVpcDnsAttributes, countQuota, param,
} from "./endpointChecks.js";
import { customerDnsEntries, findServiceByName, serviceOfEndpoint, serviceZones, verifiedPrivateDnsName } from "./endpointServices.js";
import { mayConnect } from "./endpointServicePermissions.js";
import { notifyConnectionEvent } from "./connectionNotifications.js";

/** Customer service names are com.amazonaws.vpce.<region>.vpce-svc-<id>; AWS's own are com.amazonaws.<region>.<service>. */
export function isCustomerServiceName(serviceName: string): boolean {
  return serviceName.startsWith("com.amazonaws.vpce.");
}

/**
 * The service by name, if the caller may connect to it. AWS answers InvalidServiceName alike for
 * a service that does not exist, one in another Region, and one whose owner has not allowed the
 * caller, so as not to reveal that a private service exists.
 */
export function resolveCustomerService(ctx: Ctx, serviceName: string): VpcEndpointService {
  const svc = findServiceByName(ctx.world, serviceName);
  if (!svc || svc.region !== ctx.region || svc.serviceState !== "Available" || !mayConnect(svc, ctx.account)) {
    throw new AwsError("InvalidServiceName", `The Vpc Endpoint Service '${serviceName}' does not exist`);
  }
  return svc;
}

/** Subnets must be in AZs the service's load balancers serve, matched by AZ id (names differ per account on AWS). */
function checkZones(world: World, svc: VpcEndpointService, subnets: Subnet[]): void {
  const offered = new Set(serviceZones(world, svc).map((z) => z.id));
  for (const s of subnets) {
    if (!offered.has(s.availabilityZoneId)) {
      throw param(`The VPC endpoint service ${svc.serviceName} does not support the availability zone of the subnet: ${s.id}.`);
    }
  }
}

/** Private DNS for a customer service: its name must exist and be verified, with the VPC's DNS attributes on. */
function checkPrivateDns(ctx: Ctx, svc: VpcEndpointService | undefined, serviceName: string, vpc: Vpc, self?: string): void {
  checkVpcDnsAttributes(vpc);
  const name = svc && verifiedPrivateDnsName(svc);
  if (name === undefined) {
    // AWS's words for a service without a private name (observed); an unverified one is not usable either.
    const why = svc?.privateDnsName !== undefined ? ` Its private DNS name ${svc.privateDnsName} is not verified yet (${svc.privateDnsNameConfiguration?.state ?? "pendingVerification"}).` : "";
    throw param(`Private DNS can't be enabled because the service ${serviceName} does not provide a private DNS name.${why}`);
  }
  checkPrivateDnsConflict(ctx, vpc, name, (other) => {
    const otherSvc = serviceOfEndpoint(ctx.world, other);
    return otherSvc !== undefined && verifiedPrivateDnsName(otherSvc) === name;
  }, self);
}

/** "You can create a single Gateway Load Balancer endpoint per Availability Zone per service" (PrivateLink guide). */
function checkOnePerZone(ctx: Ctx, vpc: Vpc, svc: VpcEndpointService, subnet: Subnet): void {
  for (const other of ctx.world.vpcEndpoints.inVpc(vpc.id)) {
    if (other.serviceId !== svc.id) continue;
    if (other.subnetIds.some((id) => ctx.world.subnets.get(id)?.availabilityZoneId === subnet.availabilityZoneId)) {
      throw param(`The VPC ${vpc.id} already has Gateway Load Balancer endpoint ${other.id} to ${svc.serviceName} in ${subnet.availabilityZone}: one per Availability Zone per service.`);
    }
  }
}

const NO_GWLB = {
  subnets: "The subnet of a Gateway Load Balancer endpoint cannot be changed: create a new endpoint to use another subnet.",
  groups: "Security groups are not supported for Gateway Load Balancer endpoints.",
  privateDns: "Private DNS is not supported for Gateway Load Balancer endpoints.",
};

/** CreateVpcEndpoint to a customer's service: validated whole, then the endpoint and its ENIs, and the Connect event. */
export function createCustomerEndpoint(ctx: Ctx, vpc: Vpc, type: VpcEndpointType, input: CreateVpcEndpointInput): VpcEndpoint {
  const svc = resolveCustomerService(ctx, input.serviceName);
  if (type !== svc.serviceType) throw param(`The Vpc Endpoint Service '${svc.serviceName}' does not support ${type} type VPC Endpoints.`);
  const gwlb = type === "GatewayLoadBalancer";
  const subnetIds = [...new Set(input.subnetIds ?? [])];
  const groupIds = [...new Set(input.securityGroupIds ?? [])];
  if ((input.routeTableIds ?? []).length) throw param("Route table IDs are only supported for Gateway type VPC Endpoint.");
  if (gwlb) {
    // "You can choose only one Availability Zone in the service consumer VPC" (PrivateLink guide).
    if (subnetIds.length !== 1) throw param("A Gateway Load Balancer endpoint needs exactly one subnet.");
    if (groupIds.length) throw param(NO_GWLB.groups);
    if (input.privateDnsEnabled) throw param(NO_GWLB.privateDns);
  }
  const subnets = checkSubnets(ctx, vpc, subnetIds, []);
  checkZones(ctx.world, svc, subnets);
  if (gwlb) checkOnePerZone(ctx, vpc, svc, subnets[0]!);
  else checkGroups(ctx, vpc, groupIds);
  if (input.privateDnsEnabled) checkPrivateDns(ctx, svc, svc.serviceName, vpc);
  // Customer services report VpcEndpointPolicySupported false: no policy, and no default one shown.
  if (input.policyDocument !== undefined) throw param(`The service ${svc.serviceName} does not support VPC endpoint policies.`);
  countQuota(ctx, vpc, type);
  checkFreeAddresses(ctx.world, subnets);

  const ep: VpcEndpoint = {
    ...base(ctx, "vpce", input.tags),
    vpcEndpointType: type,
    vpcId: vpc.id,
    serviceName: svc.serviceName,
    serviceRegion: svc.region,
    state: svc.acceptanceRequired ? "pendingAcceptance" : "available",
    routeTableIds: [],
    subnetIds: subnets.map((s) => s.id),
    groupIds: gwlb ? [] : groupIds.length ? groupIds : [vpc.defaultSecurityGroupId],
    privateDnsEnabled: !gwlb && input.privateDnsEnabled === true,
    networkInterfaceIds: [],
    ipAddressType: "ipv4",
    dnsRecordIpType: "ipv4",
    dnsSuffix: ctx.world.ids.alnum(8),
    dnsEntries: [],
    creationTimestamp: ctx.world.ids.now(),
    serviceId: svc.id,
    connectionId: ctx.world.ids.next("vpce-con"),
  };
  for (const s of subnets) addEni(ctx, ep, s);
  ep.dnsEntries = customerDnsEntries(ctx.world, ep, svc, `Z${ctx.world.ids.alnum(20).toUpperCase()}`);
  ctx.world.vpcEndpoints.set(ep.id, ep);
  notifyConnectionEvent(ctx.world, "Connect", ep);
  // A service that does not require acceptance accepts at once (vpclab records that as Accept too).
  if (!svc.acceptanceRequired) notifyConnectionEvent(ctx.world, "Accept", ep);
  // AWS's answer shows the request in flight: pendingAcceptance, or pending on its way to available.
  return { ...structuredClone(ep), state: svc.acceptanceRequired ? "pendingAcceptance" : "pending" };
}

/** The rules ModifyVpcEndpoint applies to an endpoint to a customer's service (which may since have been deleted). */
export function modifyCustomerEndpoint(ctx: Ctx, ep: VpcEndpoint, input: ModifyVpcEndpointInput): EndpointRules {
  if (ep.vpcEndpointType === "GatewayLoadBalancer") {
    if ((input.addSubnetIds ?? []).length || (input.removeSubnetIds ?? []).length) throw param(NO_GWLB.subnets);
    if ((input.addSecurityGroupIds ?? []).length || (input.removeSecurityGroupIds ?? []).length) throw param(NO_GWLB.groups);
    if (input.privateDnsEnabled === true) throw param(NO_GWLB.privateDns);
  }
  const svc = serviceOfEndpoint(ctx.world, ep);
  return {
    policySupported: false,
    checkZones: (subnets) => (svc ? checkZones(ctx.world, svc, subnets) : undefined),
    checkPrivateDns: (vpc, self) => checkPrivateDns(ctx, svc, ep.serviceName, vpc, self),
  };
}

/**
 * PrivateDnsEnabled when an API caller leaves it out, for an interface endpoint to a customer's
 * service: on when the service has a verified private DNS name (as the API's documented default
 * "true" does for AWS services), else off rather than an error.
 */
export function customerPrivateDnsDefault(ctx: Ctx, serviceName: string): boolean | undefined {
  const svc = findServiceByName(ctx.world, serviceName);
  return svc && svc.serviceType === "Interface" && mayConnect(svc, ctx.account) && verifiedPrivateDnsName(svc) !== undefined ? true : undefined;
}
