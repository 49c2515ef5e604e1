// Reachability Analyzer's members for load balancers, listeners, target groups and endpoint
// services (the EC2 model's PathComponent and Explanation members beyond those model/insights.ts
// declares): what a path component or an explanation says of them.
import type { AnalysisComponent, InsightsExplanation, PathComponent } from "../model/insights.js";
import type { World } from "../model/world.js";
import type { ComponentRef, Hop, Explanation as TraceExplanation, Trace } from "../analysis/types.js";

export interface AnalysisLoadBalancerTarget { address?: string; availabilityZone?: string; availabilityZoneId?: string; instance?: AnalysisComponent; port?: number }

/** Explanation with the EC2 model's load-balancing members. */
export interface LoadBalancingExplanation extends InsightsExplanation {
  loadBalancerArn?: string;
  loadBalancerListenerPort?: number;
  loadBalancerTarget?: AnalysisLoadBalancerTarget;
  loadBalancerTargetGroup?: AnalysisComponent;
  loadBalancerTargetPort?: number;
  elasticLoadBalancerListener?: AnalysisComponent;
  availabilityZones?: string[];
  availabilityZoneIds?: string[];
  state?: string;
}

/** PathComponent with the EC2 model's ElasticLoadBalancerListener member. */
export interface LoadBalancingPathComponent extends PathComponent { elasticLoadBalancerListener?: AnalysisComponent }

type Shape = (c: ComponentRef) => AnalysisComponent;

/** The VPC of a load balancer, listener or target group (their ids are ARNs), if the id is one. */
export function vpcOfLoadBalancing(world: World, id: string): string | undefined {
  return world.loadBalancers.get(id)?.vpcId ?? world.listeners.get(id)?.vpcId ?? world.targetGroups.get(id)?.vpcId;
}

/** What a hop on a load balancer, listener, target group or endpoint service carries as PathComponent members; undefined for other hops. */
export function loadBalancingDetails(world: World, h: Hop, shape: Shape): Omit<LoadBalancingPathComponent, "sequenceNumber" | "component" | "vpc" | "subnet"> | undefined {
  switch (h.component.type) {
    case "listener":
      return { elasticLoadBalancerListener: shape(h.component) };
    case "load-balancer":
    case "target-group":
      return {};
    case "vpc-endpoint-service": {
      const svc = world.endpointServices.get(h.component.id);
      return svc ? { serviceName: svc.serviceName } : {};
    }
    default:
      return undefined;
  }
}

/** The load balancer a trace went through before reaching this component (the hop that named it last). */
function loadBalancerBefore(tr: Trace | undefined, e: TraceExplanation): string | undefined {
  const hops = tr?.forward ?? [];
  const at = hops.findIndex((h) => h.component.id === e.component.id);
  const upTo = at >= 0 ? hops.slice(0, at + 1) : hops;
  return [...upTo].reverse().find((h) => h.component.type === "load-balancer")?.component.id;
}

/**
 * Adds what a load-balancing or PrivateLink explanation says in the model's members: the load
 * balancer's ARN, the listener port, the target group, the target, the zones, the endpoint's state.
 */
export function loadBalancingExplanation(world: World, tr: Trace | undefined, e: TraceExplanation, out: LoadBalancingExplanation, port: number, shape: Shape): void {
  const lbArn = e.component.type === "load-balancer" ? e.component.id : loadBalancerBefore(tr, e);
  const lb = lbArn ? world.loadBalancers.get(lbArn) : undefined;
  const lbHop = tr?.forward.find((h) => h.component.id === lbArn && h.rule?.["availabilityZone"] !== undefined);
  if (e.component.type === "target-group") out.loadBalancerTargetGroup = shape(e.component);
  if (e.component.type === "listener") out.elasticLoadBalancerListener = shape(e.component);
  switch (e.code) {
    case "ELBV2_LISTENERS_MISMATCH":
      if (lb) out.loadBalancerArn = lb.id;
      out.loadBalancerListenerPort = port;
      break;
    case "ELBV2_NO_TARGETS_IN_AZ":
    case "ELB_INSTALLED_AZ_RESTRICTION":
    case "ELBV2_LISTENER_HAS_NO_TG":
    case "ELBV2_NO_HEALTHY_TARGET":
    case "ELBV2_LISTENER_REQUIRES_TG_ACCEPT": {
      if (lb) out.loadBalancerArn = lb.id;
      const zone = lbHop?.rule?.["availabilityZone"];
      const zoneId = lbHop?.rule?.["zoneId"];
      if (typeof zone === "string") out.availabilityZones = [zone];
      if (typeof zoneId === "string") out.availabilityZoneIds = [zoneId];
      const choice = [...(tr?.forward ?? [])].reverse().find((h) => h.component.type === "target-group" && h.rule?.["target"] !== undefined);
      const tgId = choice?.component.id;
      if (tgId && !out.loadBalancerTargetGroup) out.loadBalancerTargetGroup = shape({ id: tgId, type: "target-group" });
      if (choice && e.code === "ELBV2_NO_HEALTHY_TARGET") out.loadBalancerTarget = targetOf(world, choice.rule!, shape);
      break;
    }
    case "VPCE_SERVICE_NOT_INSTALLED_IN_AZ": {
      const m = /not offered in (\S+) \((\S+)\)/.exec(e.message);
      if (m) {
        out.availabilityZones = [m[1]!];
        out.availabilityZoneIds = [m[2]!];
      }
      break;
    }
    case "VPCE_CONNECTION_PENDING_ACCEPTANCE":
    case "VPCE_CONNECTION_REJECTED":
      out.state = world.vpcEndpoints.get(e.component.id)?.state ?? (e.code === "VPCE_CONNECTION_REJECTED" ? "rejected" : "pendingAcceptance");
      break;
    case "GWLB_ASYMMETRIC_ROUTING": {
      const ep = /through (vpce-[0-9a-f]+)/.exec(e.message)?.[1];
      const found = ep ? world.vpcEndpoints.get(ep) : undefined;
      if (found) out.vpcEndpoint = shape({ id: found.id, type: "vpc-endpoint" });
      break;
    }
    default:
      break;
  }
}

function targetOf(world: World, rule: NonNullable<Hop["rule"]>, shape: Shape): AnalysisLoadBalancerTarget {
  const id = String(rule["target"]);
  const inst = world.instances.get(id);
  const zone = rule["availabilityZone"];
  return {
    ...(typeof rule["address"] === "string" ? { address: rule["address"] } : {}),
    ...(typeof zone === "string" && zone !== "?" ? { availabilityZone: zone } : {}),
    ...(inst ? { instance: shape({ id: inst.id, type: "instance" }) } : {}),
    ...(typeof rule["port"] === "number" ? { port: rule["port"] } : {}),
  };
}
