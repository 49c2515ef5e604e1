// Reachability Analyzer (EC2's "network insights") as control operations: paths, each a source and
// a destination with a protocol and port, and analyses of them (insightsRun.ts runs one).
import { AwsError } from "../model/errors.js";
import { parseIpv4 } from "../model/net.js";
import type { Resource } from "../model/types.js";
import type { CollectionName } from "../model/world.js";
import { type Ctx, base, collectionOfId, get, invalidParam, owned } from "./context.js";
import { tagsFor } from "./tags.js";
import { type Filter, type FilterTable, applyFilters } from "./filters.js";
import { analyse } from "./insightsRun.js";
import { ec2Arn } from "./insightsShapes.js";

export type { InsightsProtocol, FilterPortRange, PathFilter, TagSpecificationInput, CreateNetworkInsightsPathInput, NetworkInsightsPathShape, NetworkInsightsPath, AnalysisComponent, PortRange, AnalysisAclRule, AnalysisSecurityGroupRule, AnalysisRouteTableRoute, AnalysisPacketHeader, AdditionalDetail, InsightsExplanation, PathComponent, StartNetworkInsightsAnalysisInput, AnalysisStatus, NetworkInsightsAnalysisShape, NetworkInsightsAnalysis } from "../model/insights.js";
import type { InsightsProtocol, FilterPortRange, PathFilter, CreateNetworkInsightsPathInput, NetworkInsightsPathShape, NetworkInsightsPath, StartNetworkInsightsAnalysisInput, NetworkInsightsAnalysisShape, NetworkInsightsAnalysis } from "../model/insights.js";

export { DEFAULT_ANALYSIS_PORT, DEFAULT_INTERNET_DESTINATION, DEFAULT_INTERNET_SOURCE } from "./insightsRun.js";

export interface DescribeNetworkInsightsPathsInput { networkInsightsPathIds?: string[]; filters?: Filter[] }
export interface DescribeNetworkInsightsAnalysesInput {
  networkInsightsAnalysisIds?: string[];
  networkInsightsPathId?: string;
  analysisStartTime?: string | Date;
  analysisEndTime?: string | Date;
  filters?: Filter[];
}

// ---- Which resources a path can name: vpclab analyses fewer ends than AWS ----

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
/** The resource type in an EC2 ARN, by the world's collections. */
const TYPE_OF_KIND: Partial<Record<CollectionName, string>> = {
  instances: "instance", networkInterfaces: "network-interface", internetGateways: "internet-gateway", vpcEndpoints: "vpc-endpoint",
  securityGroups: "security-group", networkAcls: "network-acl", routeTables: "route-table", subnets: "subnet", vpcs: "vpc",
  natGateways: "nat-gateway", peeringConnections: "vpc-peering-connection", vpnGateways: "vpn-gateway", vpnConnections: "vpn-connection",
};

// ---- Input checks ----

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
  const tags = tagsFor(input.tagSpecifications, "network-insights-path");

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

/** The caller's paths, the named ones (each must exist) or all, filtered, in creation order. */
export function describeNetworkInsightsPaths(ctx: Ctx, input: DescribeNetworkInsightsPathsInput = {}): NetworkInsightsPathShape[] {
  const ids = input.networkInsightsPathIds ?? [];
  const all = ids.length > 0
    ? [...new Set(ids)].map((id) => get(ctx, "networkInsightsPaths", id))
    : owned(ctx, "networkInsightsPaths");
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
  const tags = tagsFor(input.tagSpecifications, "network-insights-analysis");
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
    : owned(ctx, "networkInsightsAnalyses");
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
