// DescribeVpcEndpointServices: the endpoint services a caller can connect to, as consumers see
// them. Today these are the AWS services of the caller's Region from the catalog; customer
// endpoint services (the provider side, a later issue) join them in `visibleServices`.
import { createHash } from "node:crypto";
import type { Ctx } from "../../control/context.js";
import { dnsLabel } from "../../control/endpoints.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { fill, findRegion, services } from "../../model/catalog/index.js";
import { AwsError } from "../../model/errors.js";
import type { Tag } from "../../model/types.js";
import { type ActionTable, as, paginate } from "../actions.js";
import type { DescribeInput } from "./common.js";

/** One endpoint service as a consumer sees it: one per service type, so S3 and DynamoDB appear twice. */
export interface EndpointServiceView {
  serviceName: string;
  serviceId: string;
  serviceType: "Interface" | "Gateway";
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

/** Every service the caller may connect to. The seam for customer endpoint services. */
export function visibleServices(ctx: Ctx): EndpointServiceView[] {
  const all = [...awsServiceViews(ctx.region)];
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
    managesVpcEndpoints: v.managesVpcEndpoints, tags: v.tags,
    // AWS's own private names need no verification by the consumer.
    privateDnsNameVerificationState: v.privateDnsNames.length ? "verified" : undefined,
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
