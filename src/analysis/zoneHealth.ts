// Which Availability Zones of a load balancer are healthy, for DNS: AWS answers a load balancer's
// name, and a PrivateLink endpoint's regional name, with the addresses of healthy zones only, so
// that clients are not sent to a node that has no target to forward to.
import type { LoadBalancer } from "../model/loadBalancing.js";
import type { VpcEndpoint } from "../model/types.js";
import { targetHealth } from "./targetHealth.js";
import type { NetworkView } from "./view.js";

const cache = new WeakMap<NetworkView, Map<string, Set<string>>>();

/**
 * The zone ids of the load balancer's healthy nodes ("Why does my load balancer's DNS show only
 * one IP address", AWS Knowledge Center): with cross-zone load balancing off, a zone is healthy
 * when each of its target groups has a healthy target in that zone; with it on, anywhere. When no
 * zone is healthy the load balancer fails open: every zone is answered. Health here is the
 * network's (the DNS server does not probe backends), computed once per view.
 */
export function healthyZones(view: NetworkView, lb: LoadBalancer): Set<string> {
  let byLb = cache.get(view);
  if (!byLb) cache.set(view, (byLb = new Map<string, Set<string>>()));
  const known = byLb.get(lb.id);
  if (known) return known;
  const groups = [...new Set(view.listenersOf(lb.id).flatMap((l) => l.defaultActions.map((a) => a.targetGroupArn)))]
    .map((arn) => view.world.targetGroups.get(arn))
    .filter((tg) => tg !== undefined);
  const all = new Set(lb.zones.map((z) => z.zoneId));
  const zoneIdOf = new Map(lb.zones.map((z) => [z.zoneName, z.zoneId]));
  const healthy = new Set<string>();
  if (groups.length > 0) {
    const perGroup = groups.map((tg) => {
      const zones = new Set<string>();
      for (const t of tg.targets) {
        const h = targetHealth(view.world, tg, t);
        if (h.state !== "healthy") continue;
        if (h.availabilityZone === "all") for (const z of all) zones.add(z);
        const id = h.availabilityZone !== undefined ? zoneIdOf.get(h.availabilityZone) : undefined;
        if (id) zones.add(id);
      }
      const own = tg.attributes["load_balancing.cross_zone.enabled"];
      const cross = own === "true" || own === "false" ? own === "true" : lb.attributes["load_balancing.cross_zone.enabled"] === "true";
      return cross && zones.size > 0 ? all : zones;
    });
    for (const z of all) if (perGroup.every((zones) => zones.has(z))) healthy.add(z);
  }
  const out = healthy.size > 0 ? healthy : all;
  byLb.set(lb.id, out);
  return out;
}

/**
 * The ENIs of an endpoint to a customer's network load balancer service that its regional name
 * answers: those whose zone's node is healthy, or all of them when none is (failing open too).
 */
export function healthyEndpointEnis(view: NetworkView, ep: VpcEndpoint, eniIds: string[]): string[] {
  const svc = view.serviceOf(ep);
  if (!svc || ep.vpcEndpointType !== "Interface") return eniIds;
  const zones = new Set<string>();
  for (const arn of svc.networkLoadBalancerArns) {
    const lb = view.world.loadBalancers.get(arn);
    if (lb) for (const z of healthyZones(view, lb)) zones.add(z);
  }
  const kept = eniIds.filter((id) => {
    const eni = view.world.networkInterfaces.get(id);
    return eni !== undefined && zones.has(view.subnet(eni.subnetId).availabilityZoneId);
  });
  return kept.length > 0 ? kept : eniIds;
}
