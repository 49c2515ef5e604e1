// The Route 53 Resolver's view from inside a VPC (or from outside, for on-premises and internet
// askers): interface-endpoint private DNS zones first (AWS services' and customer services'),
// then EC2's own names, then public DNS, where vpce.amazonaws.com names, load balancers' names
// and AWS service names resolve for everyone.
import { fill, findAwsService, findPublicServiceName } from "../model/catalog/index.js";
import { formatIpv4, parseCidr, parseIpv4, containsIp } from "../model/net.js";
import type { Vpc, VpcEndpoint } from "../model/types.js";
import type { LoadBalancer } from "../model/loadBalancing.js";
import type { ComponentRef, DigResult, DnsRecord, Explanation } from "./types.js";
import type { NetworkView } from "./view.js";
import { type BackendHealth, failOpenNote, healthyEndpointEnis, zoneHealth } from "./zoneHealth.js";

/** TTLs as AWS serves them: S3's short rotation TTL, 60 s for other names. */
export const TTL = { s3: 5, service: 60, endpoint: 60, ec2: 60, elb: 60 };

export interface Asker { vpcId?: string; component: ComponentRef }

export function resolverAddress(vpc: Vpc): string {
  return formatIpv4(parseCidr(vpc.cidrBlock)!.base + 2);
}

function epRef(ep: VpcEndpoint): ComponentRef {
  const name = ep.tags.find((t) => t.key === "Name")?.value;
  return { id: ep.id, type: "vpc-endpoint", ...(name ? { name } : {}) };
}

function matchesName(pattern: string, name: string): boolean {
  return pattern.startsWith("*.") ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1 : pattern === name;
}

function rotate<T>(items: T[], n: number): T[] {
  if (items.length === 0) return items;
  const k = n % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * An endpoint's addresses: in one zone (zonal names), else those of healthy zones (regional and
 * private names), with a note for each of the service's load balancers whose DNS failed open.
 */
function endpointIps(view: NetworkView, ep: VpcEndpoint, notes: Explanation[], az?: string, backendHealth?: BackendHealth): string[] {
  let ids = ep.networkInterfaceIds;
  if (az === undefined) {
    const healthy = healthyEndpointEnis(view, ep, ids, backendHealth);
    ids = healthy.eniIds;
    if (ids.length > 1) for (const f of healthy.failedOpen) notes.push(failOpenNote(f.lb, f.health));
  }
  return ids
    .map((id) => view.world.networkInterfaces.get(id))
    .filter((e) => e !== undefined && (az === undefined || e.availabilityZone === az))
    .map((e) => e!.privateIpAddress);
}

/**
 * Resolves an A query. `rotation` picks where multi-address answers start, so that callers
 * that count queries (the dig command, the DNS server) rotate like real S3. `backendHealth`, when
 * known, is the live health of real backends: a load balancer's zones whose targets are all down
 * are then not answered either (TraceRequest.backendHealth).
 */
export function resolve(view: NetworkView, asker: Asker, rawName: string, rotation = 0, backendHealth?: BackendHealth): DigResult {
  const name = rawName.toLowerCase().replace(/\.$/, "");
  const vpc = asker.vpcId ? view.world.vpcs.get(asker.vpcId) : undefined;
  const result: DigResult = {
    name, type: "A", status: "NXDOMAIN", from: asker.component,
    resolver: vpc ? `${resolverAddress(vpc)} (AmazonProvidedDNS)` : "public DNS",
    answers: [], source: { kind: "none" }, explanations: [], notes: [],
  };
  const answer = (records: string[], ttl: number, source: DigResult["source"]): DigResult => {
    result.status = "NOERROR";
    result.answers = records.map((value): DnsRecord => ({ name, type: "A", ttl, value }));
    result.source = source;
    return result;
  };

  if (vpc) {
    const vpcRef: ComponentRef = { id: vpc.id, type: "vpc" };
    if (!vpc.enableDnsSupport) {
      result.status = "NO_RESOLVER";
      result.explanations.push({
        code: "DNS_RESOLUTION_DISABLED", component: vpcRef,
        message: `enableDnsSupport is false on ${vpc.id}: the Amazon-provided resolver at ${resolverAddress(vpc)} does not answer.`,
        fix: `aws ec2 modify-vpc-attribute --vpc-id ${vpc.id} --enable-dns-support`,
      });
      return result;
    }
    const dnsAttrsOn = vpc.enableDnsSupport && vpc.enableDnsHostnames;
    for (const ep of view.endpointsIn(vpc.id)) {
      const owned = privateNames(view, ep);
      if (!owned || !owned.names.some((p) => matchesName(p, name))) continue;
      if (owned.unverified) {
        result.notes.push({
          code: "PRIVATE_DNS_NAME_NOT_VERIFIED", component: epRef(ep),
          message: `${ep.id} connects to ${owned.label}, whose private DNS name ${owned.unverified} is ${owned.state}: consumers get it only once the provider has verified the domain, so ${name} gets the public answer.`,
          fix: `The provider publishes the TXT record of the service's PrivateDnsNameConfiguration, then runs aws ec2 start-vpc-endpoint-service-private-dns-verification --service-id ${ep.serviceId ?? "<service id>"}`,
        });
        continue;
      }
      if (!ep.privateDnsEnabled) {
        result.notes.push({
          code: "PRIVATE_DNS_DISABLED", component: epRef(ep),
          message: `${ep.id} serves ${owned.label} in this VPC, but its private DNS is off, so ${name} gets the public answer.`,
          fix: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${ep.id} --private-dns-enabled`,
        });
        continue;
      }
      if (!dnsAttrsOn) {
        result.notes.push({
          code: "PRIVATE_DNS_REQUIRES_VPC_DNS_ATTRIBUTES", component: epRef(ep),
          message: `${ep.id} has private DNS on, but ${vpc.id} has enableDnsHostnames=false, so its private hosted zone does not answer.`,
          fix: `aws ec2 modify-vpc-attribute --vpc-id ${vpc.id} --enable-dns-hostnames`,
        });
        continue;
      }
      const zone = ep.dnsEntries.find((d) => !d.dnsName.endsWith(".vpce.amazonaws.com"))?.hostedZoneId;
      const source: DigResult["source"] = { kind: "private-dns", component: epRef(ep), ...(zone ? { zone } : {}) };
      const regional = ep.dnsEntries[0]?.dnsName;
      if (!owned.customer || regional === undefined) return answer(rotate(endpointIps(view, ep, result.notes, undefined, backendHealth), rotation), TTL.endpoint, source);
      // A customer service's private name is a CNAME to the endpoint's regional name (the spec's
      // reading of AWS's docs): the answer chain shows both, as dig does.
      answer(rotate(endpointIps(view, ep, result.notes, undefined, backendHealth), rotation), TTL.endpoint, source);
      result.answers = [{ name, type: "CNAME", ttl: TTL.endpoint, value: regional }, ...result.answers.map((a) => ({ ...a, name: regional }))];
      return result;
    }
    // Amazon-provided private names resolve only when both DNS attributes are on (vpc-dns.html).
    const internal = dnsAttrsOn ? ec2InternalName(view, vpc, name) : undefined;
    if (internal) return answer([internal], TTL.ec2, { kind: "ec2-internal", component: vpcRef });
    if (/\.compute\.internal$|\.ec2\.internal$/.test(name)) return result;
  }

  const publicName = ec2PublicName(name);
  if (publicName !== undefined) {
    // The name exists only while the owner's VPC has both DNS attributes on, and only in its Region's domain.
    const eni = view.eniWithPublicIp(publicName);
    const owner = eni ? view.world.vpcs.get(eni.vpcId) : undefined;
    if (!eni || !owner?.enableDnsSupport || !owner.enableDnsHostnames || name !== publicHostname(eni.publicIp!, eni.region)) return result;
    const inside = vpc !== undefined && eni.vpcId === vpc.id;
    return answer([inside ? eni.privateIpAddress : formatIpv4(publicName)], TTL.ec2, { kind: "ec2-public", component: { id: eni.id, type: "network-interface" } });
  }

  const vpce = /^(?:\*\.|[^.]+\.)?(vpce-[0-9a-f]{17})-[a-z0-9]{8}(?:-([a-z]{2}-[a-z]+-\d[a-z]))?\.[a-z0-9.-]+\.vpce\.amazonaws\.com$/.exec(name);
  if (vpce) {
    const ep = view.world.vpcEndpoints.get(vpce[1]!);
    if (ep && ep.dnsEntries.some((d) => matchesName(d.dnsName, name))) {
      return answer(rotate(endpointIps(view, ep, result.notes, vpce[2], backendHealth), rotation), TTL.endpoint, { kind: "vpce-public", component: epRef(ep), zone: ep.dnsEntries[0]!.hostedZoneId });
    }
    return result;
  }

  const lbName = loadBalancerName(view, name);
  if (lbName) {
    // Internal load balancers' names are public too, and answer their nodes' private addresses;
    // the main name only healthy zones' nodes, a zonal name its zone's node whatever its health.
    const health = zoneHealth(view, lbName.lb, backendHealth);
    if (lbName.zone === undefined && health.failedOpen && lbName.lb.zones.length > 1) result.notes.push(failOpenNote(lbName.lb, health));
    const addresses = lbName.lb.zones.filter((z) => (lbName.zone === undefined ? health.zones.has(z.zoneId) : z.zoneName === lbName.zone))
      .map((z) => (lbName.lb.scheme === "internet-facing" ? z.publicIpv4Address ?? view.world.networkInterfaces.get(z.networkInterfaceId)?.publicIp : undefined) ?? z.privateIpv4Address);
    if (addresses.length === 0) return result;
    return answer(rotate(addresses, rotation), TTL.elb, { kind: "elb-public", component: { id: lbName.lb.id, type: "load-balancer", name: lbName.lb.name }, zone: lbName.lb.canonicalHostedZoneId });
  }

  const svc = findPublicServiceName(name);
  if (svc && svc.addresses.length > 0) {
    // Service names answer several addresses, in an order that rotates from query to query.
    const rotated = rotate(svc.addresses, rotation).map(formatIpv4);
    const isS3 = svc.service.code === "s3";
    if (vpc) noteEndpointElsewhere(view, vpc, svc.service.code, svc.region.name, result.notes);
    return answer(rotated, isS3 ? TTL.s3 : TTL.service, { kind: "aws-public", zone: `${svc.service.code}.${svc.region.name} (public)` });
  }
  return result;
}

/**
 * The private names an interface endpoint may answer in its VPC: an AWS service's, or a customer
 * service's one name (only once verified: `unverified` names the one consumers cannot use yet).
 */
function privateNames(view: NetworkView, ep: VpcEndpoint): { names: string[]; label: string; customer: boolean; unverified?: string; state?: string } | undefined {
  if (ep.vpcEndpointType !== "Interface") return undefined;
  const aws = findAwsService(ep.serviceName);
  if (aws) return { names: aws.service.privateDnsNames.map((n) => fill(n, aws.region.name)), label: aws.service.code, customer: false };
  const svc = view.serviceOf(ep);
  const own = svc?.privateDnsName?.toLowerCase();
  if (!svc || own === undefined) return undefined;
  const state = svc.privateDnsNameConfiguration?.state ?? "pendingVerification";
  return { names: [own], label: svc.id, customer: true, ...(state !== "verified" ? { unverified: own, state } : {}) };
}

/** <name>-<hex>.elb.<region>.amazonaws.com, or a zonal <az>.<name>-<hex>.elb... name. */
function loadBalancerName(view: NetworkView, name: string): { lb: LoadBalancer; zone?: string } | undefined {
  if (!name.endsWith(".amazonaws.com") || !name.includes(".elb.")) return undefined;
  const lb = view.loadBalancerByDnsName(name);
  if (lb) return { lb };
  const dot = name.indexOf(".");
  const zonal = view.loadBalancerByDnsName(name.slice(dot + 1));
  return zonal && zonal.zones.some((z) => z.zoneName === name.slice(0, dot)) ? { lb: zonal, zone: name.slice(0, dot) } : undefined;
}

/** ip-10-0-1-103.<region>.compute.internal (ec2.internal in us-east-1) and i-<id>.<region>.compute.internal. */
function ec2InternalName(view: NetworkView, vpc: Vpc, name: string): string | undefined {
  const domain = vpc.region === "us-east-1" ? "ec2.internal" : `${vpc.region}.compute.internal`;
  if (!name.endsWith(`.${domain}`)) return undefined;
  const host = name.slice(0, -(domain.length + 1));
  const ipName = /^ip-(\d+)-(\d+)-(\d+)-(\d+)$/.exec(host);
  if (ipName) {
    const ip = parseIpv4(ipName.slice(1, 5).join("."));
    return ip !== undefined && containsIp(parseCidr(vpc.cidrBlock)!, ip) ? formatIpv4(ip) : undefined;
  }
  const inst = view.world.instances.get(host);
  return inst && inst.vpcId === vpc.id && inst.state === "running" ? inst.privateIpAddress : undefined;
}

/** The public DNS name AWS gives a public address in a Region. */
export function publicHostname(ip: string, region: string): string {
  return `ec2-${ip.replaceAll(".", "-")}.${region === "us-east-1" ? "compute-1" : `${region}.compute`}.amazonaws.com`;
}

/** ec2-203-0-113-25.compute-1.amazonaws.com / ec2-...<region>.compute.amazonaws.com -> the address. */
function ec2PublicName(name: string): number | undefined {
  const m = /^ec2-(\d+)-(\d+)-(\d+)-(\d+)\.(?:compute-1|[a-z]{2}-[a-z]+-\d\.compute)\.amazonaws\.com$/.exec(name);
  return m ? parseIpv4(m.slice(1, 5).join(".")) : undefined;
}

function noteEndpointElsewhere(view: NetworkView, vpc: Vpc, code: string, region: string, notes: Explanation[]): void {
  for (const ep of view.endpointsIn(vpc.id)) {
    const svc = findAwsService(ep.serviceName);
    if (svc && svc.service.code === code && svc.region.name !== region) {
      notes.push({
        code: "ENDPOINT_REGION_MISMATCH", component: epRef(ep),
        message: `${ep.id} serves ${code} in ${svc.region.name}; this name is ${code} in ${region}, which the endpoint does not serve.`,
      });
    }
  }
}
