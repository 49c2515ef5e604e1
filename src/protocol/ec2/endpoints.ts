// VPC endpoints on the wire, consumer side: CreateVpcEndpoint, ModifyVpcEndpoint,
// DescribeVpcEndpoints and DeleteVpcEndpoints (DescribeVpcEndpointServices is in endpointServices.ts).
import { type Ctx, get } from "../../control/context.js";
import { createVpcEndpoint, deleteVpcEndpoints, modifyVpcEndpoint, type ModifyVpcEndpointInput } from "../../control/endpoints.js";
import { customerPrivateDnsDefault, isCustomerServiceName } from "../../control/customerEndpoints.js";
import type { FilterTable } from "../../control/filters.js";
import { findAwsService } from "../../model/catalog/index.js";
import { AwsError } from "../../model/errors.js";
import type { VpcEndpoint } from "../../model/types.js";
import type { World } from "../../model/world.js";
import { type ActionTable, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe } from "./common.js";
import { ENDPOINT_SERVICE_ACTIONS, capAt1000 } from "./endpointServices.js";

/** A VPC endpoint as the API shows it (spec section 8's CreateVpcEndpoint example, member for member). */
export function presentVpcEndpoint(world: World, ep: VpcEndpoint): object {
  return {
    vpcEndpointId: ep.id, vpcEndpointType: ep.vpcEndpointType, vpcId: ep.vpcId, serviceName: ep.serviceName,
    state: ep.state, policyDocument: ep.policyDocument, routeTableIds: ep.routeTableIds, subnetIds: ep.subnetIds,
    groups: ep.groupIds.map((groupId) => ({ groupId, groupName: world.securityGroups.get(groupId)?.groupName })),
    ipAddressType: ep.ipAddressType, dnsOptions: { dnsRecordIpType: ep.dnsRecordIpType },
    privateDnsEnabled: ep.privateDnsEnabled,
    // True only for endpoints AWS services create in your VPC on your behalf; never for yours.
    requesterManaged: false,
    networkInterfaceIds: ep.networkInterfaceIds, dnsEntries: ep.dnsEntries, creationTimestamp: ep.creationTimestamp,
    tags: ep.tags, ownerId: ep.ownerId, serviceRegion: ep.serviceRegion,
  };
}

const ENDPOINT_FILTERS: FilterTable<VpcEndpoint> = {
  "ip-address-type": (e) => e.ipAddressType,
  "service-name": (e) => e.serviceName,
  "service-region": (e) => e.serviceRegion,
  "vpc-id": (e) => e.vpcId,
  "vpc-endpoint-id": (e) => e.id,
  "vpc-endpoint-state": (e) => e.state,
  "vpc-endpoint-type": (e) => e.vpcEndpointType,
};

const TYPES = ["Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"];
const IP_ADDRESS_TYPES = ["ipv4", "dualstack", "ipv6"];
const DNS_RECORD_IP_TYPES = ["ipv4", "dualstack", "ipv6", "service-defined"];

interface DnsOptionsSpecification {
  dnsRecordIpType?: string;
  privateDnsOnlyForInboundResolverEndpoint?: boolean;
  privateDnsPreference?: string;
  privateDnsSpecifiedDomains?: string[];
}

/** Parameters vpclab does not model yet: refused by name rather than silently ignored. */
function notModelled(what: string): AwsError {
  return new AwsError("InvalidParameterValue", `vpclab does not model ${what} yet`);
}

function badEnum(param: string, value: string, allowed: string[]): AwsError {
  return new AwsError("InvalidParameterValue", `Value (${value}) for parameter ${param} is invalid. Valid values: ${allowed.join(", ")}.`);
}

/**
 * IpAddressType and DnsOptions, shared by Create and Modify. vpclab's subnets are IPv4 only, so
 * only `ipv4` addresses are possible, and with them AWS allows only `ipv4` DNS records (the
 * other record types need an IPv6 or dualstack endpoint).
 */
function checkIpOptions(ipAddressType: string | undefined, dns: DnsOptionsSpecification | undefined): void {
  if (ipAddressType !== undefined) {
    if (!IP_ADDRESS_TYPES.includes(ipAddressType)) throw badEnum("IpAddressType", ipAddressType, IP_ADDRESS_TYPES);
    if (ipAddressType !== "ipv4") throw notModelled(`IPv6 addressing (IpAddressType ${ipAddressType}); endpoints are ipv4`);
  }
  const record = dns?.dnsRecordIpType;
  if (record !== undefined) {
    if (!DNS_RECORD_IP_TYPES.includes(record)) throw badEnum("DnsOptions.DnsRecordIpType", record, DNS_RECORD_IP_TYPES);
    if (record !== "ipv4") {
      throw new AwsError("InvalidParameter", `DnsRecordIpType ${record} requires IpAddressType ${record === "ipv6" ? "ipv6 or dualstack" : "dualstack"}.`);
    }
  }
  if (dns?.privateDnsOnlyForInboundResolverEndpoint === true) throw notModelled("PrivateDnsOnlyForInboundResolverEndpoint");
  if (dns?.privateDnsPreference !== undefined || dns?.privateDnsSpecifiedDomains !== undefined) {
    throw notModelled("PrivateDnsPreference and PrivateDnsSpecifiedDomains (resource and service-network endpoints)");
  }
}

interface CreateInput {
  vpcId: string;
  serviceName?: string;
  vpcEndpointType?: string;
  routeTableIds?: string[];
  subnetIds?: string[];
  securityGroupIds?: string[];
  policyDocument?: string;
  privateDnsEnabled?: boolean;
  ipAddressType?: string;
  dnsOptions?: DnsOptionsSpecification;
  tagSpecifications?: TagSpecification[];
  clientToken?: string;
  subnetConfigurations?: unknown[];
  serviceNetworkArn?: string;
  resourceConfigurationArn?: string;
  serviceRegion?: string;
}

/**
 * PrivateDnsEnabled when the caller leaves it out. The EC2 API Reference documented
 * "Default: true" for it (botocore models up to 1.29 and the documentation copied from them),
 * and the console turns it on for AWS services too; so an interface endpoint to a service that
 * has a private DNS name (for a customer's service, a verified one) gets private DNS unless the
 * caller says otherwise. Lab files call the control layer and keep their own explicit default.
 */
function privateDnsDefault(ctx: Ctx, i: CreateInput, type: string): boolean | undefined {
  if (i.privateDnsEnabled !== undefined || type !== "Interface" || i.serviceName === undefined) return i.privateDnsEnabled;
  if (isCustomerServiceName(i.serviceName)) return customerPrivateDnsDefault(ctx, i.serviceName);
  const found = findAwsService(i.serviceName);
  return found !== undefined && found.service.privateDnsNames.length > 0 ? true : undefined;
}

/** Everything the protocol knows that the control layer does not check; all before any change. */
function checkCreate(ctx: Ctx, i: CreateInput): string {
  get(ctx, "vpcs", i.vpcId);
  const type = i.vpcEndpointType ?? "Gateway";
  if (!TYPES.includes(type)) throw new AwsError("InvalidVpcEndpointType", `The VPC endpoint type '${type}' is not valid.`);
  if (type === "Resource" || type === "ServiceNetwork" || i.resourceConfigurationArn !== undefined || i.serviceNetworkArn !== undefined) {
    throw notModelled("Resource and ServiceNetwork endpoints (VPC Lattice)");
  }
  if (i.serviceName === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter ServiceName");
  if (i.subnetConfigurations !== undefined) throw notModelled("SubnetConfiguration (fixed endpoint addresses)");
  if (i.serviceRegion !== undefined && i.serviceRegion !== ctx.region) throw notModelled(`cross-Region endpoints (ServiceRegion ${i.serviceRegion})`);
  checkIpOptions(i.ipAddressType, i.dnsOptions);
  return type;
}

export const ENDPOINT_ACTIONS: ActionTable = {
  CreateVpcEndpoint: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<CreateInput>(input);
      const type = checkCreate(ctx, i);
      const tags = tagsFor(i.tagSpecifications, "vpc-endpoint");
      const privateDnsEnabled = privateDnsDefault(ctx, i, type);
      const ep = createVpcEndpoint(ctx, {
        vpcId: i.vpcId, serviceName: i.serviceName!, vpcEndpointType: type, tags,
        ...(i.routeTableIds !== undefined ? { routeTableIds: i.routeTableIds } : {}),
        ...(i.subnetIds !== undefined ? { subnetIds: i.subnetIds } : {}),
        ...(i.securityGroupIds !== undefined ? { securityGroupIds: i.securityGroupIds } : {}),
        ...(i.policyDocument !== undefined ? { policyDocument: i.policyDocument } : {}),
        ...(privateDnsEnabled !== undefined ? { privateDnsEnabled } : {}),
      });
      // The engine makes ClientToken idempotent; the response echoes the token as AWS's does.
      return { vpcEndpoint: presentVpcEndpoint(ctx.world, ep), clientToken: i.clientToken };
    },
  },
  ModifyVpcEndpoint: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<ModifyVpcEndpointInput & { ipAddressType?: string; dnsOptions?: DnsOptionsSpecification; subnetConfigurations?: unknown[] }>(input);
      get(ctx, "vpcEndpoints", i.vpcEndpointId);
      if (i.subnetConfigurations !== undefined) throw notModelled("SubnetConfiguration (fixed endpoint addresses)");
      checkIpOptions(i.ipAddressType, i.dnsOptions);
      modifyVpcEndpoint(ctx, i);
      return { return: true };
    },
  },
  DescribeVpcEndpoints: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { vpcEndpointIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "vpcEndpoints", i.vpcEndpointIds, { ...i, maxResults: capAt1000(i.maxResults) },
        ENDPOINT_FILTERS, (e) => presentVpcEndpoint(ctx.world, e), { min: 1, max: 1000 });
      return { vpcEndpoints: items, nextToken };
    },
  },
  DeleteVpcEndpoints: {
    mutates: true,
    // Bulk, per id: the missing and malformed come back in `unsuccessful` and the rest are deleted.
    run: (ctx, input) => ({ unsuccessful: deleteVpcEndpoints(ctx, as<{ vpcEndpointIds: string[] }>(input).vpcEndpointIds) }),
  },
  ...ENDPOINT_SERVICE_ACTIONS,
};
