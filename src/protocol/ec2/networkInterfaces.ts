// Network interfaces on the wire: every ENI of the account (instances', and the requester-managed
// ones of interface endpoints and NAT gateways), plus the user's own Create/Delete/Modify. The
// presenters here also give RunInstances and DescribeInstances their networkInterfaceSet.
import type { Ctx } from "../../control/context.js";
import type { FilterTable } from "../../control/filters.js";
import { modifyNetworkInterface } from "../../control/instances.js";
import { createNetworkInterface, deleteNetworkInterface } from "../../control/networkInterfaces.js";
import { publicHostname } from "../../analysis/dns.js";
import { AwsError } from "../../model/errors.js";
import type { NetworkInterface } from "../../model/types.js";
import { type ActionTable, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe } from "./common.js";

/** ip-10-0-1-103.<region>.compute.internal, or ip-10-0-1-103.ec2.internal in us-east-1. */
export function privateDnsName(ip: string, region: string): string {
  return `ip-${ip.replaceAll(".", "-")}.${region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`}`;
}

/** AWS gives a public DNS name only when the VPC has DNS hostnames on. */
export function publicDnsName(ctx: Ctx, vpcId: string, ip: string | undefined): string | undefined {
  return ip !== undefined && ctx.world.vpcs.get(vpcId)?.enableDnsHostnames ? publicHostname(ip, ctx.region) : undefined;
}

/** A stable, locally administered MAC address derived from the ENI id (AWS's are opaque too). */
export function macAddress(eni: NetworkInterface): string {
  const hex = eni.id.slice(4).padEnd(10, "0");
  return ["02", ...[0, 2, 4, 6, 8].map((i) => hex.slice(i, i + 2))].join(":");
}

export function groupIdentifiers(ctx: Ctx, groupIds: string[]): { groupId: string; groupName?: string }[] {
  return groupIds.map((groupId) => ({ groupId, groupName: ctx.world.securityGroups.get(groupId)?.groupName }));
}

/** The public address's association: AWS's own pool ("amazon") or the owner's Elastic IP. */
function association(ctx: Ctx, eni: NetworkInterface): object | undefined {
  if (eni.publicIp === undefined) return undefined;
  const eip = eni.allocationId !== undefined ? ctx.world.elasticIps.get(eni.allocationId) : undefined;
  return {
    publicIp: eni.publicIp, publicDnsName: publicDnsName(ctx, eni.vpcId, eni.publicIp) ?? "",
    ipOwnerId: eip ? eip.ownerId : "amazon", allocationId: eni.allocationId, associationId: eip?.associationId,
  };
}

function attachment(ctx: Ctx, eni: NetworkInterface): object | undefined {
  if (!eni.attachment) return undefined;
  const inst = eni.attachment.instanceId !== undefined ? ctx.world.instances.get(eni.attachment.instanceId) : undefined;
  return {
    attachmentId: `eni-attach-${eni.id.slice(4)}`, attachTime: inst?.launchTime, deleteOnTermination: true,
    deviceIndex: eni.attachment.deviceIndex, networkCardIndex: 0, instanceId: eni.attachment.instanceId,
    instanceOwnerId: inst?.ownerId ?? eni.ownerId, status: "attached",
  };
}

export function presentNetworkInterface(ctx: Ctx, eni: NetworkInterface): object {
  const assoc = association(ctx, eni);
  const dns = privateDnsName(eni.privateIpAddress, eni.region);
  return {
    networkInterfaceId: eni.id, subnetId: eni.subnetId, vpcId: eni.vpcId, availabilityZone: eni.availabilityZone,
    availabilityZoneId: ctx.world.subnets.get(eni.subnetId)?.availabilityZoneId, description: eni.description, ownerId: eni.ownerId,
    requesterId: eni.requesterId, requesterManaged: eni.requesterManaged, status: eni.status, macAddress: macAddress(eni),
    privateIpAddress: eni.privateIpAddress, privateDnsName: dns, sourceDestCheck: eni.sourceDestCheck,
    groups: groupIdentifiers(ctx, eni.groupIds), attachment: attachment(ctx, eni), association: assoc,
    privateIpAddresses: [{ primary: true, privateIpAddress: eni.privateIpAddress, privateDnsName: dns, association: assoc }],
    ipv6Addresses: [], ipv4Prefixes: [], ipv6Prefixes: [], interfaceType: eni.interfaceType, tagSet: eni.tags, ipv6Native: false,
  };
}

/** The same ENI as an instance's networkInterfaceSet shows it. */
export function presentInstanceNetworkInterface(ctx: Ctx, eni: NetworkInterface): object {
  const assoc = association(ctx, eni);
  const dns = privateDnsName(eni.privateIpAddress, eni.region);
  return {
    networkInterfaceId: eni.id, subnetId: eni.subnetId, vpcId: eni.vpcId, description: eni.description, ownerId: eni.ownerId,
    status: eni.status, macAddress: macAddress(eni), privateIpAddress: eni.privateIpAddress, privateDnsName: dns,
    sourceDestCheck: eni.sourceDestCheck, groups: groupIdentifiers(ctx, eni.groupIds), attachment: attachment(ctx, eni),
    association: assoc, privateIpAddresses: [{ primary: true, privateIpAddress: eni.privateIpAddress, privateDnsName: dns, association: assoc }],
    ipv6Addresses: [], interfaceType: eni.interfaceType,
  };
}

const eniFilters = (ctx: Ctx): FilterTable<NetworkInterface> => ({
  "addresses.association.owner-id": (e) => (e.publicIp !== undefined ? e.ownerId : undefined),
  "addresses.association.public-ip": (e) => e.publicIp,
  "addresses.primary": () => true,
  "addresses.private-ip-address": (e) => e.privateIpAddress,
  "association.allocation-id": (e) => e.allocationId,
  "association.association-id": (e) => (e.allocationId !== undefined ? ctx.world.elasticIps.get(e.allocationId)?.associationId : undefined),
  "association.ip-owner-id": (e) => (e.publicIp === undefined ? undefined : e.allocationId !== undefined ? e.ownerId : "amazon"),
  "association.public-dns-name": (e) => publicDnsName(ctx, e.vpcId, e.publicIp),
  "association.public-ip": (e) => e.publicIp,
  "attachment.attachment-id": (e) => (e.attachment ? `eni-attach-${e.id.slice(4)}` : undefined),
  "attachment.delete-on-termination": (e) => (e.attachment ? true : undefined),
  "attachment.device-index": (e) => e.attachment?.deviceIndex,
  "attachment.instance-id": (e) => e.attachment?.instanceId,
  "attachment.instance-owner-id": (e) => (e.attachment ? e.ownerId : undefined),
  "attachment.status": (e) => (e.attachment ? "attached" : undefined),
  "availability-zone": (e) => e.availabilityZone,
  "availability-zone-id": (e) => ctx.world.subnets.get(e.subnetId)?.availabilityZoneId,
  "description": (e) => e.description,
  "group-id": (e) => e.groupIds,
  "interface-type": (e) => e.interfaceType,
  "mac-address": (e) => macAddress(e),
  "network-interface-id": (e) => e.id,
  "owner-id": (e) => e.ownerId,
  "private-dns-name": (e) => privateDnsName(e.privateIpAddress, e.region),
  "private-ip-address": (e) => e.privateIpAddress,
  "requester-id": (e) => e.requesterId,
  "requester-managed": (e) => e.requesterManaged,
  "source-dest-check": (e) => e.sourceDestCheck,
  "status": (e) => e.status,
  "subnet-id": (e) => e.subnetId,
  "vpc-id": (e) => e.vpcId,
});

interface ModifyInput {
  networkInterfaceId: string;
  description?: { value?: string };
  sourceDestCheck?: { value?: boolean };
  groups?: string[];
  [other: string]: unknown;
}

const MODIFIABLE = ["description", "sourceDestCheck", "groups"];

export const NETWORK_INTERFACE_ACTIONS: ActionTable = {
  DescribeNetworkInterfaces: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { networkInterfaceIds?: string[] }>(input);
      if (i.maxResults !== undefined && i.networkInterfaceIds?.length) {
        throw new AwsError("InvalidParameterCombination", "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults");
      }
      const { items, nextToken } = describe(ctx, "networkInterfaces", i.networkInterfaceIds, i, eniFilters(ctx), (e) => presentNetworkInterface(ctx, e));
      return { networkInterfaces: items, nextToken };
    },
  },
  CreateNetworkInterface: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{
        subnetId: string; description?: string; privateIpAddress?: string; groups?: string[]; interfaceType?: string;
        tagSpecifications?: TagSpecification[]; clientToken?: string; [other: string]: unknown;
      }>(input);
      if (i.interfaceType !== undefined && i.interfaceType !== "interface") {
        throw new AwsError("InvalidParameterValue", `vpclab models only the 'interface' type of network interface, not '${i.interfaceType}'`);
      }
      const unmodelled = ["privateIpAddresses", "secondaryPrivateIpAddressCount", "ipv6Addresses", "ipv6AddressCount", "ipv4Prefixes", "ipv4PrefixCount", "ipv6Prefixes", "ipv6PrefixCount", "enablePrimaryIpv6"]
        .find((k) => i[k] !== undefined && !(Array.isArray(i[k]) && i[k].length === 0) && i[k] !== 0 && i[k] !== false);
      if (unmodelled) throw new AwsError("InvalidParameterValue", `vpclab models one primary IPv4 address per network interface; ${unmodelled} is not supported`);
      const eni = createNetworkInterface(ctx, {
        subnetId: i.subnetId, tags: tagsFor(i.tagSpecifications, "network-interface"),
        ...(i.groups !== undefined ? { groupIds: i.groups } : {}),
        ...(i.description !== undefined ? { description: i.description } : {}),
        ...(i.privateIpAddress !== undefined ? { privateIpAddress: i.privateIpAddress } : {}),
      });
      return { networkInterface: presentNetworkInterface(ctx, eni), clientToken: i.clientToken };
    },
  },
  DeleteNetworkInterface: {
    mutates: true,
    run: (ctx, input) => {
      deleteNetworkInterface(ctx, as<{ networkInterfaceId: string }>(input).networkInterfaceId);
      return {};
    },
  },
  ModifyNetworkInterfaceAttribute: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<ModifyInput>(input);
      const given = Object.keys(i).filter((k) => k !== "networkInterfaceId" && k !== "dryRun");
      const other = given.find((k) => !MODIFIABLE.includes(k));
      if (other) throw new AwsError("InvalidParameterValue", `vpclab can modify only a network interface's description, source/destination check and security groups, not ${other}`);
      // AWS: "You can specify only one attribute at a time."
      if (given.length !== 1) {
        throw new AwsError(given.length === 0 ? "MissingParameter" : "InvalidParameterCombination",
          given.length === 0 ? "The request must contain exactly one attribute to modify" : `Fields for multiple attribute types specified: ${given.join(", ")}`);
      }
      if (i.sourceDestCheck && i.sourceDestCheck.value === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter SourceDestCheck.Value");
      if (i.description && i.description.value === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter Description.Value");
      modifyNetworkInterface(ctx, i.networkInterfaceId, {
        ...(i.sourceDestCheck?.value !== undefined ? { sourceDestCheck: i.sourceDestCheck.value } : {}),
        ...(i.description?.value !== undefined ? { description: i.description.value } : {}),
        ...(i.groups !== undefined ? { groupIds: i.groups } : {}),
      });
      return {};
    },
  },
};
