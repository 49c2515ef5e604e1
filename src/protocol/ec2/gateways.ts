// Internet gateways, Elastic IP addresses, NAT gateways and virtual private gateways on the wire.
// The presenters are exported for the tags module and anything else that shows these resources.
import {
  allocateAddress, attachInternetGateway, attachVpnGateway, createInternetGateway, createNatGateway, createVpnGateway,
  deleteInternetGateway, deleteNatGateway, detachInternetGateway, releaseAddress,
} from "../../control/gateways.js";
import { type Ctx, get } from "../../control/context.js";
import { type FilterTable, applyFilters } from "../../control/filters.js";
import { AwsError } from "../../model/errors.js";
import type { ElasticIp, InternetGateway, NatGateway, VpnGateway } from "../../model/types.js";
import type { World } from "../../model/world.js";
import { type ActionTable, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe, owned } from "./common.js";
import { refuseUnmodelled } from "./routes.js";

/** The ASN AWS gives a virtual private gateway when CreateVpnGateway names none. */
const DEFAULT_AMAZON_SIDE_ASN = 64512;

export function presentInternetGateway(igw: InternetGateway): object {
  return {
    internetGatewayId: igw.id, ownerId: igw.ownerId, tags: igw.tags,
    attachments: igw.attachments.map((a) => ({ vpcId: a.vpcId, state: a.state })),
  };
}

/** An Elastic IP as DescribeAddresses shows it: the ENI it is on, and the instance that ENI belongs to. */
export function presentAddress(world: World, eip: ElasticIp): object {
  const eni = eip.networkInterfaceId ? world.networkInterfaces.get(eip.networkInterfaceId) : undefined;
  return {
    allocationId: eip.id, publicIp: eip.publicIp, domain: "vpc", publicIpv4Pool: "amazon", networkBorderGroup: eip.region,
    associationId: eip.associationId, networkInterfaceId: eip.networkInterfaceId, networkInterfaceOwnerId: eni?.ownerId,
    privateIpAddress: eni?.privateIpAddress, instanceId: eni?.attachment?.instanceId, subnetId: eni?.subnetId, tags: eip.tags,
  };
}

export function presentNatGateway(world: World, nat: NatGateway): object {
  // A deleted NAT gateway has given its Elastic IP back: the address keeps no association.
  const associationId = nat.allocationId && nat.state !== "deleted" ? world.elasticIps.get(nat.allocationId)?.associationId : undefined;
  return {
    natGatewayId: nat.id, vpcId: nat.vpcId, subnetId: nat.subnetId, state: nat.state, connectivityType: nat.connectivityType,
    availabilityMode: "zonal", tags: nat.tags,
    natGatewayAddresses: [{
      allocationId: nat.allocationId, publicIp: nat.publicIp, networkInterfaceId: nat.networkInterfaceId, privateIp: nat.privateIp,
      associationId, isPrimary: true, status: "succeeded",
    }],
  };
}

export function presentVpnGateway(vgw: VpnGateway): object {
  return {
    vpnGatewayId: vgw.id, state: vgw.state, type: "ipsec.1", amazonSideAsn: DEFAULT_AMAZON_SIDE_ASN, tags: vgw.tags,
    vpcAttachments: vgw.attachments.map((a) => ({ vpcId: a.vpcId, state: a.state })),
  };
}

const INTERNET_GATEWAY_FILTERS: FilterTable<InternetGateway> = {
  "attachment.state": (g) => g.attachments.map((a) => a.state),
  "attachment.vpc-id": (g) => g.attachments.map((a) => a.vpcId),
  "internet-gateway-id": (g) => g.id,
  "owner-id": (g) => g.ownerId,
};

const addressFilters = (world: World): FilterTable<ElasticIp> => {
  const eni = (e: ElasticIp) => (e.networkInterfaceId ? world.networkInterfaces.get(e.networkInterfaceId) : undefined);
  return {
    "allocation-id": (e) => e.id,
    "association-id": (e) => e.associationId,
    // No longer in the reference, but AWS still takes it (every address is domain vpc now).
    "domain": () => "vpc",
    "instance-id": (e) => eni(e)?.attachment?.instanceId,
    "network-border-group": (e) => e.region,
    "network-interface-id": (e) => e.networkInterfaceId,
    "network-interface-owner-id": (e) => eni(e)?.ownerId,
    "private-ip-address": (e) => eni(e)?.privateIpAddress,
    "public-ip": (e) => e.publicIp,
  };
};

const NAT_GATEWAY_FILTERS: FilterTable<NatGateway> = {
  "nat-gateway-id": (n) => n.id,
  "state": (n) => n.state,
  "subnet-id": (n) => n.subnetId,
  "vpc-id": (n) => n.vpcId,
};

const VPN_GATEWAY_FILTERS: FilterTable<VpnGateway> = {
  "amazon-side-asn": () => DEFAULT_AMAZON_SIDE_ASN,
  "attachment.state": (g) => g.attachments.map((a) => a.state),
  "attachment.vpc-id": (g) => g.attachments.map((a) => a.vpcId),
  "availability-zone": () => undefined,
  "state": (g) => g.state,
  "type": () => "ipsec.1",
  "vpn-gateway-id": (g) => g.id,
};

/** The caller's Elastic IPs named by allocation id or public IP (each must exist), or all of them. */
function namedAddresses(ctx: Ctx, allocationIds: string[], publicIps: string[]): ElasticIp[] {
  if (allocationIds.length === 0 && publicIps.length === 0) return owned(ctx, "elasticIps");
  const mine = owned(ctx, "elasticIps");
  const byIp = publicIps.map((ip) => {
    const eip = mine.find((e) => e.publicIp === ip);
    if (!eip) throw new AwsError("InvalidAddress.NotFound", `Address '${ip}' not found.`);
    return eip;
  });
  return [...new Set([...allocationIds.map((id) => get(ctx, "elasticIps", id)), ...byIp])];
}

interface NatInput {
  subnetId?: string; allocationId?: string; connectivityType?: "public" | "private"; privateIpAddress?: string;
  availabilityMode?: string; tagSpecifications?: TagSpecification[]; clientToken?: string;
}

export const GATEWAY_ACTIONS: ActionTable = {
  CreateInternetGateway: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ tagSpecifications?: TagSpecification[] }>(input);
      return { internetGateway: presentInternetGateway(createInternetGateway(ctx, { tags: tagsFor(i.tagSpecifications, "internet-gateway") })) };
    },
  },
  DeleteInternetGateway: {
    mutates: true,
    run: (ctx, input) => {
      deleteInternetGateway(ctx, as<{ internetGatewayId: string }>(input).internetGatewayId);
      return {};
    },
  },
  DescribeInternetGateways: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { internetGatewayIds?: string[] }>(input);
      const { items, nextToken } = describe(ctx, "internetGateways", i.internetGatewayIds, i, INTERNET_GATEWAY_FILTERS, presentInternetGateway);
      return { internetGateways: items, nextToken };
    },
  },
  AttachInternetGateway: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ internetGatewayId: string; vpcId: string }>(input);
      attachInternetGateway(ctx, i.internetGatewayId, i.vpcId);
      return {};
    },
  },
  DetachInternetGateway: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ internetGatewayId: string; vpcId: string }>(input);
      // The gateway, then the VPC, must exist before "not attached" is worth saying.
      get(ctx, "internetGateways", i.internetGatewayId);
      get(ctx, "vpcs", i.vpcId);
      detachInternetGateway(ctx, i.internetGatewayId, i.vpcId);
      return {};
    },
  },
  AllocateAddress: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ domain?: string; publicIpv4Pool?: string; networkBorderGroup?: string; tagSpecifications?: TagSpecification[] }>(input);
      // EC2-Classic is retired: every address is a VPC address, and only Amazon's pool is modelled.
      if (i.domain !== undefined && i.domain !== "vpc") throw new AwsError("InvalidParameterValue", `vpclab models only the 'vpc' domain, not '${i.domain}'`);
      if (i.publicIpv4Pool !== undefined && i.publicIpv4Pool !== "amazon") {
        throw new AwsError("InvalidParameterValue", `vpclab models only Amazon's pool of public IPv4 addresses, not '${i.publicIpv4Pool}'`);
      }
      if (i.networkBorderGroup !== undefined && i.networkBorderGroup !== ctx.region) {
        throw new AwsError("InvalidParameterValue", `Invalid network border group '${i.networkBorderGroup}'`);
      }
      refuseUnmodelled(input, ["address", "customerOwnedIpv4Pool", "ipamPoolId"]);
      const eip = allocateAddress(ctx, { tags: tagsFor(i.tagSpecifications, "elastic-ip") });
      return { allocationId: eip.id, publicIp: eip.publicIp, domain: "vpc", publicIpv4Pool: "amazon", networkBorderGroup: eip.region };
    },
  },
  ReleaseAddress: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ allocationId?: string; publicIp?: string; networkBorderGroup?: string }>(input);
      // Public IPs name EC2-Classic addresses; a VPC address is released by its allocation id.
      if (i.allocationId === undefined) {
        if (i.publicIp === undefined) throw new AwsError("MissingParameter", "Either public IP or allocation id must be specified");
        throw new AwsError("InvalidParameterValue", "You must specify an allocation id when releasing a VPC elastic IP address");
      }
      if (i.publicIp !== undefined) throw new AwsError("InvalidParameterCombination", "You may specify public IP or allocation id, but not both in the same call");
      releaseAddress(ctx, i.allocationId);
      return {};
    },
  },
  DescribeAddresses: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<{ allocationIds?: string[]; publicIps?: string[]; filters?: DescribeInput["filters"] }>(input);
      const named = namedAddresses(ctx, i.allocationIds ?? [], i.publicIps ?? []);
      return { addresses: applyFilters(named, i.filters, addressFilters(ctx.world)).map((e) => presentAddress(ctx.world, e)) };
    },
  },
  CreateNatGateway: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<NatInput>(input);
      // Regional NAT gateways span a VPC's zones; vpclab models the zonal kind, in one subnet.
      if (i.availabilityMode !== undefined && i.availabilityMode !== "zonal") {
        throw new AwsError("InvalidParameterValue", `vpclab models only zonal NAT gateways, not '${i.availabilityMode}'`);
      }
      refuseUnmodelled(input, ["vpcId", "availabilityZoneAddresses", "secondaryAllocationIds", "secondaryPrivateIpAddresses", "secondaryPrivateIpAddressCount"]);
      if (i.subnetId === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter SubnetId");
      if (i.connectivityType !== undefined && i.connectivityType !== "public" && i.connectivityType !== "private") {
        throw new AwsError("InvalidParameterValue", `Value (${String(i.connectivityType)}) for parameter connectivityType is invalid.`);
      }
      const nat = createNatGateway(ctx, {
        subnetId: i.subnetId, tags: tagsFor(i.tagSpecifications, "natgateway"),
        ...(i.allocationId !== undefined ? { allocationId: i.allocationId } : {}),
        ...(i.connectivityType !== undefined ? { connectivityType: i.connectivityType } : {}),
        ...(i.privateIpAddress !== undefined ? { privateIpAddress: i.privateIpAddress } : {}),
      });
      return { natGateway: presentNatGateway(ctx.world, nat), clientToken: i.clientToken };
    },
  },
  DeleteNatGateway: {
    mutates: true,
    run: (ctx, input) => {
      const { natGatewayId } = as<{ natGatewayId: string }>(input);
      deleteNatGateway(ctx, natGatewayId);
      return { natGatewayId };
    },
  },
  DescribeNatGateways: {
    mutates: false,
    run: (ctx, input) => {
      // This call's filter list is `Filter`, not `Filters`, in the model.
      const i = as<Omit<DescribeInput, "filters"> & { natGatewayIds?: string[]; filter?: DescribeInput["filters"] }>(input);
      const { items, nextToken } = describe(ctx, "natGateways", i.natGatewayIds, { ...i, filters: i.filter }, NAT_GATEWAY_FILTERS, (n) => presentNatGateway(ctx.world, n));
      return { natGateways: items, nextToken };
    },
  },
  CreateVpnGateway: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ type: string; amazonSideAsn?: number; tagSpecifications?: TagSpecification[] }>(input);
      if (i.type !== "ipsec.1") throw new AwsError("InvalidParameterValue", `Value (${i.type}) for parameter type is invalid. Valid values: ipsec.1`);
      if (i.amazonSideAsn !== undefined && i.amazonSideAsn !== DEFAULT_AMAZON_SIDE_ASN) {
        throw new AwsError("InvalidParameterValue", `vpclab models only the default Amazon side ASN ${DEFAULT_AMAZON_SIDE_ASN}, not ${i.amazonSideAsn}`);
      }
      // AvailabilityZone is accepted and ignored: AWS documents it as reserved for internal use.
      return { vpnGateway: presentVpnGateway(createVpnGateway(ctx, { tags: tagsFor(i.tagSpecifications, "vpn-gateway") })) };
    },
  },
  DescribeVpnGateways: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<{ vpnGatewayIds?: string[]; filters?: DescribeInput["filters"] }>(input);
      // No MaxResults here: AWS returns every match in one response.
      const { items } = describe(ctx, "vpnGateways", i.vpnGatewayIds, { ...(i.filters ? { filters: i.filters } : {}) }, VPN_GATEWAY_FILTERS, presentVpnGateway);
      return { vpnGateways: items };
    },
  },
  AttachVpnGateway: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ vpnGatewayId: string; vpcId: string }>(input);
      attachVpnGateway(ctx, i.vpnGatewayId, i.vpcId);
      return { vpcAttachment: { vpcId: i.vpcId, state: "attached" } };
    },
  },
};
