// Instances and their primary network interfaces: placement in a subnet, security groups,
// a private IP (requested or allocated) and an optional public IP.
import { AwsError } from "../model/errors.js";
import type { Instance, Tag } from "../model/types.js";
import { allocatePublicIp, checkPrivateIp, freeAddressCount, releasePublicIp } from "./addresses.js";
import { createEni, deleteEni, groupsForSubnet } from "./networkInterfaces.js";
import { blackholeRoutesTo } from "./routeTables.js";
import { type Ctx, base, get, invalidParam } from "./context.js";

export interface RunInstancesInput {
  subnetId: string;
  imageId?: string;
  instanceType?: string;
  /** How many to launch (RunInstances' MaxCount). */
  count?: number;
  /** The fewest acceptable (MinCount): fewer free addresses than `count` launch as many as fit, down to this. */
  minCount?: number;
  privateIpAddress?: string;
  securityGroupIds?: string[];
  associatePublicIpAddress?: boolean;
  tags?: Tag[];
  /** Tags and description for the primary network interface (TagSpecification network-interface). */
  networkInterfaceTags?: Tag[];
  networkInterfaceDescription?: string;
}

export function runInstances(ctx: Ctx, input: RunInstancesInput): Instance[] {
  const subnet = get(ctx, "subnets", input.subnetId);
  const max = input.count ?? 1;
  const min = input.minCount ?? max;
  if (!Number.isInteger(min) || min < 1) throw invalidParam(`Value (${min}) for parameter minCount is invalid. Expected a value greater than or equal to 1.`);
  if (!Number.isInteger(max) || max < min) throw invalidParam(`Value (${max}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (${min}).`);
  if (input.privateIpAddress !== undefined && max > 1) {
    throw new AwsError("InvalidParameterCombination", "Cannot specify a private IP address when launching more than one instance.");
  }
  const groupIds = groupsForSubnet(ctx, subnet, input.securityGroupIds);
  if (input.privateIpAddress !== undefined) checkPrivateIp(ctx.world, subnet, input.privateIpAddress);
  const free = freeAddressCount(ctx.world, subnet);
  if (free < min) {
    throw new AwsError("InsufficientFreeAddressesInSubnet", `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`);
  }
  // AWS launches as many as it can between MinCount and MaxCount.
  const count = Math.min(max, free);
  const reservationId = ctx.world.ids.next("r");
  const wantsPublic = input.associatePublicIpAddress ?? subnet.mapPublicIpOnLaunch;
  const launched: Instance[] = [];
  for (let n = 0; n < count; n++) {
    const publicIp = wantsPublic ? allocatePublicIp(ctx.world, ctx.region) : undefined;
    const inst = base(ctx, "i", input.tags);
    const eni = createEni(ctx, subnet, {
      interfaceType: "interface", groupIds, attachment: { instanceId: inst.id, deviceIndex: 0 }, tags: input.networkInterfaceTags ?? [],
      ...(input.networkInterfaceDescription !== undefined ? { description: input.networkInterfaceDescription } : {}),
      ...(input.privateIpAddress !== undefined ? { privateIpAddress: input.privateIpAddress } : {}), ...(publicIp ? { publicIp } : {}),
    });
    const instance: Instance = {
      ...inst,
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      availabilityZone: subnet.availabilityZone,
      imageId: input.imageId ?? "ami-0c9c942bd7bf113a2",
      instanceType: input.instanceType ?? "t3.micro",
      state: "running",
      networkInterfaceId: eni.id,
      privateIpAddress: eni.privateIpAddress,
      launchTime: ctx.world.ids.now(),
      reservationId,
      ...(publicIp ? { publicIpAddress: publicIp } : {}),
    };
    ctx.world.instances.set(instance.id, instance);
    launched.push(instance);
  }
  return launched;
}

/** Terminated instances stay visible (as on AWS, for a while); their ENI and addresses are freed. */
export function terminateInstances(ctx: Ctx, instanceIds: string[]): Instance[] {
  const instances = instanceIds.map((id) => get(ctx, "instances", id));
  for (const inst of instances) {
    if (inst.state === "terminated") continue;
    const eni = deleteEni(ctx, inst.networkInterfaceId);
    if (eni?.publicIp && !eni.allocationId) releasePublicIp(ctx.world, eni.publicIp);
    inst.state = "terminated";
    blackholeRoutesTo(ctx, (r) => r.instanceId === inst.id || r.networkInterfaceId === inst.networkInterfaceId);
    delete inst.publicIpAddress;
  }
  return instances;
}

/**
 * StopInstances / StartInstances: running ⇄ stopped, keeping the instance's ENI and private
 * address (an EBS-backed instance's do survive a stop). A terminated instance can do neither,
 * in AWS's words; an instance already in the wanted state is left as it is.
 */
export function setInstancesRunning(ctx: Ctx, instanceIds: string[], running: boolean): { instance: Instance; previous: Instance["state"] }[] {
  const instances = instanceIds.map((id) => get(ctx, "instances", id));
  const bad = instances.find((i) => i.state === "terminated");
  if (bad) {
    throw new AwsError("IncorrectInstanceState", `The instance '${bad.id}' is not in a state from which it can be ${running ? "started" : "stopped"}.`);
  }
  return instances.map((instance) => {
    const previous = instance.state;
    instance.state = running ? "running" : "stopped";
    return { instance, previous };
  });
}

export function modifyNetworkInterface(ctx: Ctx, networkInterfaceId: string, change: { sourceDestCheck?: boolean; groupIds?: string[]; description?: string }): void {
  const eni = get(ctx, "networkInterfaces", networkInterfaceId);
  if (eni.requesterManaged) {
    throw new AwsError("OperationNotPermitted", `The network interface ${eni.id} is managed by AWS (${eni.interfaceType}) and cannot be modified.`);
  }
  if (change.groupIds) {
    if (change.groupIds.length === 0) throw new AwsError("MissingParameter", "The request must contain the parameter groupId");
    for (const g of change.groupIds) {
      if (get(ctx, "securityGroups", g).vpcId !== eni.vpcId) throw invalidParam(`Security group ${g} and interface ${eni.id} belong to different networks.`);
    }
  }
  if (change.description !== undefined && change.description.length > 255) {
    throw invalidParam("Value for parameter description is invalid. Length exceeds maximum of 255.");
  }
  if (change.groupIds) eni.groupIds = [...new Set(change.groupIds)];
  if (change.sourceDestCheck !== undefined) eni.sourceDestCheck = change.sourceDestCheck;
  if (change.description !== undefined) eni.description = change.description;
}
