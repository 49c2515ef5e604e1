// Address allocation: private IPs from a subnet (skipping AWS's five reserved addresses) and
// public IPs from the region's pool. Kept as indexes beside the world, built once from its ENIs,
// so that launching the 100,000th instance does not scan the other 99,999.
import { AwsError } from "../model/errors.js";
import { type Cidr, cidrSize, formatIpv4, parseCidr, parseIpv4 } from "../model/net.js";
import type { Subnet } from "../model/types.js";
import type { World } from "../model/world.js";
import pools from "../model/catalog/ec2-public-pools.json" with { type: "json" };

interface SubnetIps { cidr: Cidr; used: Set<number>; next: number }
interface Index { subnets: Map<string, SubnetIps>; publicUsed: Set<number>; publicNext: Map<string, number> }
const indexes = new WeakMap<World, Index>();

function index(world: World): Index {
  let ix = indexes.get(world);
  if (!ix) {
    ix = { subnets: new Map(), publicUsed: new Set(), publicNext: new Map() };
    for (const eni of world.networkInterfaces.values()) {
      subnetIps(ix, world.subnets.get(eni.subnetId))?.used.add(parseIpv4(eni.privateIpAddress)!);
      if (eni.publicIp) ix.publicUsed.add(parseIpv4(eni.publicIp)!);
    }
    for (const eip of world.elasticIps.values()) ix.publicUsed.add(parseIpv4(eip.publicIp)!);
    indexes.set(world, ix);
  }
  return ix;
}

function subnetIps(ix: Index, subnet: Subnet | undefined): SubnetIps | undefined {
  if (!subnet) return undefined;
  let s = ix.subnets.get(subnet.id);
  if (!s) {
    const c = parseCidr(subnet.cidrBlock)!;
    s = { cidr: c, used: new Set(), next: c.base + 4 };
    ix.subnets.set(subnet.id, s);
  }
  return s;
}

/** AWS reserves the network address, +1 (router), +2 (DNS), +3 (future use) and the broadcast address. */
function isReserved(c: Cidr, ip: number): boolean {
  return ip - c.base < 4 || ip === c.base + cidrSize(c) - 1;
}

/** Takes `requested` (checked like AWS) or the next free address of the subnet. */
export function allocatePrivateIp(world: World, subnet: Subnet, requested?: string): string {
  const s = subnetIps(index(world), subnet)!;
  if (requested !== undefined) {
    s.used.add(checkPrivateIp(world, subnet, requested));
    return requested;
  }
  const end = s.cidr.base + cidrSize(s.cidr) - 1;
  for (let ip = s.next; ip < end; ip++) {
    if (!s.used.has(ip)) {
      s.used.add(ip);
      s.next = ip + 1;
      return formatIpv4(ip);
    }
  }
  for (let ip = s.cidr.base + 4; ip < s.next; ip++) {
    if (!s.used.has(ip)) {
      s.used.add(ip);
      return formatIpv4(ip);
    }
  }
  throw new AwsError("InsufficientFreeAddressesInSubnet", `Insufficient free IP addresses in subnet ${subnet.id}.`);
}

/** Whether a requested address can be taken, checked like RunInstances; callers validate with it before changing anything. */
export function checkPrivateIp(world: World, subnet: Subnet, requested: string): number {
  const s = subnetIps(index(world), subnet)!;
  const ip = parseIpv4(requested);
  if (ip === undefined) throw new AwsError("InvalidParameterValue", `Invalid value '${requested}' for IP address.`);
  if (ip < s.cidr.base || ip >= s.cidr.base + cidrSize(s.cidr)) {
    throw new AwsError("InvalidParameterValue", `Address ${requested} does not fall within the subnet's address range`);
  }
  if (isReserved(s.cidr, ip)) throw new AwsError("InvalidParameterValue", `Address ${requested} is reserved by AWS and cannot be used`);
  if (s.used.has(ip)) throw new AwsError("InvalidIPAddress.InUse", `Address ${requested} is in use.`);
  return ip;
}

/** Throws AWS's error unless each subnet has a free address for each ENI about to be made in it. */
export function checkFreeAddresses(world: World, subnets: Subnet[]): void {
  const wanted = new Map<string, number>();
  for (const s of subnets) wanted.set(s.id, (wanted.get(s.id) ?? 0) + 1);
  for (const s of subnets) {
    if (freeAddressCount(world, s) < wanted.get(s.id)!) {
      throw new AwsError("InsufficientFreeAddressesInSubnet", `There are not enough free addresses in subnet '${s.id}' to satisfy the requested number of network interfaces.`);
    }
  }
}

export function freeAddressCount(world: World, subnet: Subnet): number {
  const s = subnetIps(index(world), subnet)!;
  return cidrSize(s.cidr) - 5 - s.used.size;
}

export function releasePrivateIp(world: World, subnetId: string, ip: string): void {
  const s = index(world).subnets.get(subnetId);
  if (s) {
    const n = parseIpv4(ip)!;
    s.used.delete(n);
    if (n < s.next) s.next = n;
  }
}

/** A public IPv4 address from the region's pool (the ranges real instances there get). */
export function allocatePublicIp(world: World, region: string): string {
  const ix = index(world);
  const table = pools as Record<string, string[]>;
  const ranges = (table[region] ?? table["default"]!).map((t) => parseCidr(t)!);
  for (const c of ranges) {
    const key = c.text;
    let ip = Math.max(ix.publicNext.get(key) ?? c.base + 10, c.base + 10);
    for (; ip < c.base + cidrSize(c) - 1; ip++) {
      if (!ix.publicUsed.has(ip)) {
        ix.publicUsed.add(ip);
        ix.publicNext.set(key, ip + 1);
        return formatIpv4(ip);
      }
    }
  }
  throw new AwsError("AddressLimitExceeded", "The maximum number of addresses has been reached.");
}

export function releasePublicIp(world: World, ip: string): void {
  index(world).publicUsed.delete(parseIpv4(ip)!);
}
