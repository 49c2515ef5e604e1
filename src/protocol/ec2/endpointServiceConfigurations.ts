// Endpoint services on the wire, provider side: Create/Modify/Describe/DeleteVpcEndpointService-
// Configuration(s), payer responsibility, private DNS verification, and permissions.
import { type Ctx, get } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import {
  type CreateEndpointServiceInput, type ModifyEndpointServiceInput, createEndpointService, deleteEndpointServices, modifyEndpointService,
  serviceZones, setPayerResponsibility, verifyPrivateDnsName,
} from "../../control/endpointServices.js";
import { type AllowedPrincipal, modifyServicePermissions } from "../../control/endpointServicePermissions.js";
import type { Tag, VpcEndpointService } from "../../model/types.js";
import { type ActionTable, type TagSpecification, as, paginate, tagsFor } from "../actions.js";
import { type DescribeInput, describe } from "./common.js";
import { capAt1000 } from "./endpointServices.js";

/** A service as its owner sees it (ServiceConfiguration); Gateway Load Balancer services have no base DNS name. */
export function presentServiceConfiguration(ctx: Ctx, svc: VpcEndpointService): object {
  const zones = serviceZones(ctx.world, svc);
  const iface = svc.serviceType === "Interface";
  return {
    serviceType: [{ serviceType: svc.serviceType }], serviceId: svc.id, serviceName: svc.serviceName, serviceState: svc.serviceState,
    availabilityZoneIds: zones.map((z) => z.id), availabilityZones: zones.map((z) => z.name),
    acceptanceRequired: svc.acceptanceRequired, managesVpcEndpoints: false,
    networkLoadBalancerArns: iface ? svc.networkLoadBalancerArns : undefined,
    gatewayLoadBalancerArns: iface ? undefined : svc.gatewayLoadBalancerArns,
    supportedIpAddressTypes: svc.supportedIpAddressTypes,
    baseEndpointDnsNames: iface ? [`${svc.id}.${svc.region}.vpce.amazonaws.com`] : undefined,
    privateDnsName: svc.privateDnsName, privateDnsNameConfiguration: svc.privateDnsNameConfiguration,
    payerResponsibility: svc.payerResponsibility, tags: svc.tags,
    supportedRegions: svc.supportedRegions.map((region) => ({ region, serviceState: "Available" })),
    remoteAccessEnabled: svc.supportedRegions.length > 1,
  };
}

const CONFIGURATION_FILTERS: FilterTable<VpcEndpointService> = {
  "service-name": (s) => s.serviceName,
  "service-id": (s) => s.id,
  "service-state": (s) => s.serviceState,
  "supported-ip-address-types": (s) => s.supportedIpAddressTypes,
};

type PermissionRow = AllowedPrincipal & { tags: Tag[] };

const PERMISSION_FILTERS: FilterTable<PermissionRow> = {
  "principal": (p) => p.principal,
  "principal-type": (p) => p.principalType,
};

type CreateInput = CreateEndpointServiceInput & { tagSpecifications?: TagSpecification[]; clientToken?: string };

export const ENDPOINT_SERVICE_CONFIGURATION_ACTIONS: ActionTable = {
  CreateVpcEndpointServiceConfiguration: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<CreateInput>(input);
      const tags = tagsFor(i.tagSpecifications, "vpc-endpoint-service");
      const svc = createEndpointService(ctx, { ...i, tags });
      // The engine makes ClientToken idempotent; the response echoes it as AWS's does.
      return { serviceConfiguration: presentServiceConfiguration(ctx, svc), clientToken: i.clientToken };
    },
  },
  ModifyVpcEndpointServiceConfiguration: {
    mutates: true,
    run: (ctx, input) => {
      modifyEndpointService(ctx, as<ModifyEndpointServiceInput>(input));
      return { return: true };
    },
  },
  DescribeVpcEndpointServiceConfigurations: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { serviceIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "endpointServices", i.serviceIds, { ...i, maxResults: capAt1000(i.maxResults) },
        CONFIGURATION_FILTERS, (s) => presentServiceConfiguration(ctx, s), { min: 5, max: 1000 });
      return { serviceConfigurations: items, nextToken };
    },
  },
  DeleteVpcEndpointServiceConfigurations: {
    mutates: true,
    // Bulk, per id: a service with live connections (or not found) comes back in `unsuccessful`.
    run: (ctx, input) => ({ unsuccessful: deleteEndpointServices(ctx, as<{ serviceIds: string[] }>(input).serviceIds) }),
  },
  ModifyVpcEndpointServicePayerResponsibility: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ serviceId: string; payerResponsibility: string }>(input);
      setPayerResponsibility(ctx, i.serviceId, i.payerResponsibility);
      return { returnValue: true };
    },
  },
  StartVpcEndpointServicePrivateDnsVerification: {
    mutates: true,
    run: (ctx, input) => {
      verifyPrivateDnsName(ctx, as<{ serviceId: string }>(input).serviceId);
      return { returnValue: true };
    },
  },
  ModifyVpcEndpointServicePermissions: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ serviceId: string; addAllowedPrincipals?: string[]; removeAllowedPrincipals?: string[] }>(input);
      const added = modifyServicePermissions(ctx, i);
      return { addedPrincipals: added.map((p) => ({ ...p, serviceId: i.serviceId })), returnValue: true };
    },
  },
  DescribeVpcEndpointServicePermissions: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { serviceId: string }>(input);
      const svc = get(ctx, "endpointServices", i.serviceId);
      const { page, nextToken } = paginate(
        applyFilters(svc.allowedPrincipals.map((p): PermissionRow => ({ ...p, tags: [] })), i.filters, PERMISSION_FILTERS), { ...i, maxResults: capAt1000(i.maxResults) }, { min: 5, max: 1000 }, (p) => p.servicePermissionId,
      );
      return { allowedPrincipals: page.map((p) => ({ ...p, serviceId: svc.id })), nextToken };
    },
  },
};

