// Reachability Analyzer (EC2's "network insights"): paths, each a source and a destination with a
// protocol and port, and analyses of them. An analysis runs vpclab's trace over the world as it is
// at that moment and keeps the result in Reachability Analyzer's own shapes (PathComponent,
// Explanation, ...: the EC2 model's member names, first letter lowercased), with the whole vpclab
// trace alongside as `vpclabTrace` (not a model member, so the API never renders it).
import { findAwsService, prefixListFor } from "../model/catalog/index.js";
import { AwsError } from "../model/errors.js";
import { containsIp, formatIpv4, isPublicIp, parseCidr, parseIpv4 } from "../model/net.js";
import { routeTarget } from "../model/routes.js";
import type { InternetGateway, NetworkAclEntry, NetworkInterface, Resource, Route, Tag, VpcEndpoint } from "../model/types.js";
import type { CollectionName, World } from "../model/world.js";
import { EPHEMERAL, type Protocol } from "../analysis/filters.js";
import { deliverLocal, enterThroughGateway, viaAppliance, viaGatewayEndpoint, viaInternetGateway, viaNatGateway, viaPeering, viaVpnGateway } from "../analysis/targets.js";
import { trace } from "../analysis/trace.js";
import type { ComponentRef, Hop, MatchedRule, Explanation as TraceExplanation, Trace } from "../analysis/types.js";
import { NetworkView } from "../analysis/view.js";
import { type Ports, type RouteStep, Walk, ref } from "../analysis/walk.js";
import { type Ctx, base, collectionOfId, find, get, invalidParam } from "./context.js";
import { type Filter, type FilterTable, applyFilters } from "./filters.js";

export type { InsightsProtocol, FilterPortRange, PathFilter, TagSpecificationInput, CreateNetworkInsightsPathInput, NetworkInsightsPathShape, NetworkInsightsPath, AnalysisComponent, PortRange, AnalysisAclRule, AnalysisSecurityGroupRule, AnalysisRouteTableRoute, AnalysisPacketHeader, AdditionalDetail, InsightsExplanation, PathComponent, StartNetworkInsightsAnalysisInput, AnalysisStatus, NetworkInsightsAnalysisShape, NetworkInsightsAnalysis } from "../model/insights.js";
import type { InsightsProtocol, FilterPortRange, PathFilter, TagSpecificationInput, CreateNetworkInsightsPathInput, NetworkInsightsPathShape, NetworkInsightsPath, AnalysisComponent, AnalysisAclRule, AnalysisSecurityGroupRule, AnalysisRouteTableRoute, AnalysisPacketHeader, InsightsExplanation, PathComponent, StartNetworkInsightsAnalysisInput, NetworkInsightsAnalysisShape, NetworkInsightsAnalysis } from "../model/insights.js";

export interface DescribeNetworkInsightsPathsInput { networkInsightsPathIds?: string[]; filters?: Filter[] }
export interface DescribeNetworkInsightsAnalysesInput {
  networkInsightsAnalysisIds?: string[];
  networkInsightsPathId?: string;
  analysisStartTime?: string | Date;
  analysisEndTime?: string | Date;
  filters?: Filter[];
}

// ---- Choices where AWS analyses what vpclab cannot ----

/** The port analysed when a path names none: AWS then considers every port; vpclab traces one flow. */
export const DEFAULT_ANALYSIS_PORT = 443;
/** Where a path to an internet gateway leads when it names no address. */
export const DEFAULT_INTERNET_DESTINATION = "8.8.8.8";
/** Where traffic from an internet-gateway source comes from when the path names no address (a documentation range). */
export const DEFAULT_INTERNET_SOURCE = "198.51.100.10";

type EndKind = "instances" | "networkInterfaces" | "internetGateways" | "vpcEndpoints";
const SOURCE_KINDS: readonly CollectionName[] = ["instances", "networkInterfaces", "internetGateways"];
const DESTINATION_KINDS: readonly CollectionName[] = ["instances", "networkInterfaces", "internetGateways", "vpcEndpoints"];
const SUPPORTED: Record<"source" | "destination", string> = {
  source: "an instance (i-), a network interface (eni-) or an internet gateway (igw-)",
  destination: "an instance (i-), a network interface (eni-), an internet gateway (igw-) or a VPC endpoint (vpce-)",
};
/** What Reachability Analyzer also accepts at either end, by id prefix, that vpclab does not analyse yet. */
const AWS_ONLY_ENDS: Record<string, string> = {
  tgw: "transit gateway", "tgw-attach": "transit gateway attachment", vgw: "virtual private gateway",
  pcx: "VPC peering connection", vpce: "VPC endpoint", "vpce-svc": "VPC endpoint service",
};

/** The resource type in an EC2 ARN, by the trace's component types and the world's collections. */
const ARN_TYPE: Record<string, string> = {
  instance: "instance", "network-interface": "network-interface", "security-group": "security-group",
  "security-group-egress": "security-group", "security-group-ingress": "security-group", "network-acl": "network-acl",
  "route-table": "route-table", subnet: "subnet", vpc: "vpc", "internet-gateway": "internet-gateway", "nat-gateway": "natgateway",
  "vpc-endpoint": "vpc-endpoint", "vpc-peering-connection": "vpc-peering-connection", "vpn-gateway": "vpn-gateway", "vpn-connection": "vpn-connection",
};
const TYPE_OF_KIND: Partial<Record<CollectionName, string>> = {
  instances: "instance", networkInterfaces: "network-interface", internetGateways: "internet-gateway", vpcEndpoints: "vpc-endpoint",
  securityGroups: "security-group", networkAcls: "network-acl", routeTables: "route-table", subnets: "subnet", vpcs: "vpc",
  natGateways: "nat-gateway", peeringConnections: "vpc-peering-connection", vpnGateways: "vpn-gateway", vpnConnections: "vpn-connection",
};

function ec2Arn(region: string, account: string, type: string, id: string): string {
  return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
}

// ---- Input checks ----

function tagsFrom(specs: TagSpecificationInput[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.resourceType === undefined) throw invalidParam("Tag specification resource type must have a value");
    if (spec.resourceType !== resourceType) throw invalidParam(`'${spec.resourceType}' is not a valid taggable resource type for this operation.`);
    for (const t of spec.tags ?? []) {
      if (t.key === undefined || t.key === "") throw invalidParam("Tag key must not be empty");
      if (t.key.toLowerCase().startsWith("aws:")) throw invalidParam("Tag keys starting with 'aws:' are reserved for internal use");
      tags.push({ key: t.key, value: t.value ?? "" });
    }
  }
  return tags;
}

function checkIp(value: string | undefined, param: string): void {
  if (value !== undefined && parseIpv4(value) === undefined) throw invalidParam(`Value (${value}) for parameter ${param} is invalid. Expecting an IPv4 address.`);
}

function checkPort(value: number | undefined, param: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65535)) {
    throw invalidParam(`Value (${value}) for parameter ${param} is invalid. Expecting a port between 0 and 65535.`);
  }
}

function checkRange(r: FilterPortRange | undefined, param: string): FilterPortRange | undefined {
  if (!r) return undefined;
  checkPort(r.fromPort, `${param}.FromPort`);
  checkPort(r.toPort, `${param}.ToPort`);
  if (r.fromPort !== undefined && r.toPort !== undefined && r.fromPort > r.toPort) {
    throw invalidParam(`${param}: FromPort (${r.fromPort}) is greater than ToPort (${r.toPort}).`);
  }
  return { ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}), ...(r.toPort !== undefined ? { toPort: r.toPort } : {}) };
}

/** A checked copy of a PathRequestFilter, without the members it leaves out. */
function checkFilter(f: PathFilter | undefined, param: string): PathFilter | undefined {
  if (!f) return undefined;
  checkIp(f.sourceAddress, `${param}.SourceAddress`);
  checkIp(f.destinationAddress, `${param}.DestinationAddress`);
  const sourcePortRange = checkRange(f.sourcePortRange, `${param}.SourcePortRange`);
  const destinationPortRange = checkRange(f.destinationPortRange, `${param}.DestinationPortRange`);
  return {
    ...(f.sourceAddress !== undefined ? { sourceAddress: f.sourceAddress } : {}),
    ...(sourcePortRange ? { sourcePortRange } : {}),
    ...(f.destinationAddress !== undefined ? { destinationAddress: f.destinationAddress } : {}),
    ...(destinationPortRange ? { destinationPortRange } : {}),
  };
}

function checkProtocol(value: string | undefined): InsightsProtocol {
  if (value === undefined) throw new AwsError("MissingParameter", "The request must contain the parameter Protocol");
  // AWS's own guide passes TCP; the path then reads tcp.
  const p = value.toLowerCase();
  if (p !== "tcp" && p !== "udp") throw invalidParam(`Value (${value}) for parameter Protocol is invalid. Valid values: tcp, udp.`);
  return p;
}

/** A source or destination given by id or ARN: the caller's resource of a type vpclab analyses. */
function resolveEnd(ctx: Ctx, value: string, role: "source" | "destination"): { id: string; arn: string } {
  const arn = /^arn:aws[a-z-]*:ec2:[a-z0-9-]*:\d{12}:[a-z-]+\/(.+)$/.exec(value);
  const id = arn ? arn[1]! : value;
  const kind = collectionOfId(id);
  if (!kind || !(role === "source" ? SOURCE_KINDS : DESTINATION_KINDS).includes(kind)) {
    const what = AWS_ONLY_ENDS[id.slice(0, id.lastIndexOf("-"))];
    throw invalidParam(what
      ? `vpclab cannot analyse paths with a ${what} as the ${role} yet; the ${role} must be ${SUPPORTED[role]}.`
      : `The ${role} '${value}' is not a resource Reachability Analyzer can analyse; the ${role} must be ${SUPPORTED[role]}.`);
  }
  const r = get(ctx, kind as EndKind, id);
  return { id: r.id, arn: ec2Arn(r.region, r.ownerId, TYPE_OF_KIND[kind]!, r.id) };
}

function checkArns(arns: string[] | undefined, param: string): string[] {
  for (const a of arns ?? []) {
    if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/.test(a)) throw invalidParam(`Value (${a}) for parameter ${param} is invalid. Expecting an ARN.`);
  }
  return [...new Set(arns ?? [])];
}

// ---- Paths ----

export function presentNetworkInsightsPath(p: NetworkInsightsPath): NetworkInsightsPathShape {
  return structuredClone({
    networkInsightsPathId: p.networkInsightsPathId, networkInsightsPathArn: p.networkInsightsPathArn, createdDate: p.createdDate,
    source: p.source, ...(p.destination !== undefined ? { destination: p.destination } : {}),
    sourceArn: p.sourceArn, ...(p.destinationArn !== undefined ? { destinationArn: p.destinationArn } : {}),
    ...(p.sourceIp !== undefined ? { sourceIp: p.sourceIp } : {}), ...(p.destinationIp !== undefined ? { destinationIp: p.destinationIp } : {}),
    protocol: p.protocol, ...(p.destinationPort !== undefined ? { destinationPort: p.destinationPort } : {}), tags: p.tags,
    ...(p.filterAtSource ? { filterAtSource: p.filterAtSource } : {}), ...(p.filterAtDestination ? { filterAtDestination: p.filterAtDestination } : {}),
  });
}

/**
 * CreateNetworkInsightsPath. The source and destination must be the caller's, in its Region; a
 * destination is required unless FilterAtSource names a destination address (as AWS requires).
 */
export function createNetworkInsightsPath(ctx: Ctx, input: CreateNetworkInsightsPathInput): NetworkInsightsPathShape {
  if (input.source === undefined || input.source === "") throw new AwsError("MissingParameter", "The request must contain the parameter Source");
  const protocol = checkProtocol(input.protocol);
  checkIp(input.sourceIp, "SourceIp");
  checkIp(input.destinationIp, "DestinationIp");
  checkPort(input.destinationPort, "DestinationPort");
  const filterAtSource = checkFilter(input.filterAtSource, "FilterAtSource");
  const filterAtDestination = checkFilter(input.filterAtDestination, "FilterAtDestination");
  if (filterAtSource && (input.sourceIp !== undefined || input.destinationPort !== undefined)) {
    throw new AwsError("InvalidParameterCombination", "FilterAtSource cannot be specified with SourceIp or DestinationPort.");
  }
  if (filterAtDestination && input.destinationIp !== undefined) {
    throw new AwsError("InvalidParameterCombination", "FilterAtDestination cannot be specified with DestinationIp.");
  }
  if (input.destination === undefined && filterAtSource?.destinationAddress === undefined) {
    throw new AwsError("MissingParameter", "The request must include either the Destination parameter or the FilterAtSource.DestinationAddress parameter. Add the required parameter and retry the request.");
  }
  const source = resolveEnd(ctx, input.source, "source");
  const destination = input.destination !== undefined ? resolveEnd(ctx, input.destination, "destination") : undefined;
  const tags = tagsFrom(input.tagSpecifications, "network-insights-path");

  const b = base(ctx, "nip", tags);
  const path: NetworkInsightsPath = {
    id: b.id, region: b.region, ownerId: b.ownerId,
    networkInsightsPathId: b.id,
    networkInsightsPathArn: ec2Arn(ctx.region, ctx.account, "network-insights-path", b.id),
    createdDate: ctx.world.ids.now(),
    source: source.id,
    ...(destination ? { destination: destination.id } : {}),
    sourceArn: source.arn,
    ...(destination ? { destinationArn: destination.arn } : {}),
    ...(input.sourceIp !== undefined ? { sourceIp: input.sourceIp } : {}),
    ...(input.destinationIp !== undefined ? { destinationIp: input.destinationIp } : {}),
    protocol,
    ...(input.destinationPort !== undefined ? { destinationPort: input.destinationPort } : {}),
    ...(filterAtSource ? { filterAtSource } : {}),
    ...(filterAtDestination ? { filterAtDestination } : {}),
    tags: b.tags,
  };
  ctx.world.networkInsightsPaths.set(path.id, path);
  return presentNetworkInsightsPath(path);
}

function portRangeValues(r: FilterPortRange | undefined): string[] {
  if (!r || (r.fromPort === undefined && r.toPort === undefined)) return [];
  const from = r.fromPort ?? r.toPort!;
  const to = r.toPort ?? from;
  return from === to ? [`${from}-${to}`, String(from)] : [`${from}-${to}`];
}

/**
 * DescribeNetworkInsightsPaths filters: the ones AWS documents, plus destination-ip, source-ip and
 * destination-port (in its earlier documentation). Port ranges match as `from-to`, or the port when
 * the range has one; source and destination match the id or the ARN.
 */
export const NETWORK_INSIGHTS_PATH_FILTERS: FilterTable<NetworkInsightsPath> = {
  "destination": (p) => [p.destination, p.destinationArn],
  "destination-ip": (p) => p.destinationIp,
  "destination-port": (p) => p.destinationPort,
  "filter-at-source.source-address": (p) => p.filterAtSource?.sourceAddress,
  "filter-at-source.source-port-range": (p) => portRangeValues(p.filterAtSource?.sourcePortRange),
  "filter-at-source.destination-address": (p) => p.filterAtSource?.destinationAddress,
  "filter-at-source.destination-port-range": (p) => portRangeValues(p.filterAtSource?.destinationPortRange),
  "filter-at-destination.source-address": (p) => p.filterAtDestination?.sourceAddress,
  "filter-at-destination.source-port-range": (p) => portRangeValues(p.filterAtDestination?.sourcePortRange),
  "filter-at-destination.destination-address": (p) => p.filterAtDestination?.destinationAddress,
  "filter-at-destination.destination-port-range": (p) => portRangeValues(p.filterAtDestination?.destinationPortRange),
  "protocol": (p) => p.protocol,
  "source": (p) => [p.source, p.sourceArn],
  "source-ip": (p) => p.sourceIp,
};

function owned<T extends Resource>(ctx: Ctx, items: Iterable<T>): T[] {
  return [...items].filter((r) => r.ownerId === ctx.account && r.region === ctx.region);
}

/** The caller's paths, the named ones (each must exist) or all, filtered, in creation order. */
export function describeNetworkInsightsPaths(ctx: Ctx, input: DescribeNetworkInsightsPathsInput = {}): NetworkInsightsPathShape[] {
  const ids = input.networkInsightsPathIds ?? [];
  const all = ids.length > 0
    ? [...new Set(ids)].map((id) => get(ctx, "networkInsightsPaths", id))
    : owned(ctx, ctx.world.networkInsightsPaths.values());
  return applyFilters(all, input.filters, NETWORK_INSIGHTS_PATH_FILTERS).map(presentNetworkInsightsPath);
}

/** DeleteNetworkInsightsPath: refused while the path has analyses, as AWS refuses it (delete those first). */
export function deleteNetworkInsightsPath(ctx: Ctx, input: { networkInsightsPathId: string }): { networkInsightsPathId: string } {
  const path = get(ctx, "networkInsightsPaths", input.networkInsightsPathId);
  const analyses = [...ctx.world.networkInsightsAnalyses.values()].filter((a) => a.networkInsightsPathId === path.id);
  if (analyses.length > 0) {
    throw new AwsError("AnalysisExistsForNetworkInsightsPath", `The network insights path ${path.id} has ${analyses.length} analyses (${analyses.map((a) => a.id).join(", ")}). Delete them before deleting the path.`);
  }
  ctx.world.networkInsightsPaths.delete(path.id);
  return { networkInsightsPathId: path.id };
}

// ---- Analyses ----

/** The API shape: the stored analysis without the fields every resource has (vpclabTrace stays: the renderer skips it). */
export function presentNetworkInsightsAnalysis(a: NetworkInsightsAnalysis): NetworkInsightsAnalysisShape {
  const shape: NetworkInsightsAnalysisShape & Partial<Pick<Resource, "id" | "region" | "ownerId">> = structuredClone(a);
  delete shape.id;
  delete shape.region;
  delete shape.ownerId;
  return shape;
}

/**
 * StartNetworkInsightsAnalysis: analyses the path at once (status `succeeded`, or `failed` when
 * its source or destination no longer exists) and stores the analysis.
 */
export function startNetworkInsightsAnalysis(ctx: Ctx, input: StartNetworkInsightsAnalysisInput): NetworkInsightsAnalysisShape {
  const path = get(ctx, "networkInsightsPaths", input.networkInsightsPathId);
  const filterInArns = checkArns(input.filterInArns, "FilterInArns");
  const filterOutArns = checkArns(input.filterOutArns, "FilterOutArns");
  for (const a of input.additionalAccounts ?? []) {
    if (!/^\d{12}$/.test(a)) throw invalidParam(`Value (${a}) for parameter AdditionalAccounts is invalid. Expecting a 12-digit account id.`);
  }
  const tags = tagsFrom(input.tagSpecifications, "network-insights-analysis");
  const result = analyse(ctx, path, filterInArns, filterOutArns);

  const b = base(ctx, "nia", tags);
  const analysis: NetworkInsightsAnalysis = {
    id: b.id, region: b.region, ownerId: b.ownerId,
    networkInsightsAnalysisId: b.id,
    networkInsightsAnalysisArn: ec2Arn(ctx.region, ctx.account, "network-insights-analysis", b.id),
    networkInsightsPathId: path.id,
    ...(input.additionalAccounts?.length ? { additionalAccounts: [...input.additionalAccounts] } : {}),
    ...(filterInArns.length ? { filterInArns } : {}),
    ...(filterOutArns.length ? { filterOutArns } : {}),
    startDate: ctx.world.ids.now(),
    ...result,
    tags: b.tags,
  };
  ctx.world.networkInsightsAnalyses.set(analysis.id, analysis);
  return presentNetworkInsightsAnalysis(analysis);
}

export const NETWORK_INSIGHTS_ANALYSIS_FILTERS: FilterTable<NetworkInsightsAnalysis> = {
  "path-found": (a) => a.networkPathFound,
  "status": (a) => a.status,
};

function time(value: string | Date, param: string): number {
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(t)) throw invalidParam(`Value (${String(value)}) for parameter ${param} is invalid. Expecting a timestamp.`);
  return t;
}

/** The caller's analyses: named ones, or those of one path, started within the times given, filtered, in creation order. */
export function describeNetworkInsightsAnalyses(ctx: Ctx, input: DescribeNetworkInsightsAnalysesInput = {}): NetworkInsightsAnalysisShape[] {
  const ids = input.networkInsightsAnalysisIds ?? [];
  let all = ids.length > 0
    ? [...new Set(ids)].map((id) => get(ctx, "networkInsightsAnalyses", id))
    : owned(ctx, ctx.world.networkInsightsAnalyses.values());
  if (input.networkInsightsPathId !== undefined) {
    const pathId = get(ctx, "networkInsightsPaths", input.networkInsightsPathId).id;
    all = all.filter((a) => a.networkInsightsPathId === pathId);
  }
  if (input.analysisStartTime !== undefined) {
    const from = time(input.analysisStartTime, "AnalysisStartTime");
    all = all.filter((a) => Date.parse(a.startDate) >= from);
  }
  if (input.analysisEndTime !== undefined) {
    const to = time(input.analysisEndTime, "AnalysisEndTime");
    all = all.filter((a) => Date.parse(a.startDate) <= to);
  }
  return applyFilters(all, input.filters, NETWORK_INSIGHTS_ANALYSIS_FILTERS).map(presentNetworkInsightsAnalysis);
}

export function deleteNetworkInsightsAnalysis(ctx: Ctx, input: { networkInsightsAnalysisId: string }): { networkInsightsAnalysisId: string } {
  const analysis = get(ctx, "networkInsightsAnalyses", input.networkInsightsAnalysisId);
  ctx.world.networkInsightsAnalyses.delete(analysis.id);
  return { networkInsightsAnalysisId: analysis.id };
}

// ---- Running an analysis ----

type AnalysisResult = Pick<NetworkInsightsAnalysisShape,
  "status" | "statusMessage" | "warningMessage" | "networkPathFound" | "forwardPathComponents" | "returnPathComponents" | "explanations" | "vpclabTrace">;

type Origin = { kind: "eni"; eni: NetworkInterface } | { kind: "internet"; igw: InternetGateway };
interface Target { ip: string; /** Components whose presence on the forward path means the destination was reached. */ reached: Set<string>; ref?: ComponentRef }
/** Why an analysis ends before tracing: a component gone (the analysis fails) or not usable (no path). */
type Stop = { missing: string } | { unassociated: ComponentRef };

const isStop = (x: object): x is Stop => "missing" in x || "unassociated" in x;

function stopped(stop: Stop, world: World, ctx: Ctx): AnalysisResult {
  if ("missing" in stop) return { status: "failed", statusMessage: `The request failed due to missing component ${stop.missing}` };
  return {
    status: "succeeded", statusMessage: "Analysis completed successfully", networkPathFound: false,
    explanations: [{ explanationCode: "UNASSOCIATED_COMPONENT", component: new Shaper(ctx, world, "tcp", 0).component(stop.unassociated) }],
  };
}

function originOf(ctx: Ctx, id: string): Origin | Stop {
  const kind = collectionOfId(id);
  if (kind === "instances") {
    const inst = find(ctx, "instances", id);
    if (!inst) return { missing: id };
    const eni = ctx.world.networkInterfaces.get(inst.networkInterfaceId);
    return inst.state === "terminated" || !eni ? { unassociated: ref(inst, "instance") } : { kind: "eni", eni };
  }
  if (kind === "networkInterfaces") {
    const eni = find(ctx, "networkInterfaces", id);
    return eni ? { kind: "eni", eni } : { missing: id };
  }
  const igw = find(ctx, "internetGateways", id);
  return igw ? { kind: "internet", igw } : { missing: id };
}

/** An address of the endpoint: an interface endpoint's ENI (in the source's zone if it has one there), or the service's for a gateway endpoint. */
function endpointAddress(world: World, ep: VpcEndpoint, az: string | undefined): string | undefined {
  if (ep.vpcEndpointType === "Interface") {
    const enis = ep.networkInterfaceIds.map((id) => world.networkInterfaces.get(id)).filter((e) => e !== undefined);
    return (enis.find((e) => e.availabilityZone === az) ?? enis[0])?.privateIpAddress;
  }
  const svc = findAwsService(ep.serviceName);
  const pl = svc ? prefixListFor(svc.region.name, svc.service.code) : undefined;
  if (!svc || !pl) return undefined;
  const cidrs = pl.cidrs.map((c) => parseCidr(c)!);
  const pool = svc.region.serviceAddresses[svc.service.addressPool] ?? svc.region.serviceAddresses["default"] ?? [];
  const listed = pool.find((a) => cidrs.some((c) => containsIp(c, parseIpv4(a) ?? 0)));
  return listed ?? (cidrs[0] ? formatIpv4(cidrs[0].base + 10) : undefined);
}

function targetOf(ctx: Ctx, path: NetworkInsightsPath, origin: Origin): Target | Stop {
  const given = path.destinationIp ?? path.filterAtSource?.destinationAddress;
  const id = path.destination;
  if (id === undefined) return { ip: given!, reached: new Set() };
  const fromInternet = origin.kind === "internet";
  switch (collectionOfId(id)) {
    case "instances": {
      const inst = find(ctx, "instances", id);
      if (!inst) return { missing: id };
      if (inst.state === "terminated") return { unassociated: ref(inst, "instance") };
      const ip = given ?? (fromInternet ? inst.publicIpAddress ?? inst.privateIpAddress : inst.privateIpAddress);
      return { ip, reached: new Set([inst.id]), ref: ref(inst, "instance") };
    }
    case "networkInterfaces": {
      const eni = find(ctx, "networkInterfaces", id);
      if (!eni) return { missing: id };
      const ep = [...ctx.world.vpcEndpoints.values()].find((e) => e.networkInterfaceIds.includes(eni.id));
      const reached = [eni.id, eni.attachment?.instanceId, ep?.id].filter((x) => x !== undefined);
      return { ip: given ?? (fromInternet ? eni.publicIp ?? eni.privateIpAddress : eni.privateIpAddress), reached: new Set(reached), ref: ref(eni, "network-interface") };
    }
    case "internetGateways": {
      const igw = find(ctx, "internetGateways", id);
      if (!igw) return { missing: id };
      return { ip: given ?? DEFAULT_INTERNET_DESTINATION, reached: new Set([igw.id]), ref: ref(igw, "internet-gateway") };
    }
    default: {
      const ep = find(ctx, "vpcEndpoints", id);
      if (!ep) return { missing: id };
      const ip = given ?? endpointAddress(ctx.world, ep, origin.kind === "eni" ? origin.eni.availabilityZone : undefined);
      return ip === undefined ? { unassociated: ref(ep, "vpc-endpoint") } : { ip, reached: new Set([ep.id]), ref: ref(ep, "vpc-endpoint") };
    }
  }
}

function analysedPort(path: NetworkInsightsPath, warnings: string[]): number {
  if (path.destinationPort !== undefined) return path.destinationPort;
  const range = path.filterAtSource?.destinationPortRange ?? path.filterAtDestination?.destinationPortRange;
  const from = range?.fromPort ?? range?.toPort;
  if (from !== undefined) {
    if (range?.toPort !== undefined && range.toPort !== from) warnings.push(`vpclab analysed destination port ${from} only, the first of ${from}-${range.toPort}.`);
    return from;
  }
  warnings.push(`The path names no destination port: vpclab analysed ${DEFAULT_ANALYSIS_PORT} (Reachability Analyzer considers every port).`);
  return DEFAULT_ANALYSIS_PORT;
}

function analyse(ctx: Ctx, path: NetworkInsightsPath, filterIn: string[], filterOut: string[]): AnalysisResult {
  const { world } = ctx;
  const origin = originOf(ctx, path.source);
  if (isStop(origin)) return stopped(origin, world, ctx);
  const target = targetOf(ctx, path, origin);
  if (isStop(target)) return stopped(target, world, ctx);
  const warnings: string[] = [];
  const port = analysedPort(path, warnings);
  const protocol: Protocol = path.protocol;
  const view = new NetworkView(world);
  const sourceAddress = path.sourceIp ?? path.filterAtSource?.sourceAddress;
  const tr = origin.kind === "eni"
    ? trace(view, { from: { kind: "eni", eniId: origin.eni.id }, to: { ip: target.ip, port, protocol } })
    : traceFromInternet(view, origin.igw, sourceAddress ?? DEFAULT_INTERNET_SOURCE, target.ip, port, protocol);

  const shaper = new Shaper(ctx, world, protocol, port, tr);
  // What the trace cannot know: the path's own conditions on the flow it found.
  const unmet: InsightsExplanation[] = [];
  const onPath = (id: string): boolean => tr.forward.some((h) => h.component.id === id);
  if (origin.kind === "eni" && sourceAddress !== undefined && sourceAddress !== origin.eni.privateIpAddress) {
    unmet.push({ explanationCode: path.sourceIp !== undefined ? "NO_PATH" : "FILTER_AT_SOURCE_SOURCE_ADDRESS", component: shaper.component(ref(origin.eni, "network-interface")) });
  }
  if (tr.reachable && target.ref && ![...target.reached].some(onPath)) {
    unmet.push({ explanationCode: "NO_PATH", component: shaper.component(target.ref) });
  }
  for (const arn of filterIn) {
    const id = arn.slice(arn.lastIndexOf("/") + 1);
    if (!onPath(id)) unmet.push({ explanationCode: "COMPONENT_FILTER_RESTRICTION", component: { id, arn } });
  }
  for (const arn of filterOut) {
    const id = arn.slice(arn.lastIndexOf("/") + 1);
    if (onPath(id)) unmet.push({ explanationCode: "NO_PATH", component: { id, arn } });
  }
  const found = tr.reachable && unmet.length === 0;
  const explanations = found ? [] : [...tr.explanations.map((e) => shaper.explanation(e)), ...unmet];
  const forward = shaper.components(tr.forward, "forward", found ? [] : explanations);
  const back = tr.returnComplete ? shaper.components(tr.return, "return", found ? [] : explanations) : [];
  return {
    status: "succeeded",
    statusMessage: "Analysis completed successfully",
    ...(warnings.length ? { warningMessage: warnings.join(" ") } : {}),
    networkPathFound: found,
    forwardPathComponents: forward,
    ...(back.length ? { returnPathComponents: back } : {}),
    ...(explanations.length ? { explanations } : {}),
    vpclabTrace: structuredClone(tr),
  };
}

// ---- Traffic from the internet: the trace starts at ENIs and VPN connections only ----

/**
 * Routing from a subnet for walks that start at an internet gateway: longest prefix match, then
 * the same route targets the trace uses (trace.ts keeps its own step private). Only reached when
 * an appliance on the gateway's edge route table forwards the traffic on.
 */
const routeOnward: RouteStep = (walk, subnet, pkt, ingress, sourceEni) => {
  const rtb = walk.view.routeTableOfSubnet(subnet.id);
  const rtbRef = ref(rtb, "route-table");
  const best = walk.view.lookup(rtb, pkt.dst).best;
  if (!best) {
    walk.hop({ component: rtbRef, verdict: "block", detail: `no route in ${rtb.id} matches ${formatIpv4(pkt.dst)}` });
    walk.block({ code: "NO_ROUTE_TO_DESTINATION", component: rtbRef, message: `Route table ${rtb.id} (used by ${subnet.id}) has no route to ${formatIpv4(pkt.dst)}.` });
    return;
  }
  const r = best.route;
  const target = routeTarget(r);
  walk.hop({
    component: rtbRef, verdict: r.state === "active" ? "pass" : "block",
    detail: `${formatIpv4(pkt.dst)} matches ${best.prefixListId ? `${best.cidr} in ${best.prefixListId}` : best.cidr} → ${target}`,
    rule: { destination: r.destinationPrefixListId ?? r.destinationCidrBlock, matchedCidr: best.cidr, target, origin: r.origin, state: r.state },
  });
  if (r.state !== "active") {
    walk.block({ code: "BAD_STATE_ROUTE", component: rtbRef, message: `The route ${best.cidr} → ${target} in ${rtb.id} is a blackhole: its target no longer exists or is not active.` });
    return;
  }
  if (r.gatewayId === "local") return deliverLocal(walk, rtb.vpcId, pkt, sourceEni, subnet.id);
  if (r.gatewayId?.startsWith("igw-")) return viaInternetGateway(walk, r.gatewayId, pkt, sourceEni);
  if (r.gatewayId?.startsWith("vpce-")) return viaGatewayEndpoint(walk, r.gatewayId, ingress);
  if (r.gatewayId?.startsWith("vgw-")) return viaVpnGateway(walk, r.gatewayId, pkt);
  if (r.natGatewayId) return viaNatGateway(walk, r.natGatewayId, pkt, ingress, subnet.id);
  if (r.vpcPeeringConnectionId) return viaPeering(walk, rtb.vpcId, r.vpcPeeringConnectionId, pkt, sourceEni);
  if (r.networkInterfaceId) return viaAppliance(walk, r.networkInterfaceId, pkt, ingress, sourceEni, subnet.id);
  walk.block({ code: "UNSUPPORTED_ROUTE_TARGET", component: { id: r.vpcEndpointId ?? "?", type: "route-target" }, message: `Routes to ${r.vpcEndpointId ?? "this target"} (Gateway Load Balancer endpoints) are not analysed yet.` });
};

/**
 * A flow from `src` on the internet to `dst` through an internet gateway: the gateway accepts it
 * only for the public IP of an ENI in its VPC, translates that to the ENI's private address, and
 * the flow enters the VPC as the trace's own internet arrivals do (edge route table, subnet ACL,
 * security groups, the route back). A destination with no public address is a blocker, after
 * which the walk goes on to its private address so that the filters inside are checked too.
 */
export function traceFromInternet(view: NetworkView, igw: InternetGateway, src: string, dst: string, port: number, protocol: Protocol): Trace {
  const walk = new Walk(view, protocol, port, routeOnward);
  const igwRef = ref(igw, "internet-gateway");
  const out: Trace = {
    reachable: false, source: { ...igwRef, ip: src }, destination: { ip: dst, port, protocol },
    forward: walk.forward, return: walk.ret, returnComplete: false, explanations: walk.explanations, notes: walk.notes,
  };
  const srcIp = parseIpv4(src)!;
  const dstIp = parseIpv4(dst)!;
  const flow = `${src} → ${dst} ${walk.portText(port)} from the internet`;
  if (!isPublicIp(srcIp)) {
    walk.block({ code: "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", component: igwRef, message: `${src} is not a public address: ${igw.id} drops traffic from the internet whose source is a private address.` });
  }
  const vpcId = igw.attachments[0]?.vpcId;
  if (!vpcId) {
    walk.hop({ component: igwRef, verdict: "block", detail: `${flow}: ${igw.id} is not attached to a VPC` });
    walk.block({ code: "BAD_STATE_ATTACHMENT", component: igwRef, message: `${igw.id} is not attached to a VPC.`, fix: `aws ec2 attach-internet-gateway --internet-gateway-id ${igw.id} --vpc-id <vpc>` });
    return out;
  }
  const publicEni = view.eniWithPublicIp(dstIp);
  let privateIp = dstIp;
  if (publicEni?.vpcId === vpcId) {
    privateIp = parseIpv4(publicEni.privateIpAddress)!;
    walk.hop({ component: igwRef, verdict: "pass", detail: `${flow}: ${igw.id} translates ${dst} to ${publicEni.privateIpAddress}` });
  } else {
    const inside = view.eniAt(vpcId, dstIp);
    walk.hop({ component: igwRef, verdict: "block", detail: `${flow}: ${dst} is not the public address of a network interface in ${vpcId}` });
    walk.block({
      code: "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", component: igwRef,
      message: `${igw.id} accepts traffic from the internet only for the public IPv4 address of a network interface in ${vpcId}; ${dst} is not one${inside ? ` (${inside.id} has no public address)` : ""}.`,
      ...(inside ? { fix: `aws ec2 allocate-address, then aws ec2 associate-address --network-interface-id ${inside.id} --allocation-id <eipalloc>, and connect to that address` } : {}),
    });
    if (!inside) return out;
  }
  // Queued first, so it is the last step of the way back.
  walk.onReturn(() => walk.back({ component: igwRef, verdict: "pass", detail: `${igw.id} translates the reply's source back to ${dst}` }));
  enterThroughGateway(walk, igw.id, vpcId, { src: srcIp, dst: privateIp, srcPorts: EPHEMERAL.wide }, "internet", "0.0.0.0/0");
  walk.finishReturn();
  out.reachable = walk.explanations.length === 0 && walk.terminal !== undefined;
  if (walk.terminal) out.destination.component = walk.terminal;
  out.returnComplete = walk.terminal !== undefined;
  return out;
}

// ---- From trace hops and explanations to Reachability Analyzer's shapes ----

const PROTOCOL_NUMBER: Record<Protocol, string> = { tcp: "6", udp: "17", icmp: "1" };
const ACL_PROTOCOL: Record<NetworkAclEntry["protocol"], string> = { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp" };
const FIELD_OF_TYPE: Record<string, keyof InsightsExplanation> = {
  "security-group": "securityGroup", "network-acl": "acl", "route-table": "routeTable", "internet-gateway": "internetGateway",
  "nat-gateway": "natGateway", "vpc-endpoint": "vpcEndpoint", "vpc-peering-connection": "vpcPeeringConnection",
  "vpn-gateway": "vpnGateway", "vpn-connection": "vpnConnection", "network-interface": "networkInterface", subnet: "subnet", vpc: "vpc",
};

const str = (v: MatchedRule[string]): string | undefined => (v === undefined ? undefined : String(v));

/** Maps one trace's hops and explanations onto Reachability Analyzer's shapes, reading details off the world. */
class Shaper {
  constructor(
    private readonly ctx: Ctx, private readonly world: World, private readonly protocol: Protocol, private readonly port: number,
    private readonly tr?: Trace,
  ) {}

  component(c: ComponentRef): AnalysisComponent {
    const arnType = ARN_TYPE[c.type];
    const kind = collectionOfId(c.id);
    const r = kind ? this.world.collection(kind).get(c.id) : undefined;
    const name = c.name ?? r?.tags.find((t) => t.key === "Name")?.value;
    return {
      id: c.id,
      ...(arnType ? { arn: ec2Arn(r?.region ?? this.ctx.region, r?.ownerId ?? this.ctx.account, arnType, c.id) } : {}),
      ...(name ? { name } : {}),
    };
  }

  private byId(id: string | undefined, type: string): AnalysisComponent | undefined {
    if (!id) return undefined;
    const kind = collectionOfId(id);
    const r = kind ? this.world.collection(kind).get(id) : undefined;
    return this.component(r ? ref(r, type) : { id, type });
  }

  private vpcOf(id: string): string | undefined {
    const kind = collectionOfId(id);
    const r = kind ? (this.world.collection(kind).get(id) as { vpcId?: unknown; attachments?: { vpcId?: unknown }[] } | undefined) : undefined;
    const vpcId = r?.vpcId ?? r?.attachments?.[0]?.vpcId;
    return typeof vpcId === "string" ? vpcId : undefined;
  }

  private place(subnetId: string | undefined, vpcId: string | undefined): Pick<PathComponent, "subnet" | "vpc"> {
    const subnet = this.byId(subnetId, "subnet");
    const vpc = this.byId(vpcId, "vpc");
    return { ...(subnet ? { subnet } : {}), ...(vpc ? { vpc } : {}) };
  }

  private sgRule(rule: MatchedRule | undefined): AnalysisSecurityGroupRule | undefined {
    const sg = this.world.securityGroups.get(str(rule?.["securityGroupId"]) ?? "");
    const r = sg?.rules.find((x) => x.id === rule?.["securityGroupRuleId"]);
    if (!sg || !r) return undefined;
    return {
      ...(r.cidrIpv4 ? { cidr: r.cidrIpv4 } : {}),
      direction: r.isEgress ? "egress" : "ingress",
      securityGroupId: sg.id,
      ...(r.ipProtocol !== "-1" && r.fromPort !== -1 ? { portRange: { from: r.fromPort, to: r.toPort } } : {}),
      ...(r.prefixListId ? { prefixListId: r.prefixListId } : {}),
      protocol: r.ipProtocol === "-1" ? "all" : r.ipProtocol,
    };
  }

  private aclRule(rule: MatchedRule | undefined): AnalysisAclRule | undefined {
    const acl = this.world.networkAcls.get(str(rule?.["networkAclId"]) ?? "");
    const number = rule?.["ruleNumber"] === "*" ? 32767 : rule?.["ruleNumber"];
    const e = acl?.entries.find((x) => x.egress === (rule?.["direction"] === "outbound") && x.ruleNumber === number);
    if (!e) return undefined;
    return {
      cidr: e.cidrBlock, egress: e.egress, ...(e.portRange ? { portRange: { from: e.portRange.from, to: e.portRange.to } } : {}),
      protocol: ACL_PROTOCOL[e.protocol], ruleAction: e.ruleAction, ruleNumber: e.ruleNumber,
    };
  }

  private routeRule(rtbId: string, rule: MatchedRule | undefined): AnalysisRouteTableRoute | undefined {
    const destination = str(rule?.["destination"]);
    const target = str(rule?.["target"]);
    if (!destination || !target) return undefined;
    const found = this.world.routeTables.get(rtbId)?.routes.find((r) => (r.destinationCidrBlock ?? r.destinationPrefixListId) === destination && routeTarget(r) === target);
    // Propagated routes are not in the table's own list: their target is the VGW.
    const route: Partial<Route> = found ?? { gatewayId: target };
    return {
      ...(destination.startsWith("pl-") ? { destinationPrefixListId: destination } : { destinationCidr: destination }),
      ...(route.gatewayId ? { gatewayId: route.gatewayId } : {}),
      ...(route.instanceId ? { instanceId: route.instanceId } : {}),
      ...(route.natGatewayId ? { natGatewayId: route.natGatewayId } : {}),
      ...(route.networkInterfaceId ? { networkInterfaceId: route.networkInterfaceId } : {}),
      ...(route.vpcPeeringConnectionId ? { vpcPeeringConnectionId: route.vpcPeeringConnectionId } : {}),
      ...(rule?.["origin"] !== undefined ? { origin: String(rule["origin"]).toLowerCase() } : {}),
      ...(rule?.["state"] !== undefined ? { state: String(rule["state"]) } : {}),
    };
  }

  /** The route a hop names only in its text ("... matches 0.0.0.0/0 → igw-..."), as the trace's route-back checks do. */
  private ruleFromDetail(rtbId: string, detail: string): MatchedRule | undefined {
    const m = /matches (\S+) → (\S+)$/.exec(detail);
    if (!m) return undefined;
    const r = this.world.routeTables.get(rtbId)?.routes.find((x) => routeTarget(x) === m[2] && (x.destinationCidrBlock === m[1] || x.destinationPrefixListId !== undefined));
    return r ? { destination: r.destinationCidrBlock ?? r.destinationPrefixListId, target: m[2], origin: r.origin, state: r.state } : undefined;
  }

  /** The details a hop carries in PathComponent's members: the rule that decided, where it is. */
  private details(h: Hop): Omit<PathComponent, "sequenceNumber" | "component"> {
    const { id, type } = h.component;
    switch (type) {
      case "security-group-egress":
      case "security-group-ingress": {
        const securityGroupRule = this.sgRule(h.rule);
        return { ...(securityGroupRule ? { securityGroupRule } : {}), ...this.place(undefined, this.vpcOf(id)) };
      }
      case "network-acl": {
        const aclRule = this.aclRule(h.rule);
        return { ...(aclRule ? { aclRule } : {}), ...this.place(/^(subnet-[0-9a-f]+) /.exec(h.detail)?.[1], this.vpcOf(id)) };
      }
      case "route-table": {
        const routeTableRoute = this.routeRule(id, h.rule ?? this.ruleFromDetail(id, h.detail));
        return { ...(routeTableRoute ? { routeTableRoute } : {}), ...this.place(undefined, this.vpcOf(id)) };
      }
      case "instance": {
        const inst = this.world.instances.get(id);
        return this.place(inst?.subnetId, inst?.vpcId);
      }
      case "network-interface": {
        const eni = this.world.networkInterfaces.get(id);
        const attachedTo = this.byId(eni?.attachment?.instanceId, "instance");
        return { ...(attachedTo ? { attachedTo } : {}), ...this.place(eni?.subnetId, eni?.vpcId) };
      }
      case "nat-gateway": {
        const nat = this.world.natGateways.get(id);
        return this.place(nat?.subnetId, nat?.vpcId);
      }
      case "vpc-endpoint": {
        const ep = this.world.vpcEndpoints.get(id);
        return { ...(ep ? { serviceName: ep.serviceName } : {}), ...this.place(undefined, ep?.vpcId) };
      }
      case "aws-service":
        return { serviceName: id };
      default:
        return this.place(undefined, this.vpcOf(id));
    }
  }

  /** Hops as PathComponents, numbered from 1; blocking hops carry their explanations, the forward path the trace's notes. */
  components(hops: Hop[], direction: "forward" | "return", explanations: InsightsExplanation[]): PathComponent[] {
    const notes = [...(direction === "forward" ? this.tr?.notes ?? [] : [])];
    const out = hops.map((h, i): PathComponent => {
      const pc: PathComponent = { sequenceNumber: i + 1, component: this.component(h.component), ...this.details(h) };
      const mine = h.verdict === "block" ? explanations.filter((e) => e.component?.id === h.component.id) : [];
      if (mine.length) pc.explanations = mine;
      const noted = notes.filter((n) => n.component.id === h.component.id);
      if (noted.length) {
        pc.additionalDetails = noted.map((n) => ({ additionalDetailType: n.code, component: this.component(n.component) }));
        notes.splice(0, notes.length, ...notes.filter((n) => !noted.includes(n)));
      }
      return pc;
    });
    this.headers(out, hops, direction);
    return out;
  }

  private header(src: string, dst: string, srcPorts: Ports, dstPorts: Ports): AnalysisPacketHeader {
    return {
      destinationAddresses: [`${dst}/32`], destinationPortRanges: [{ from: dstPorts.from, to: dstPorts.to }], protocol: PROTOCOL_NUMBER[this.protocol],
      sourceAddresses: [`${src}/32`], sourcePortRanges: [{ from: srcPorts.from, to: srcPorts.to }],
    };
  }

  /**
   * The packet as it leaves the source (outbound header of the first component) and as it arrives
   * (inbound header of the destination's component): a NAT gateway on the way changes its source
   * to the gateway's address, an internet gateway a private source to its public address.
   */
  private headers(out: PathComponent[], hops: Hop[], direction: "forward" | "return"): void {
    const tr = this.tr;
    if (!tr || out.length === 0) return;
    const fromEni = tr.source.type !== "internet-gateway";
    const originPorts = fromEni ? EPHEMERAL.linux : EPHEMERAL.wide;
    const dstPorts = { from: this.port, to: this.port };
    let src = tr.source.ip;
    let srcPorts = originPorts;
    let natPublic: string | undefined;
    for (const h of tr.forward) {
      const nat = h.component.type === "nat-gateway" ? this.world.natGateways.get(h.component.id) : undefined;
      if (nat) {
        src = nat.privateIp;
        natPublic = nat.publicIp;
        srcPorts = EPHEMERAL.wide;
      } else if (h.component.type === "internet-gateway" && !isPublicIp(parseIpv4(src) ?? 0)) {
        const sourceEni = this.world.networkInterfaces.get(this.world.instances.get(tr.source.id)?.networkInterfaceId ?? tr.source.id);
        src = natPublic ?? sourceEni?.publicIp ?? src;
      }
    }
    const terminal = tr.destination.component;
    const landed = terminal ? (this.world.instances.get(terminal.id)?.privateIpAddress ?? this.world.networkInterfaces.get(terminal.id)?.privateIpAddress) : undefined;
    const arrivedAt = landed ?? tr.destination.ip;
    if (direction === "forward") {
      out[0]!.outboundHeader = this.header(tr.source.ip, tr.destination.ip, originPorts, dstPorts);
      const last = terminal ? hops.map((h) => h.component.id).lastIndexOf(terminal.id) : -1;
      if (last >= 0) out[last]!.inboundHeader = this.header(src, arrivedAt, srcPorts, dstPorts);
    } else {
      out[0]!.outboundHeader = this.header(arrivedAt, src, dstPorts, srcPorts);
    }
  }

  /** A trace explanation as Reachability Analyzer's Explanation: the component in its typed member too, and what the message says of direction, ENI and ports. */
  explanation(e: TraceExplanation): InsightsExplanation {
    const component = this.component(e.component);
    const out: InsightsExplanation = { explanationCode: e.code, component };
    const field = FIELD_OF_TYPE[e.component.type];
    if (field) Object.assign(out, { [field]: component });
    const vpcId = this.vpcOf(e.component.id);
    if (vpcId && field !== "vpc") out.vpc = this.byId(vpcId, "vpc")!;
    switch (e.code) {
      case "ENI_SG_RULES_MISMATCH": {
        const m = /of (eni-[0-9a-f]+) \(([^)]*)\) have no (inbound|outbound) rule/.exec(e.message);
        if (m) {
          const eni = this.world.networkInterfaces.get(m[1]!);
          delete out.securityGroup;
          out.direction = m[3] === "inbound" ? "ingress" : "egress";
          out.networkInterface = this.byId(m[1], "network-interface")!;
          out.securityGroups = m[2]!.split(", ").map((id) => {
            const sg = this.world.securityGroups.get(id);
            return this.component(sg ? { ...ref(sg, "security-group"), ...(sg.tags.some((t) => t.key === "Name") ? {} : { name: sg.groupName }) } : { id, type: "security-group" });
          });
          Object.assign(out, this.place(eni?.subnetId, eni?.vpcId));
        }
        out.port = this.port;
        out.protocols = [this.protocol];
        break;
      }
      case "SUBNET_ACL_RESTRICTION": {
        const m = /on (subnet-[0-9a-f]+) does not allow (outbound|inbound) /.exec(e.message);
        if (m) {
          out.direction = m[2] === "outbound" ? "egress" : "ingress";
          Object.assign(out, this.place(m[1], vpcId));
          const hop = [...(this.tr?.forward ?? []), ...(this.tr?.return ?? [])]
            .find((h) => h.verdict === "block" && h.component.id === e.component.id && h.rule?.["direction"] === m[2] && h.detail.startsWith(m[1]!));
          const aclRule = this.aclRule(hop?.rule);
          if (aclRule) out.aclRule = aclRule;
        }
        const range = /ports (\d+)-(\d+)/.exec(e.message);
        if (range) out.portRanges = [{ from: Number(range[1]), to: Number(range[2]) }];
        else out.port = this.port;
        out.protocols = [this.protocol];
        break;
      }
      case "NO_ROUTE_TO_DESTINATION":
      case "BAD_STATE_ROUTE": {
        const subnetId = /(subnet-[0-9a-f]+)/.exec(e.message)?.[1];
        if (subnetId) Object.assign(out, this.place(subnetId, vpcId));
        const hop = this.tr?.forward.find((h) => h.verdict === "block" && h.component.id === e.component.id && h.rule !== undefined);
        const routeTableRoute = hop && e.component.type === "route-table" ? this.routeRule(e.component.id, hop.rule) : undefined;
        if (routeTableRoute) out.routeTableRoute = routeTableRoute;
        break;
      }
      default:
        break;
    }
    return out;
  }
}
