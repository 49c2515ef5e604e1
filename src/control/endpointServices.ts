// Endpoint services, the provider's side of PrivateLink: network load balancers offered to
// interface endpoints, or gateway load balancers to Gateway Load Balancer endpoints, in the
// Availability Zones the load balancers serve. A service's connections are the consumers'
// endpoints that name it (VpcEndpoint.serviceId), in any account.
import { AwsError } from "../model/errors.js";
import { findRegion } from "../model/catalog/index.js";
import type { LoadBalancer } from "../model/loadBalancing.js";
import type { DnsEntry, Tag, VpcEndpoint, VpcEndpointService } from "../model/types.js";
import type { World } from "../model/world.js";
import { type Ctx, base, checkIdFormat, find, get } from "./context.js";
import { type Unsuccessful, param, phzOf, vpceNames } from "./endpointChecks.js";
import { checkIpAddressTypes, checkLoadBalancers, checkPrivateDnsName, checkSupportedRegions } from "./endpointServiceChecks.js";
import { dropServiceNotifications } from "./connectionNotifications.js";

/** Connection states that hold a service: it cannot be deleted, nor its load balancers changed. */
const LIVE: readonly VpcEndpoint["state"][] = ["pendingAcceptance", "pending", "available"];

/** The customer endpoint service with this name, in any account and Region (whether the caller may use it is another matter). */
export function findServiceByName(world: World, serviceName: string): VpcEndpointService | undefined {
  const m = /^com\.amazonaws\.vpce\.[a-z0-9-]+\.(vpce-svc-[0-9a-f]{17})$/.exec(serviceName);
  const svc = m ? world.endpointServices.get(m[1]!) : undefined;
  return svc?.serviceName === serviceName ? svc : undefined;
}

/** The endpoint service an endpoint connects to, when it is a customer's and still exists. */
export function serviceOfEndpoint(world: World, ep: VpcEndpoint): VpcEndpointService | undefined {
  return ep.serviceId === undefined ? undefined : world.endpointServices.get(ep.serviceId);
}

/** The service's load balancers (network or gateway), as they are now. */
export function loadBalancersOf(world: World, svc: VpcEndpointService): LoadBalancer[] {
  return [...svc.networkLoadBalancerArns, ...svc.gatewayLoadBalancerArns]
    .map((arn) => world.loadBalancers.get(arn))
    .filter((lb): lb is LoadBalancer => lb !== undefined);
}

/** The Availability Zones the service is offered in: those its load balancers serve, by name and id. */
export function serviceZones(world: World, svc: VpcEndpointService): { name: string; id: string }[] {
  const zones = new Map<string, string>();
  for (const lb of loadBalancersOf(world, svc)) for (const z of lb.zones) zones.set(z.zoneName, z.zoneId);
  return [...zones].sort(([a], [b]) => a.localeCompare(b)).map(([name, id]) => ({ name, id }));
}

/**
 * The load balancer an endpoint's traffic goes to in one Availability Zone (by AZ id): with
 * several load balancers, "the endpoint connects to one load balancer per Availability Zone"
 * (PrivateLink guide); vpclab picks the first of the service's list that serves the zone.
 */
export function loadBalancerForZone(world: World, svc: VpcEndpointService, zoneId: string): LoadBalancer | undefined {
  return loadBalancersOf(world, svc).find((lb) => lb.zones.some((z) => z.zoneId === zoneId));
}

/** The endpoints connected to the service, from any account, in creation order. */
export function connectionsOf(world: World, svc: VpcEndpointService): VpcEndpoint[] {
  return [...world.vpcEndpoints.values()].filter((ep) => ep.serviceId === svc.id);
}

/** The private DNS name consumers may use: only once the provider has proved it owns the domain. */
export function verifiedPrivateDnsName(svc: VpcEndpointService): string | undefined {
  return svc.privateDnsNameConfiguration?.state === "verified" ? svc.privateDnsName : undefined;
}

/**
 * An endpoint's DnsEntries for a customer service: regional and zonal names under the service's
 * id (`vpce-<id>-<sfx>[-<az>].vpce-svc-<id>.<region>.vpce.amazonaws.com`), then the service's
 * private name when the endpoint enables private DNS and the name is verified. Gateway Load
 * Balancer endpoints have no DNS names: traffic reaches them by routes.
 */
export function customerDnsEntries(world: World, ep: VpcEndpoint, svc: VpcEndpointService, phzId: string): DnsEntry[] {
  if (ep.vpcEndpointType !== "Interface") return [];
  const zone = findRegion(svc.region)?.vpceHostedZoneId ?? "";
  const entries: DnsEntry[] = vpceNames({ world }, ep, `${svc.id}.${svc.region}.vpce.amazonaws.com`, zone);
  const name = verifiedPrivateDnsName(svc);
  if (ep.privateDnsEnabled && name !== undefined) entries.push({ dnsName: name, hostedZoneId: phzId });
  return entries;
}

/** Recomputes the DNS entries of the service's endpoints after its private name changed. */
function refreshEndpointDns(world: World, svc: VpcEndpointService): void {
  for (const ep of connectionsOf(world, svc)) ep.dnsEntries = customerDnsEntries(world, ep, svc, phzOf(ep));
}

function hasLiveConnections(world: World, svc: VpcEndpointService): boolean {
  return connectionsOf(world, svc).some((ep) => LIVE.includes(ep.state));
}

function existingConnections(): AwsError {
  // The message AWS answers (observed in DeleteVpcEndpointServiceConfigurations' unsuccessful items).
  return new AwsError("ExistingVpcEndpointConnections", "Service has existing active VPC Endpoint connections!");
}

/** A fresh private DNS name configuration: the TXT record the provider must publish to prove the domain. */
function pendingVerification(ctx: Ctx): NonNullable<VpcEndpointService["privateDnsNameConfiguration"]> {
  return { state: "pendingVerification", type: "TXT", name: `_${ctx.world.ids.alnum(20)}`, value: `vpce:${ctx.world.ids.alnum(20)}` };
}

export interface CreateEndpointServiceInput {
  networkLoadBalancerArns?: string[];
  gatewayLoadBalancerArns?: string[];
  acceptanceRequired?: boolean;
  privateDnsName?: string;
  supportedIpAddressTypes?: string[];
  supportedRegions?: string[];
  tags?: Tag[];
}

/** CreateVpcEndpointServiceConfiguration: validated whole, then stored `Available` at once. */
export function createEndpointService(ctx: Ctx, input: CreateEndpointServiceInput): VpcEndpointService {
  const nlbs = [...new Set(input.networkLoadBalancerArns ?? [])];
  const gwlbs = [...new Set(input.gatewayLoadBalancerArns ?? [])];
  if ((nlbs.length > 0) === (gwlbs.length > 0)) {
    // AWS's words when neither is given (observed); a service cannot mix the two kinds either.
    throw param("exactly one of network_load_balancer_arn or gateway_load_balancer_arn is a required member");
  }
  const kind = nlbs.length > 0 ? "network" : "gateway";
  const lbs = checkLoadBalancers(ctx, kind, kind === "network" ? nlbs : gwlbs);
  const ipTypes = checkIpAddressTypes(input.supportedIpAddressTypes ?? ["ipv4"], lbs);
  const regions = checkSupportedRegions(ctx, input.supportedRegions ?? []);
  if (input.privateDnsName !== undefined) checkPrivateDnsName(input.privateDnsName, kind);

  const svc: VpcEndpointService = {
    ...base(ctx, "vpce-svc", input.tags),
    serviceType: kind === "network" ? "Interface" : "GatewayLoadBalancer",
    serviceName: "",
    serviceState: "Available",
    // The API reference states no default; vpclab takes the console's (docs/FIDELITY.md).
    acceptanceRequired: input.acceptanceRequired ?? true,
    networkLoadBalancerArns: kind === "network" ? nlbs : [],
    gatewayLoadBalancerArns: kind === "gateway" ? gwlbs : [],
    supportedIpAddressTypes: ipTypes,
    supportedRegions: regions,
    allowedPrincipals: [],
    creationTimestamp: ctx.world.ids.now(),
  };
  svc.serviceName = `com.amazonaws.vpce.${ctx.region}.${svc.id}`;
  if (input.privateDnsName !== undefined) {
    svc.privateDnsName = input.privateDnsName;
    svc.privateDnsNameConfiguration = pendingVerification(ctx);
  }
  ctx.world.endpointServices.set(svc.id, svc);
  return structuredClone(svc);
}

export interface ModifyEndpointServiceInput {
  serviceId: string;
  acceptanceRequired?: boolean;
  privateDnsName?: string;
  removePrivateDnsName?: boolean;
  addNetworkLoadBalancerArns?: string[];
  removeNetworkLoadBalancerArns?: string[];
  addGatewayLoadBalancerArns?: string[];
  removeGatewayLoadBalancerArns?: string[];
  addSupportedIpAddressTypes?: string[];
  removeSupportedIpAddressTypes?: string[];
  addSupportedRegions?: string[];
  removeSupportedRegions?: string[];
}

/** The service's load balancer ARNs after adding and removing some, checked; undefined when unchanged. */
function changedLoadBalancers(ctx: Ctx, svc: VpcEndpointService, input: ModifyEndpointServiceInput): { arns: string[]; lbs: LoadBalancer[] } | undefined {
  const network = svc.serviceType === "Interface";
  const add = [...new Set(network ? input.addNetworkLoadBalancerArns ?? [] : input.addGatewayLoadBalancerArns ?? [])];
  const remove = [...new Set(network ? input.removeNetworkLoadBalancerArns ?? [] : input.removeGatewayLoadBalancerArns ?? [])];
  const other = network ? [...input.addGatewayLoadBalancerArns ?? [], ...input.removeGatewayLoadBalancerArns ?? []] : [...input.addNetworkLoadBalancerArns ?? [], ...input.removeNetworkLoadBalancerArns ?? []];
  if (other.length > 0) {
    throw param(`The service ${svc.id} is a ${network ? "Network" : "Gateway"} Load Balancer service: it cannot take ${network ? "Gateway" : "Network"} Load Balancers.`);
  }
  if (add.length === 0 && remove.length === 0) return undefined;
  // "You cannot ... change the load balancers for the endpoint service if there are endpoints
  // attached to the service" (EC2 error codes, ExistingVpcEndpointConnections).
  if (hasLiveConnections(ctx.world, svc)) throw existingConnections();
  const current = network ? svc.networkLoadBalancerArns : svc.gatewayLoadBalancerArns;
  for (const arn of remove) if (!current.includes(arn)) throw param(`The load balancer ${arn} is not associated with the service ${svc.id}.`);
  const arns = [...current.filter((a) => !remove.includes(a)), ...add.filter((a) => !current.includes(a))];
  if (arns.length === 0) throw param(`The service ${svc.id} must keep at least one load balancer.`);
  return { arns, lbs: checkLoadBalancers(ctx, network ? "network" : "gateway", arns, svc.id) };
}

/** ModifyVpcEndpointServiceConfiguration: every change checked before any is made. */
export function modifyEndpointService(ctx: Ctx, input: ModifyEndpointServiceInput): void {
  const svc = get(ctx, "endpointServices", input.serviceId);
  if (input.privateDnsName !== undefined && input.removePrivateDnsName === true) {
    throw new AwsError("InvalidParameterCombination", "PrivateDnsName and RemovePrivateDnsName cannot both be specified.");
  }
  if (input.privateDnsName !== undefined) checkPrivateDnsName(input.privateDnsName, svc.serviceType === "Interface" ? "network" : "gateway");
  const lbChange = changedLoadBalancers(ctx, svc, input);
  const lbs = lbChange?.lbs ?? loadBalancersOf(ctx.world, svc);
  const addIp = input.addSupportedIpAddressTypes ?? [];
  const removeIp = input.removeSupportedIpAddressTypes ?? [];
  const ipTypes = addIp.length || removeIp.length || lbChange
    ? checkIpAddressTypes([...svc.supportedIpAddressTypes.filter((t) => !removeIp.includes(t)), ...addIp], lbs)
    : svc.supportedIpAddressTypes;
  const removeRegions = input.removeSupportedRegions ?? [];
  if (removeRegions.includes(svc.region)) throw param(`The service's own Region ${svc.region} cannot be removed from its supported Regions.`);
  const regions = checkSupportedRegions(ctx, [...svc.supportedRegions.filter((r) => !removeRegions.includes(r)), ...input.addSupportedRegions ?? []]);

  if (lbChange) {
    if (svc.serviceType === "Interface") svc.networkLoadBalancerArns = lbChange.arns;
    else svc.gatewayLoadBalancerArns = lbChange.arns;
  }
  svc.supportedIpAddressTypes = ipTypes;
  svc.supportedRegions = regions;
  if (input.acceptanceRequired !== undefined) svc.acceptanceRequired = input.acceptanceRequired;
  if (input.removePrivateDnsName === true || (input.privateDnsName !== undefined && input.privateDnsName !== svc.privateDnsName)) {
    // A new name must be proved again: consumers lose it until it is verified (AWS PrivateLink guide, "Manage DNS names").
    delete svc.privateDnsName;
    delete svc.privateDnsNameConfiguration;
    if (input.privateDnsName !== undefined) {
      svc.privateDnsName = input.privateDnsName;
      svc.privateDnsNameConfiguration = pendingVerification(ctx);
    }
    refreshEndpointDns(ctx.world, svc);
  }
}

/** DeleteVpcEndpointServiceConfigurations: per id; the load balancers stay. */
export function deleteEndpointServices(ctx: Ctx, ids: string[]): Unsuccessful[] {
  const failed: Unsuccessful[] = [];
  for (const id of [...new Set(ids)]) {
    try {
      checkIdFormat("endpointServices", id);
      const svc = find(ctx, "endpointServices", id);
      // The bulk-call code and message AWS answers for a service that is not there (observed).
      if (!svc) throw new AwsError("InvalidVpcEndpointService.NotFound", `The VpcEndpointService Id '${id}' does not exist`);
      if (hasLiveConnections(ctx.world, svc)) throw existingConnections();
      dropServiceNotifications(ctx.world, svc.id);
      ctx.world.endpointServices.delete(svc.id);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      failed.push({ resourceId: id, error: { code: e.code, message: e.message } });
    }
  }
  return failed;
}

/** ModifyVpcEndpointServicePayerResponsibility: ServiceOwner is the only value, and there is no way back. */
export function setPayerResponsibility(ctx: Ctx, serviceId: string, payer: string): void {
  const svc = get(ctx, "endpointServices", serviceId);
  if (payer !== "ServiceOwner") {
    throw new AwsError("InvalidParameterValue", `Value (${payer}) for parameter PayerResponsibility is invalid. Valid values: ServiceOwner.`);
  }
  svc.payerResponsibility = "ServiceOwner";
}

/**
 * StartVpcEndpointServicePrivateDnsVerification. AWS looks up the TXT record in the domain's
 * public DNS; vpclab has no public zone to hold it, so the call stands for the record being
 * published, and the name is verified at once (docs/FIDELITY.md).
 */
export function verifyPrivateDnsName(ctx: Ctx, serviceId: string): void {
  const svc = get(ctx, "endpointServices", serviceId);
  if (!svc.privateDnsName || !svc.privateDnsNameConfiguration) throw param(`The service ${svc.id} has no private DNS name to verify.`);
  svc.privateDnsNameConfiguration.state = "verified";
  refreshEndpointDns(ctx.world, svc);
}
