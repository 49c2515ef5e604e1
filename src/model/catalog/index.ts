// The region catalog: regions, AZs, AWS services, managed prefix lists and the public addresses
// service names resolve to. The facts are data (regions.json, services.json; sources in
// docs/CATALOG.md); this module only indexes them.
import regionsData from "./regions.json" with { type: "json" };
import servicesData from "./services.json" with { type: "json" };
import { type Cidr, cidr, parseIpv4 } from "../net.js";
import { PrefixTable } from "../lpm.js";

export interface AvailabilityZone { name: string; id: string }
export interface PrefixListInfo { id: string; name: string; region: string; service: string; cidrs: string[] }
export interface RegionInfo {
  name: string;
  displayName: string;
  availabilityZones: AvailabilityZone[];
  vpceHostedZoneId: string;
  prefixLists: Record<string, { id: string; cidrs: string[] }>;
  serviceAddresses: Record<string, string[]>;
  publicRanges: string[];
  pricing: Record<string, number>;
}
export interface ServiceInfo {
  code: string;
  title: string;
  types: ("Gateway" | "Interface")[];
  hostname: string;
  privateDnsNames: string[];
  wildcardEndpointNames: boolean;
  ports: number[];
  policySupported: boolean;
  addressPool: string;
}

const REGIONS: RegionInfo[] = (regionsData as { regions: RegionInfo[] }).regions;
const SERVICES: ServiceInfo[] = (servicesData as { services: ServiceInfo[] }).services;
const regionByName = new Map(REGIONS.map((r) => [r.name, r]));
const serviceByCode = new Map(SERVICES.map((s) => [s.code, s]));

export function regions(): readonly RegionInfo[] {
  return REGIONS;
}

export function findRegion(name: string): RegionInfo | undefined {
  return regionByName.get(name);
}

export function services(): readonly ServiceInfo[] {
  return SERVICES;
}

export function findAz(region: string, azName: string): AvailabilityZone | undefined {
  return regionByName.get(region)?.availabilityZones.find((az) => az.name === azName || az.id === azName);
}

export function fill(pattern: string, region: string): string {
  return pattern.replaceAll("{region}", region);
}

/** An AWS service name `com.amazonaws.<region>.<code>`, when the catalog offers it. */
export function findAwsService(serviceName: string): { region: RegionInfo; service: ServiceInfo } | undefined {
  const m = /^com\.amazonaws\.([a-z0-9-]+)\.(.+)$/.exec(serviceName);
  if (!m) return undefined;
  const region = regionByName.get(m[1]!);
  const service = serviceByCode.get(m[2]!);
  return region && service ? { region, service } : undefined;
}

const prefixLists: PrefixListInfo[] = REGIONS.flatMap((r) =>
  Object.entries(r.prefixLists).map(([service, pl]) => ({
    id: pl.id, name: `com.amazonaws.${r.name}.${service}`, region: r.name, service, cidrs: pl.cidrs,
  })),
);

export function prefixListsIn(region: string): PrefixListInfo[] {
  return prefixLists.filter((p) => p.region === region);
}

/** Prefix-list ids repeat across regions on real AWS, so a lookup names the region. */
export function findPrefixList(region: string, id: string): PrefixListInfo | undefined {
  return prefixLists.find((p) => p.region === region && p.id === id);
}

export function prefixListFor(region: string, service: string): PrefixListInfo | undefined {
  return prefixLists.find((p) => p.region === region && p.service === service);
}

/** Which public AWS space an address belongs to: a service's prefix list, or a region's other ranges. */
export interface AwsAddressOwner { region: string; service?: string; cidr: string }
const addressOwners = new PrefixTable<AwsAddressOwner>();
for (const r of REGIONS) {
  for (const [service, pl] of Object.entries(r.prefixLists)) {
    for (const c of pl.cidrs) addressOwners.insert(cidr(c), { region: r.name, service, cidr: c });
  }
  for (const c of r.publicRanges) addressOwners.insert(cidr(c), { region: r.name, cidr: c });
}

export function awsAddressOwner(ip: number): AwsAddressOwner | undefined {
  return addressOwners.longest(ip)?.[0];
}

/** A public AWS service hostname resolved against the catalog: which service, in which region. */
export interface PublicServiceName { region: RegionInfo; service: ServiceInfo; addresses: number[] }
const publicNames = new Map<string, PublicServiceName>();
const wildcardNames = new Map<string, PublicServiceName>(); // key: the suffix after "*."
for (const region of REGIONS) {
  for (const service of SERVICES) {
    const pool = region.serviceAddresses[service.addressPool] ?? region.serviceAddresses["default"] ?? [];
    const entry = { region, service, addresses: pool.map((a) => parseIpv4(a)!).filter((a) => a !== undefined) };
    const names = new Set([service.hostname, ...service.privateDnsNames].map((n) => fill(n, region.name)));
    for (const name of names) {
      if (name.startsWith("*.")) wildcardNames.set(name.slice(2), entry);
      else publicNames.set(name, entry);
    }
  }
}

export function findPublicServiceName(name: string): PublicServiceName | undefined {
  const exact = publicNames.get(name);
  if (exact) return exact;
  for (let dot = name.indexOf("."); dot >= 0; dot = name.indexOf(".", dot + 1)) {
    const hit = wildcardNames.get(name.slice(dot + 1));
    if (hit) return hit;
  }
  return undefined;
}

export type { Cidr };
