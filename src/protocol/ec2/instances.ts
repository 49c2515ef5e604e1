// Instances on the wire: RunInstances (into a subnet, or through NetworkInterface.1), Describe
// grouped by reservation, Terminate; and the network-interface actions from networkInterfaces.ts.
// vpclab models an instance as its network presence: one ENI, its addresses, groups and names.
import { type Ctx, get } from "../../control/context.js";
import type { FilterTable } from "../../control/filters.js";
import { type RunInstancesInput, runInstances, setInstancesRunning, terminateInstances } from "../../control/instances.js";
import { AwsError } from "../../model/errors.js";
import type { Instance, Tag } from "../../model/types.js";
import { type ActionTable, type TagSpecification, as, tagsFor } from "../actions.js";
import { type DescribeInput, describe, owned } from "./common.js";
import { NETWORK_INTERFACE_ACTIONS, groupIdentifiers, presentInstanceNetworkInterface, privateDnsName, publicDnsName } from "./networkInterfaces.js";

const STATE_CODES: Record<string, number> = { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 };

export function instanceState(name: string): { code: number; name: string } {
  return { code: STATE_CODES[name] ?? 0, name };
}

/** Instances saved before reservations were kept get a stable id derived from their own. */
export function reservationIdOf(inst: Instance): string {
  return inst.reservationId ?? `r-${inst.id.slice(2)}`;
}

export interface PresentOptions { state?: string; launchIndex?: number }

/**
 * An instance as DescribeInstances shows it. A terminated instance has given its ENI back, so,
 * as on AWS, it shows no addresses, interfaces, groups or names.
 */
export function presentInstance(ctx: Ctx, inst: Instance, opts: PresentOptions = {}): object {
  const eni = inst.state === "terminated" ? undefined : ctx.world.networkInterfaces.get(inst.networkInterfaceId);
  const state = opts.state ?? inst.state;
  const subnet = ctx.world.subnets.get(inst.subnetId);
  return {
    instanceId: inst.id, imageId: inst.imageId, state: instanceState(state), instanceType: inst.instanceType,
    privateDnsName: eni ? privateDnsName(inst.privateIpAddress, inst.region) : "",
    publicDnsName: eni ? publicDnsName(ctx, inst.vpcId, inst.publicIpAddress) ?? "" : "",
    stateTransitionReason: inst.state === "terminated" ? "User initiated" : "",
    ...(state === "terminated" || state === "shutting-down" ? { stateReason: { code: "Client.UserInitiatedShutdown", message: "Client.UserInitiatedShutdown: User initiated shutdown" } } : {}),
    ...(state === "pending" ? { stateReason: { code: "pending", message: "pending" } } : {}),
    amiLaunchIndex: opts.launchIndex ?? 0, productCodes: [], launchTime: inst.launchTime,
    placement: { availabilityZone: inst.availabilityZone, availabilityZoneId: subnet?.availabilityZoneId, groupName: "", tenancy: "default" },
    monitoring: { state: "disabled" },
    ...(eni ? { subnetId: inst.subnetId, vpcId: inst.vpcId, privateIpAddress: inst.privateIpAddress } : {}),
    publicIpAddress: eni ? inst.publicIpAddress : undefined,
    architecture: "x86_64", rootDeviceType: "ebs", rootDeviceName: "/dev/xvda", blockDeviceMappings: [], virtualizationType: "hvm",
    hypervisor: "xen", ebsOptimized: false, enaSupport: true, clientToken: inst.clientToken ?? "", tags: inst.tags,
    securityGroups: eni ? groupIdentifiers(ctx, eni.groupIds) : [], sourceDestCheck: eni?.sourceDestCheck,
    networkInterfaces: eni ? [presentInstanceNetworkInterface(ctx, eni)] : [],
    platformDetails: "Linux/UNIX", usageOperation: "RunInstances", bootMode: "uefi-preferred", currentInstanceBootMode: "legacy-bios",
    privateDnsNameOptions: { hostnameType: "ip-name", enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
    metadataOptions: { state: state === "pending" ? "pending" : "applied", httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled", httpProtocolIpv6: "disabled", instanceMetadataTags: "disabled" },
  };
}

/** A reservation's instances in launch order, as DescribeInstances groups them. */
export function presentReservations(ctx: Ctx, instances: Instance[], opts: (inst: Instance) => PresentOptions = () => ({})): object[] {
  const byReservation = new Map<string, object[]>();
  for (const inst of instances) {
    const id = reservationIdOf(inst);
    let list = byReservation.get(id);
    if (!list) byReservation.set(id, (list = []));
    list.push(presentInstance(ctx, inst, opts(inst)));
  }
  return [...byReservation].map(([reservationId, items]) => ({ reservationId, ownerId: ctx.account, groups: [], instances: items }));
}

/** Each instance's position in its reservation (amiLaunchIndex). */
function launchIndexes(ctx: Ctx): Map<string, number> {
  const next = new Map<string, number>();
  const out = new Map<string, number>();
  for (const inst of owned(ctx, "instances")) {
    const r = reservationIdOf(inst);
    const n = next.get(r) ?? 0;
    out.set(inst.id, n);
    next.set(r, n + 1);
  }
  return out;
}

const instanceFilters = (ctx: Ctx): FilterTable<Instance> => {
  const eni = (i: Instance): ReturnType<typeof ctx.world.networkInterfaces.get> =>
    i.state === "terminated" ? undefined : ctx.world.networkInterfaces.get(i.networkInterfaceId);
  const groups = (i: Instance): string[] => eni(i)?.groupIds ?? [];
  const groupNames = (i: Instance): (string | undefined)[] => groups(i).map((g) => ctx.world.securityGroups.get(g)?.groupName);
  return {
    "architecture": () => "x86_64",
    "availability-zone": (i) => i.availabilityZone,
    "availability-zone-id": (i) => ctx.world.subnets.get(i.subnetId)?.availabilityZoneId,
    "dns-name": (i) => (eni(i) ? publicDnsName(ctx, i.vpcId, i.publicIpAddress) : undefined),
    "image-id": (i) => i.imageId,
    "instance-id": (i) => i.id,
    "instance-state-code": (i) => STATE_CODES[i.state],
    "instance-state-name": (i) => i.state,
    "instance-type": (i) => i.instanceType,
    "instance.group-id": groups,
    "instance.group-name": groupNames,
    "ip-address": (i) => i.publicIpAddress,
    "launch-time": (i) => i.launchTime,
    "network-interface.addresses.private-ip-address": (i) => eni(i)?.privateIpAddress,
    "network-interface.association.public-ip": (i) => eni(i)?.publicIp,
    "network-interface.attachment.instance-id": (i) => (eni(i) ? i.id : undefined),
    "network-interface.description": (i) => eni(i)?.description,
    "network-interface.group-id": groups,
    "network-interface.group-name": groupNames,
    "network-interface.network-interface-id": (i) => eni(i)?.id,
    "network-interface.private-ip-address": (i) => eni(i)?.privateIpAddress,
    "network-interface.source-dest-check": (i) => eni(i)?.sourceDestCheck,
    "network-interface.status": (i) => eni(i)?.status,
    "network-interface.subnet-id": (i) => eni(i)?.subnetId,
    "network-interface.vpc-id": (i) => eni(i)?.vpcId,
    "owner-id": (i) => i.ownerId,
    "private-dns-name": (i) => (eni(i) ? privateDnsName(i.privateIpAddress, i.region) : undefined),
    "private-ip-address": (i) => (eni(i) ? i.privateIpAddress : undefined),
    "reservation-id": (i) => reservationIdOf(i),
    "root-device-type": () => "ebs",
    "source-dest-check": (i) => eni(i)?.sourceDestCheck,
    "subnet-id": (i) => (eni(i) ? i.subnetId : undefined),
    "tenancy": () => "default",
    "vpc-id": (i) => (eni(i) ? i.vpcId : undefined),
  };
};

interface NetworkInterfaceSpec {
  associatePublicIpAddress?: boolean; deleteOnTermination?: boolean; description?: string; deviceIndex?: number;
  groups?: string[]; networkInterfaceId?: string; privateIpAddress?: string; subnetId?: string; interfaceType?: string;
  privateIpAddresses?: { privateIpAddress?: string; primary?: boolean }[];
  secondaryPrivateIpAddressCount?: number; ipv6AddressCount?: number; ipv6Addresses?: unknown[];
}

interface RunInput {
  imageId?: string; instanceType?: string; minCount: number; maxCount: number; subnetId?: string;
  securityGroupIds?: string[]; securityGroups?: string[]; privateIpAddress?: string; clientToken?: string;
  networkInterfaces?: NetworkInterfaceSpec[]; tagSpecifications?: TagSpecification[];
  placement?: { availabilityZone?: string; availabilityZoneId?: string; tenancy?: string; groupName?: string; [k: string]: unknown };
  [other: string]: unknown;
}

const RUN_MODELLED = new Set(["imageId", "instanceType", "minCount", "maxCount", "subnetId", "securityGroupIds", "securityGroups", "privateIpAddress", "networkInterfaces", "placement", "tagSpecifications", "clientToken", "dryRun"]);
/** Accepted and without effect on the network vpclab models (keys, user data, disks, monitoring...). */
const RUN_IGNORED = new Set(["keyName", "userData", "blockDeviceMappings", "monitoring", "iamInstanceProfile", "metadataOptions", "ebsOptimized", "disableApiTermination", "disableApiStop", "instanceInitiatedShutdownBehavior", "creditSpecification", "cpuOptions", "hibernationOptions", "maintenanceOptions", "enclaveOptions", "capacityReservationSpecification", "licenseSpecifications", "additionalInfo", "kernelId", "ramdiskId"]);

function bad(message: string): AwsError {
  return new AwsError("InvalidParameterValue", message);
}

/** RunInstances' tag specifications: instance and network-interface tags; volume tags are accepted (no volumes are modelled). */
function splitTags(specs: TagSpecification[] | undefined): { instance: Tag[]; eni: Tag[] } {
  const of = (type: string): TagSpecification[] => (specs ?? []).filter((s) => s.resourceType === type);
  const others = (specs ?? []).filter((s) => !["instance", "network-interface", "volume"].includes(s.resourceType ?? ""));
  tagsFor(others, "instance"); // refuses them as AWS does
  tagsFor(of("volume"), "volume");
  return { instance: tagsFor(of("instance"), "instance"), eni: tagsFor(of("network-interface"), "network-interface") };
}

/** Reads RunInstances into the control layer's input, refusing what vpclab does not model. */
function runInput(ctx: Ctx, i: RunInput): RunInstancesInput {
  for (const k of Object.keys(i)) {
    if (!RUN_MODELLED.has(k) && !RUN_IGNORED.has(k)) throw bad(`vpclab does not model the RunInstances parameter ${k.charAt(0).toUpperCase()}${k.slice(1)}`);
  }
  if (i.imageId === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter ImageId");
  if (!/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(i.imageId)) throw new AwsError("InvalidAMIID.Malformed", `Invalid id: "${i.imageId}"`);
  if (i.instanceType !== undefined && !/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(i.instanceType)) {
    throw bad(`The following supplied instance types do not exist: [${i.instanceType}]`);
  }
  let subnetId = i.subnetId;
  let groupIds = i.securityGroupIds;
  let privateIp = i.privateIpAddress;
  let associatePublic: boolean | undefined;
  let description: string | undefined;
  const nics = i.networkInterfaces ?? [];
  if (nics.length > 0) {
    if (i.subnetId !== undefined) throw new AwsError("InvalidParameterCombination", "Network interfaces and an instance-level subnet ID may not be specified on the same request");
    if (i.securityGroupIds?.length || i.securityGroups?.length) throw new AwsError("InvalidParameterCombination", "Network interfaces and an instance-level security groups may not be specified on the same request");
    if (i.privateIpAddress !== undefined) throw new AwsError("InvalidParameterCombination", "Network interfaces and an instance-level private IP address should not be specified on the same request");
    if (nics.some((n) => n.deviceIndex === undefined)) throw bad("Each network interface requires a device index.");
    if (nics.length > 1 || nics[0]!.deviceIndex !== 0) throw bad("vpclab launches instances with one network interface, at device index 0");
    const nic = nics[0]!;
    if (nic.networkInterfaceId !== undefined) throw bad("vpclab does not attach existing network interfaces at launch; omit NetworkInterfaceId to create one");
    if (nic.interfaceType !== undefined && nic.interfaceType !== "interface") throw bad(`vpclab models only the 'interface' type of network interface, not '${nic.interfaceType}'`);
    if ((nic.secondaryPrivateIpAddressCount ?? 0) > 0 || (nic.ipv6AddressCount ?? 0) > 0 || (nic.ipv6Addresses?.length ?? 0) > 0) {
      throw bad("vpclab models one primary IPv4 address per network interface");
    }
    if (nic.deleteOnTermination === false) throw bad("vpclab deletes a launched network interface with its instance (DeleteOnTermination false is not modelled)");
    const listed = nic.privateIpAddresses ?? [];
    if (listed.length > 1 || (listed.length === 1 && nic.privateIpAddress !== undefined)) throw bad("vpclab models one primary IPv4 address per network interface");
    subnetId = nic.subnetId;
    groupIds = nic.groups;
    privateIp = nic.privateIpAddress ?? listed[0]?.privateIpAddress;
    associatePublic = nic.associatePublicIpAddress;
    description = nic.description;
  }
  // Without a subnet AWS launches into the default VPC, which vpclab does not have.
  if (subnetId === undefined) throw new AwsError("VPCIdNotSpecified", "No default VPC for this user");
  if (i.securityGroups?.length) throw new AwsError("InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet");
  const subnet = get(ctx, "subnets", subnetId);
  const p = i.placement ?? {};
  if (p.availabilityZone !== undefined && p.availabilityZone !== subnet.availabilityZone) {
    throw bad(`Value (${p.availabilityZone}) for parameter availabilityZone is invalid. Subnet '${subnet.id}' is in the availability zone ${subnet.availabilityZone}`);
  }
  if (p.availabilityZoneId !== undefined && p.availabilityZoneId !== subnet.availabilityZoneId) {
    throw bad(`Value (${p.availabilityZoneId}) for parameter availabilityZoneId is invalid. Subnet '${subnet.id}' is in the availability zone ${subnet.availabilityZoneId}`);
  }
  if (p.tenancy !== undefined && p.tenancy !== "default") throw bad(`vpclab supports only the 'default' tenancy, not '${p.tenancy}'`);
  const placementOther = Object.keys(p).find((k) => !["availabilityZone", "availabilityZoneId", "tenancy"].includes(k) && p[k] !== "");
  if (placementOther) throw bad(`vpclab does not model placement ${placementOther}`);
  const tags = splitTags(i.tagSpecifications);
  return {
    subnetId, imageId: i.imageId, count: i.maxCount, minCount: i.minCount, tags: tags.instance, networkInterfaceTags: tags.eni,
    ...(i.instanceType !== undefined ? { instanceType: i.instanceType } : {}),
    ...(groupIds !== undefined ? { securityGroupIds: groupIds } : {}),
    ...(privateIp !== undefined ? { privateIpAddress: privateIp } : {}),
    ...(associatePublic !== undefined ? { associatePublicIpAddress: associatePublic } : {}),
    ...(description !== undefined ? { networkInterfaceDescription: description } : {}),
  };
}

export const INSTANCE_ACTIONS: ActionTable = {
  RunInstances: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<RunInput>(input);
      const launched = runInstances(ctx, runInput(ctx, i));
      // Every later DescribeInstances shows the token the instances were launched with.
      if (i.clientToken !== undefined) for (const inst of launched) inst.clientToken = i.clientToken;
      // The launch answer shows the instances pending, as AWS's does; they are running at the next read.
      const [reservation] = presentReservations(ctx, launched, (inst) => ({ state: "pending", launchIndex: launched.indexOf(inst) }));
      return reservation;
    },
  },
  DescribeInstances: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput & { instanceIds?: string[] }>(input);
      // AWS: "You cannot specify this parameter and the instance IDs parameter in the same request."
      if (i.maxResults !== undefined && i.instanceIds?.length) {
        throw new AwsError("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
      }
      const { items, nextToken } = describe(ctx, "instances", i.instanceIds, i, instanceFilters(ctx), (inst) => inst);
      const indexes = launchIndexes(ctx);
      return { reservations: presentReservations(ctx, items, (inst) => ({ launchIndex: indexes.get(inst.id) ?? 0 })), nextToken };
    },
  },
  TerminateInstances: {
    mutates: true,
    run: (ctx, input) => {
      const ids = [...new Set(as<{ instanceIds: string[] }>(input).instanceIds)];
      const before = new Map(ids.map((id) => [id, get(ctx, "instances", id).state]));
      const instances = terminateInstances(ctx, ids);
      return {
        terminatingInstances: instances.map((inst) => {
          const previous = before.get(inst.id)!;
          // AWS answers shutting-down first; a second terminate of a terminated instance says terminated.
          return { instanceId: inst.id, previousState: instanceState(previous), currentState: instanceState(previous === "terminated" ? "terminated" : "shutting-down") };
        }),
      };
    },
  },
  StopInstances: {
    mutates: true,
    run: (ctx, input) => ({
      // AWS answers stopping first; the stored instance settles at once in stopped.
      stoppingInstances: setInstancesRunning(ctx, [...new Set(as<{ instanceIds: string[] }>(input).instanceIds)], false).map(({ instance, previous }) => (
        { instanceId: instance.id, previousState: instanceState(previous), currentState: instanceState(previous === "stopped" ? "stopped" : "stopping") })),
    }),
  },
  StartInstances: {
    mutates: true,
    run: (ctx, input) => ({
      startingInstances: setInstancesRunning(ctx, [...new Set(as<{ instanceIds: string[] }>(input).instanceIds)], true).map(({ instance, previous }) => (
        { instanceId: instance.id, previousState: instanceState(previous), currentState: instanceState(previous === "running" ? "running" : "pending") })),
    }),
  },
  ...NETWORK_INTERFACE_ACTIONS,
};
