// Running one Reachability Analyzer analysis: the path's source and destination resolved in the
// world as it is now, vpclab's trace run over it, and the result in Reachability Analyzer's shapes
// (PathComponent, Explanation, ...) with the whole vpclab trace alongside as `vpclabTrace` (not a
// model member, so the API never renders it).
import { findAwsService, prefixListFor } from "../model/catalog/index.js";
import { containsIp, formatIpv4, parseCidr, parseIpv4 } from "../model/net.js";
import type { InternetGateway, NetworkInterface, VpcEndpoint } from "../model/types.js";
import type { World } from "../model/world.js";
import type { InsightsExplanation, NetworkInsightsAnalysisShape, NetworkInsightsPath } from "../model/insights.js";
import type { Protocol } from "../analysis/filters.js";
import { traceFromInternet } from "../analysis/fromInternet.js";
import { trace } from "../analysis/trace.js";
import type { ComponentRef } from "../analysis/types.js";
import { NetworkView } from "../analysis/view.js";
import { ref } from "../analysis/walk.js";
import { type Ctx, collectionOfId, find } from "./context.js";
import { Shaper } from "./insightsShapes.js";

// ---- Choices where AWS analyses what vpclab cannot ----

/** The port analysed when a path names none: AWS then considers every port; vpclab traces one flow. */
export const DEFAULT_ANALYSIS_PORT = 443;
/** Where a path to an internet gateway leads when it names no address. */
export const DEFAULT_INTERNET_DESTINATION = "8.8.8.8";
/** Where traffic from an internet-gateway source comes from when the path names no address (a documentation range). */
export const DEFAULT_INTERNET_SOURCE = "198.51.100.10";

// ---- Running an analysis ----

export type AnalysisResult = Pick<NetworkInsightsAnalysisShape,
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

export function analyse(ctx: Ctx, path: NetworkInsightsPath, filterIn: string[], filterOut: string[]): AnalysisResult {
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
