// VPCs and subnets on the wire: Create/Delete/Describe, the DNS attributes, subnet attributes.
import { createSubnet, deleteSubnet, modifySubnetAttribute } from "../../control/subnets.js";
import { createVpc, deleteVpc, describeVpcAttribute, modifyVpcAttribute, type VpcAttribute } from "../../control/vpcs.js";
import type { FilterTable } from "../../control/filters.js";
import { get } from "../../control/context.js";
import { AwsError } from "../../model/errors.js";
import { freeAddressCount } from "../../control/addresses.js";
import type { Subnet, Vpc } from "../../model/types.js";
import type { World } from "../../model/world.js";
import { type ActionTable, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe } from "./common.js";

export function presentVpc(v: Vpc): object {
  return {
    vpcId: v.id, ownerId: v.ownerId, state: v.state, cidrBlock: v.cidrBlock, dhcpOptionsId: "default",
    instanceTenancy: "default", isDefault: v.isDefault, tags: v.tags,
    cidrBlockAssociationSet: [{ associationId: `vpc-cidr-assoc-${v.id.slice(4)}`, cidrBlock: v.cidrBlock, cidrBlockState: { state: "associated" } }],
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
  };
}

export function presentSubnet(world: World, s: Subnet): object {
  return {
    subnetId: s.id, subnetArn: `arn:aws:ec2:${s.region}:${s.ownerId}:subnet/${s.id}`, vpcId: s.vpcId, ownerId: s.ownerId,
    state: s.state, cidrBlock: s.cidrBlock, availabilityZone: s.availabilityZone, availabilityZoneId: s.availabilityZoneId,
    availableIpAddressCount: freeAddressCount(world, s), defaultForAz: false, mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    mapCustomerOwnedIpOnLaunch: false, assignIpv6AddressOnCreation: false, ipv6CidrBlockAssociationSet: [], ipv6Native: false,
    enableDns64: false, tags: s.tags,
    privateDnsNameOptionsOnLaunch: { hostnameType: "ip-name", enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
  };
}

const VPC_FILTERS: FilterTable<Vpc> = {
  "cidr": (v) => v.cidrBlock,
  "cidr-block-association.cidr-block": (v) => v.cidrBlock,
  "cidr-block-association.state": () => "associated",
  "dhcp-options-id": () => "default",
  "is-default": (v) => v.isDefault,
  "owner-id": (v) => v.ownerId,
  "state": (v) => v.state,
  "vpc-id": (v) => v.id,
};

const subnetFilters = (world: World): FilterTable<Subnet> => ({
  "availability-zone": (s) => s.availabilityZone,
  "availability-zone-id": (s) => s.availabilityZoneId,
  "availabilityZone": (s) => s.availabilityZone,
  "available-ip-address-count": (s) => freeAddressCount(world, s),
  "cidr-block": (s) => s.cidrBlock,
  "cidr": (s) => s.cidrBlock,
  "cidrBlock": (s) => s.cidrBlock,
  "default-for-az": () => false,
  "map-public-ip-on-launch": (s) => s.mapPublicIpOnLaunch,
  "owner-id": (s) => s.ownerId,
  "state": (s) => s.state,
  "subnet-arn": (s) => `arn:aws:ec2:${s.region}:${s.ownerId}:subnet/${s.id}`,
  "subnet-id": (s) => s.id,
  "vpc-id": (s) => s.vpcId,
});

interface BoolValue { value?: boolean }

export const VPC_ACTIONS: ActionTable = {
  CreateVpc: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ cidrBlock?: string; tagSpecifications?: TagSpecification[]; instanceTenancy?: string }>(input);
      if (i.cidrBlock === undefined) throw new AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
      if (i.instanceTenancy !== undefined && i.instanceTenancy !== "default") {
        throw new AwsError("InvalidParameterValue", `vpclab supports only the 'default' instance tenancy, not '${i.instanceTenancy}'`);
      }
      return { vpc: presentVpc(createVpc(ctx, { cidrBlock: i.cidrBlock, tags: tagsFor(i.tagSpecifications, "vpc") })) };
    },
  },
  DeleteVpc: { mutates: true, run: (ctx, input) => deleteVpc(ctx, as<{ vpcId: string }>(input).vpcId) },
  DescribeVpcs: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { vpcIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "vpcs", i.vpcIds, i, VPC_FILTERS, presentVpc);
      return { vpcs: items, nextToken };
    },
  },
  ModifyVpcAttribute: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ vpcId: string; enableDnsSupport?: BoolValue; enableDnsHostnames?: BoolValue; enableNetworkAddressUsageMetrics?: BoolValue }>(input);
      const given = (["enableDnsSupport", "enableDnsHostnames", "enableNetworkAddressUsageMetrics"] as const).filter((k) => i[k] !== undefined);
      // AWS takes exactly one attribute per call.
      if (given.length !== 1) {
        throw new AwsError("InvalidParameterCombination", "Fields for multiple attribute types specified: " + given.join(", "));
      }
      const attr = given[0]!;
      const value = i[attr]!.value;
      if (value === undefined) throw new AwsError("MissingParameter", `The request must contain the parameter ${attr.charAt(0).toUpperCase()}${attr.slice(1)}.Value`);
      if (attr === "enableNetworkAddressUsageMetrics") {
        get(ctx, "vpcs", i.vpcId);
        throw new AwsError("InvalidParameterValue", "vpclab does not model network address usage metrics");
      }
      modifyVpcAttribute(ctx, i.vpcId, attr, value);
      return {};
    },
  },
  DescribeVpcAttribute: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<{ vpcId: string; attribute: string }>(input);
      if (i.attribute !== "enableDnsSupport" && i.attribute !== "enableDnsHostnames") {
        if (i.attribute === "enableNetworkAddressUsageMetrics") return { vpcId: get(ctx, "vpcs", i.vpcId).id, enableNetworkAddressUsageMetrics: { value: false } };
        throw new AwsError("InvalidParameterValue", `Value (${i.attribute}) for parameter attribute is invalid. Unknown attribute.`);
      }
      const attr: VpcAttribute = i.attribute;
      return { vpcId: i.vpcId, [attr]: { value: describeVpcAttribute(ctx, i.vpcId, attr) } };
    },
  },
  CreateSubnet: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ vpcId: string; cidrBlock?: string; availabilityZone?: string; availabilityZoneId?: string; tagSpecifications?: TagSpecification[] }>(input);
      if (i.cidrBlock === undefined) throw new AwsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
      const subnet = createSubnet(ctx, {
        vpcId: i.vpcId, cidrBlock: i.cidrBlock, tags: tagsFor(i.tagSpecifications, "subnet"),
        ...(i.availabilityZone !== undefined ? { availabilityZone: i.availabilityZone } : {}),
        ...(i.availabilityZoneId !== undefined ? { availabilityZoneId: i.availabilityZoneId } : {}),
      });
      return { subnet: presentSubnet(ctx.world, subnet) };
    },
  },
  DeleteSubnet: { mutates: true, run: (ctx, input) => deleteSubnet(ctx, as<{ subnetId: string }>(input).subnetId) },
  DescribeSubnets: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { subnetIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "subnets", i.subnetIds, i, subnetFilters(ctx.world), (s) => presentSubnet(ctx.world, s));
      return { subnets: items, nextToken };
    },
  },
  ModifySubnetAttribute: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ subnetId: string; mapPublicIpOnLaunch?: BoolValue } & Record<string, unknown>>(input);
      const others = Object.keys(i).filter((k) => k !== "subnetId" && k !== "mapPublicIpOnLaunch" && k !== "dryRun");
      if (others.length > 0) throw new AwsError("InvalidParameterValue", `vpclab supports only MapPublicIpOnLaunch here, not ${others.join(", ")}`);
      if (i.mapPublicIpOnLaunch?.value === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter MapPublicIpOnLaunch.Value");
      modifySubnetAttribute(ctx, i.subnetId, i.mapPublicIpOnLaunch.value);
      return {};
    },
  },
};
