// DescribeVpcEndpointServices: the endpoint services a caller can connect to, as consumers see
// them: the AWS services of the caller's Region from the catalog, and the customer endpoint
// services of that Region whose owners allow the caller (or that the caller owns).
import { createHash } from "node:crypto";
import type { Ctx } from "../../control/context.js";
import { dnsLabel } from "../../control/endpoints.js";
import { serviceZones } from "../../control/endpointServices.js";
import { visibleEndpointServices } from "../../control/endpointServicePermissions.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { fill, findRegion, services } from "../../model/catalog/index.js";
import { AwsError } from "../../model/errors.js";
import type { Tag, VpcEndpointService } from "../../model/types.js";
import { type ActionTable, as, paginate } from "../actions.js";
import type { DescribeInput } from "./common.js";

/** One endpoint service as a consumer sees it: one per service type, so S3 and DynamoDB appear twice. */
export interface EndpointServiceView {
  serviceName: string;
  serviceId: string;
  serviceType: "Interface" | "Gateway" | "GatewayLoadBalancer";
  serviceRegion: string;
  owner: string;
  availabilityZones: string[];
  availabilityZoneIds: string[];
  baseEndpointDnsNames: string[];
  privateDnsNames: string[];
  vpcEndpointPolicySupported: boolean;
  acceptanceRequired: boolean;
  managesVpcEndpoints: boolean;
  supportedIpAddressTypes: string[];
  tags: Tag[];
  payerResponsibility?: string;
  /** For a customer service with a private DNS name: pendingVerification, verified or failed. */
  privateDnsNameVerificationState?: string;
}

/**
 * A stable `vpce-svc-` id per service, type and Region. AWS's ids for its own services are opaque
 * and differ per Region; a hash keeps ours the same across runs and restarts.
 */
export function awsServiceId(region: string, code: string, type: string): string {
  return `vpce-svc-${createHash("sha256").update(`${region}/${code}/${type}`).digest("hex").slice(0, 17)}`;
}

/** The catalog's AWS services in one Region. */
export function awsServiceViews(regionName: string): EndpointServiceView[] {
  const region = findRegion(regionName);
  if (!region) return [];
  const out: EndpointServiceView[] = [];
  for (const service of services()) {
    for (const type of service.types) {
      const gateway = type === "Gateway";
      out.push({
        serviceName: `com.amazonaws.${region.name}.${service.code}`,
        serviceId: awsServiceId(region.name, service.code, type),
        serviceType: type,
        serviceRegion: region.name,
        owner: "amazon",
        // vpclab offers every AWS service in every AZ of the catalog (docs/FIDELITY.md).
        availabilityZones: region.availabilityZones.map((az) => az.name),
        availabilityZoneIds: region.availabilityZones.map((az) => az.id),
        // A gateway service's base name is the public service name (AWS's CLI example for
        // DynamoDB); an interface service's is the regional vpce.amazonaws.com name.
        baseEndpointDnsNames: [gateway ? fill(service.hostname, region.name) : `${dnsLabel(service)}.${region.name}.vpce.amazonaws.com`],
        privateDnsNames: gateway ? [] : service.privateDnsNames.map((n) => fill(n, region.name)),
        vpcEndpointPolicySupported: service.policySupported,
        acceptanceRequired: false,
        managesVpcEndpoints: false,
        supportedIpAddressTypes: ["ipv4"],
        tags: [],
      });
    }
  }
  return out;
}

/**
 * A customer's endpoint service as a consumer sees it: owned by the provider's account, no
 * endpoint policies (VpcEndpointPolicySupported false), the private DNS name with its
 * verification state. Gateway Load Balancer services have no base DNS name. Only the owner sees
 * the service's tags.
 */
function customerServiceView(ctx: Ctx, svc: VpcEndpointService): EndpointServiceView {
  const zones = serviceZones(ctx.world, svc);
  return {
    serviceName: svc.serviceName, serviceId: svc.id, serviceType: svc.serviceType, serviceRegion: svc.region, owner: svc.ownerId,
    availabilityZones: zones.map((z) => z.name), availabilityZoneIds: zones.map((z) => z.id),
    baseEndpointDnsNames: svc.serviceType === "Interface" ? [`${svc.id}.${svc.region}.vpce.amazonaws.com`] : [],
    privateDnsNames: svc.privateDnsName !== undefined ? [svc.privateDnsName] : [],
    vpcEndpointPolicySupported: false, acceptanceRequired: svc.acceptanceRequired, managesVpcEndpoints: false,
    supportedIpAddressTypes: svc.supportedIpAddressTypes, tags: svc.ownerId === ctx.account ? svc.tags : [],
    ...(svc.payerResponsibility !== undefined ? { payerResponsibility: svc.payerResponsibility } : {}),
    ...(svc.privateDnsNameConfiguration !== undefined ? { privateDnsNameVerificationState: svc.privateDnsNameConfiguration.state } : {}),
  };
}

/** Every service the caller may connect to: AWS's, and the customers' that allow the caller. */
export function visibleServices(ctx: Ctx): EndpointServiceView[] {
  const all = [...awsServiceViews(ctx.region), ...visibleEndpointServices(ctx).map((svc) => customerServiceView(ctx, svc))];
  // AWS lists services by name; S3's and DynamoDB's Gateway entry comes before their Interface one.
  return all.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.serviceType.localeCompare(b.serviceType));
}

export function presentServiceDetail(v: EndpointServiceView): object {
  return {
    serviceName: v.serviceName, serviceId: v.serviceId, serviceType: [{ serviceType: v.serviceType }],
    serviceRegion: v.serviceRegion, availabilityZoneIds: v.availabilityZoneIds, availabilityZones: v.availabilityZones,
    owner: v.owner, baseEndpointDnsNames: v.baseEndpointDnsNames,
    privateDnsName: v.privateDnsNames[0],
    privateDnsNames: v.privateDnsNames.length ? v.privateDnsNames.map((privateDnsName) => ({ privateDnsName })) : undefined,
    vpcEndpointPolicySupported: v.vpcEndpointPolicySupported, acceptanceRequired: v.acceptanceRequired,
    managesVpcEndpoints: v.managesVpcEndpoints, tags: v.tags, payerResponsibility: v.payerResponsibility,
    // AWS's own private names need no verification by the consumer.
    privateDnsNameVerificationState: v.privateDnsNameVerificationState ?? (v.privateDnsNames.length ? "verified" : undefined),
    supportedIpAddressTypes: v.supportedIpAddressTypes,
  };
}

const SERVICE_FILTERS: FilterTable<EndpointServiceView> = {
  "owner": (v) => v.owner,
  "service-name": (v) => v.serviceName,
  "service-region": (v) => v.serviceRegion,
  "service-type": (v) => v.serviceType,
  "supported-ip-address-types": (v) => v.supportedIpAddressTypes,
};

/** MaxResults above 1,000 is served as 1,000, as the API reference says, rather than refused. */
export function capAt1000(maxResults: number | undefined): number | undefined {
  return maxResults === undefined ? undefined : Math.min(maxResults, 1000);
}

export const ENDPOINT_SERVICE_ACTIONS: ActionTable = {
  DescribeVpcEndpointServices: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { serviceNames?: string[]; serviceRegions?: string[] }>(input);
      let all = visibleServices(ctx);
      if (i.serviceNames && i.serviceNames.length > 0) {
        const known = new Set(all.map((v) => v.serviceName));
        const missing = i.serviceNames.find((n) => !known.has(n));
        // The same answer as CreateVpcEndpoint gives for a service the caller cannot use.
        if (missing !== undefined) throw new AwsError("InvalidServiceName", `The Vpc Endpoint Service '${missing}' does not exist`);
        all = all.filter((v) => i.serviceNames!.includes(v.serviceName));
      }
      if (i.serviceRegions && i.serviceRegions.length > 0) all = all.filter((v) => i.serviceRegions!.includes(v.serviceRegion));
      const { page, nextToken } = paginate(applyFilters(all, i.filters, SERVICE_FILTERS), { ...i, maxResults: capAt1000(i.maxResults) }, { min: 1, max: 1000 });
      return { serviceNames: [...new Set(page.map((v) => v.serviceName))], serviceDetails: page.map(presentServiceDetail), nextToken };
    },
  },
};
