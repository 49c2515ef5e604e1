// Which Availability Zones of a load balancer are healthy, for DNS: AWS answers a load balancer's
// name, and a PrivateLink endpoint's regional name, with the addresses of healthy zones only, so
// that clients are not sent to a node that has no target to forward to.
import type { LoadBalancer } from "../model/loadBalancing.js";
import type { VpcEndpoint } from "../model/types.js";
import { targetHealth } from "./targetHealth.js";
import type { Explanation } from "./types.js";
import type { NetworkView } from "./view.js";

/** Live health of real backends ("host:port"): false down, undefined unknown (TraceRequest.backendHealth). */
export type BackendHealth = (address: string) => boolean | undefined;

/** One registered target as the network sees it: where it is, whether its checks pass, and the real server they also need. */
interface TargetState { label: string; zoneIds: string[]; healthy: boolean; why?: string; backend?: string }
interface GroupState { cross: boolean; targets: TargetState[] }

/** The network's part of each target's health, per view (it changes only with the world); live health is applied per call. */
const groupCache = new WeakMap<NetworkView, Map<string, GroupState[]>>();
/** The answer without live health, per view. */
const cache = new WeakMap<NetworkView, Map<string, ZoneHealth>>();

export interface ZoneHealth {
  /** The zone ids DNS answers: the healthy ones, or every zone when none is (failing open). */
  zones: Set<string>;
  /** No zone is healthy although the load balancer has target groups: DNS fails open and answers every zone. */
  failedOpen: boolean;
  /** When it failed open: why the first few targets are unhealthy, for people. */
  reasons: string[];
}

function groupsOf(view: NetworkView, lb: LoadBalancer): GroupState[] {
  let byLb = groupCache.get(view);
  if (!byLb) groupCache.set(view, (byLb = new Map<string, GroupState[]>()));
  const known = byLb.get(lb.id);
  if (known) return known;
  const all = lb.zones.map((z) => z.zoneId);
  const zoneIdOf = new Map(lb.zones.map((z) => [z.zoneName, z.zoneId]));
  const groups = [...new Set(view.listenersOf(lb.id).flatMap((l) => l.defaultActions.map((a) => a.targetGroupArn)))]
    .map((arn) => view.world.targetGroups.get(arn))
    .filter((tg) => tg !== undefined)
    .map((tg): GroupState => {
      const own = tg.attributes["load_balancing.cross_zone.enabled"];
      const cross = own === "true" || own === "false" ? own === "true" : lb.attributes["load_balancing.cross_zone.enabled"] === "true";
      const targets = tg.targets.map((t): TargetState => {
        // The network's verdict; the real server it would also ask about is recorded, to be asked per call.
        let address: string | undefined;
        const h = targetHealth(view.world, tg, t, (a) => {
          address = a;
          return undefined;
        });
        const id = h.availabilityZone !== undefined ? zoneIdOf.get(h.availabilityZone) : undefined;
        const zoneIds = h.availabilityZone === "all" ? all : id ? [id] : [];
        const label = `${t.id}:${t.port}`;
        return {
          label, zoneIds, healthy: h.state === "healthy",
          ...(h.state !== "healthy" ? { why: `${h.state}${h.reason ? ` (${h.reason}${h.description ? `: ${h.description}` : ""})` : ""}` } : {}),
          ...(address !== undefined ? { backend: address } : {}),
        };
      });
      return { cross, targets };
    });
  byLb.set(lb.id, groups);
  return groups;
}

/**
 * The load balancer's healthy zones ("Why does my load balancer's DNS show only one IP address",
 * AWS Knowledge Center): with cross-zone load balancing off, a zone is healthy when each of its
 * target groups has a healthy target in that zone; with it on, anywhere. When no zone is healthy
 * the load balancer fails open: every zone is answered. Health is the network's, and the real
 * backends' when `backendHealth` knows them (a server known down makes its target unhealthy).
 */
export function zoneHealth(view: NetworkView, lb: LoadBalancer, backendHealth?: BackendHealth): ZoneHealth {
  let byLb = cache.get(view);
  if (!backendHealth) {
    if (!byLb) cache.set(view, (byLb = new Map<string, ZoneHealth>()));
    const known = byLb.get(lb.id);
    if (known) return known;
  }
  const groups = groupsOf(view, lb);
  const all = new Set(lb.zones.map((z) => z.zoneId));
  const reasons: string[] = [];
  const healthy = new Set<string>();
  if (groups.length > 0) {
    const perGroup = groups.map((g) => {
      const zones = new Set<string>();
      for (const t of g.targets) {
        const down = t.healthy && t.backend !== undefined && backendHealth?.(t.backend) === false;
        if (t.healthy && !down) {
          for (const z of t.zoneIds) zones.add(z);
        } else if (reasons.length < 3) {
          reasons.push(`${t.label} ${down ? `unhealthy (its real server ${t.backend!} does not answer)` : t.why ?? "unhealthy"}`);
        }
      }
      return g.cross && zones.size > 0 ? all : zones;
    });
    for (const z of all) if (perGroup.every((zones) => zones.has(z))) healthy.add(z);
  }
  const failedOpen = groups.length > 0 && healthy.size === 0;
  const out: ZoneHealth = { zones: healthy.size > 0 ? healthy : all, failedOpen, reasons: failedOpen ? reasons : [] };
  if (!backendHealth) byLb!.set(lb.id, out);
  return out;
}

/** The zone ids of the load balancer's healthy nodes (see zoneHealth). */
export function healthyZones(view: NetworkView, lb: LoadBalancer, backendHealth?: BackendHealth): Set<string> {
  return zoneHealth(view, lb, backendHealth).zones;
}

/**
 * The note that a load balancer's DNS failed open: no zone has a healthy target, so its name (or
 * an endpoint's regional name to its service) answers every zone, including zones whose node has
 * no target to send to when cross-zone load balancing is off.
 */
export function failOpenNote(lb: LoadBalancer, h: ZoneHealth): Explanation {
  return {
    code: "ELBV2_NO_HEALTHY_ZONE", component: { id: lb.id, type: "load-balancer", name: lb.name },
    message: `No Availability Zone of ${lb.name} has a healthy target (${h.reasons.join("; ")}), so DNS fails open and answers every zone's address, not only those of zones with a healthy target. Once a target is healthy, only its zones are answered.`,
  };
}

/**
 * The ENIs of an endpoint to a customer's network load balancer service that its regional name
 * answers: those whose zone's node is healthy, or all of them when none is (failing open too);
 * and the load balancers whose DNS failed open.
 */
export function healthyEndpointEnis(view: NetworkView, ep: VpcEndpoint, eniIds: string[], backendHealth?: BackendHealth): { eniIds: string[]; failedOpen: { lb: LoadBalancer; health: ZoneHealth }[] } {
  const svc = view.serviceOf(ep);
  if (!svc || ep.vpcEndpointType !== "Interface") return { eniIds, failedOpen: [] };
  const zones = new Set<string>();
  const failedOpen: { lb: LoadBalancer; health: ZoneHealth }[] = [];
  for (const arn of svc.networkLoadBalancerArns) {
    const lb = view.world.loadBalancers.get(arn);
    if (!lb) continue;
    const h = zoneHealth(view, lb, backendHealth);
    for (const z of h.zones) zones.add(z);
    if (h.failedOpen) failedOpen.push({ lb, health: h });
  }
  const kept = eniIds.filter((id) => {
    const eni = view.world.networkInterfaces.get(id);
    return eni !== undefined && zones.has(view.subnet(eni.subnetId).availabilityZoneId);
  });
  return { eniIds: kept.length > 0 ? kept : eniIds, failedOpen };
}
