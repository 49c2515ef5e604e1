// What happens to one real connection: the trace decides, on the world as it is now, whether the
// flow gets through and where it lands; the `vpclab:backend` tag there names the real server.
// Shared by `vpclab curl` and `vpclab connect`; no sockets here, so it is tested as a function.
import { trace, type TraceSource } from "../analysis/trace.js";
import type { Delivery, Trace } from "../analysis/types.js";
import { NetworkView } from "../analysis/view.js";
import { type Backend, type BackendLookup, backendFor } from "../model/backends.js";
import type { World } from "../model/world.js";

/** Where a flow is going, as the user gave it: a name (resolved by the trace, from the source's VPC) or an address. */
export interface FlowTarget { host?: string; ip?: string; port: number }

export type Plan =
  /** Reachable, and a real server stands behind the address it lands on. */
  | { kind: "deliver"; trace: Trace; delivery: Delivery; backend: Backend; address: string }
  /** The name does not resolve from the source's VPC (curl's exit status 6). */
  | { kind: "unresolved"; trace: Trace }
  /** At least one setting blocks the path: trace.explanations says which, with fixes. */
  | { kind: "blocked"; trace: Trace }
  /** Reachable, but nothing real to carry it to: no tag, a malformed tag, or the flow ends at an AWS service or the internet. */
  | { kind: "no-backend"; trace: Trace; reason: string; delivery?: Delivery };

/** "host:port": how the trace's backendHealth and DescribeTargetHealth name a backend (analysis/targetHealth.ts). */
export function addressOf(b: Backend): string {
  return `${b.host}:${b.port}`;
}

/**
 * Plans flows from one source to one target over a world that may change between connections.
 * The NetworkView, the source and the backend lookups are cached per world state (World identity
 * and version, as the DNS server does), so a connection costs one trace on an unchanged world.
 */
export class FlowPlanner {
  private cached?: { world: World; version: number; view: NetworkView; source: TraceSource; backends: Map<string, BackendLookup> };

  /**
   * @param world the current world (a store's load(): it reloads when another process changed it)
   * @param sourceOf finds the source in a view; it may throw (the instance was terminated meanwhile)
   */
  constructor(private readonly world: () => World, private readonly sourceOf: (view: NetworkView) => TraceSource, readonly target: FlowTarget) {}

  /**
   * The decision for one flow. `rotation` picks among several DNS answers and load-balancer
   * targets; `health` says which real backends are known to be down, so that a load balancer
   * skips them as it skips unhealthy targets.
   */
  plan(rotation: number, health?: (address: string) => boolean | undefined): Plan {
    const state = this.state();
    const t = trace(state.view, {
      from: state.source,
      to: { ...this.target, protocol: "tcp" },
      rotation,
      ...(health ? { backendHealth: health } : {}),
    });
    if (t.dns && !t.dns.answers.some((a) => a.type === "A")) return { kind: "unresolved", trace: t };
    if (!t.reachable) return { kind: "blocked", trace: t };
    const d = t.delivery;
    if (!d) {
      const end = t.destination.component;
      return { kind: "no-backend", trace: t, reason: `the path ends at ${end ? `${end.type} ${end.name ?? end.id}` : t.destination.ip}, which vpclab does not stand in for with a real server` };
    }
    const key = `${d.vpcId} ${d.ip} ${d.port}`;
    let found = state.backends.get(key);
    if (!found) state.backends.set(key, (found = backendFor(state.view.world, d.vpcId, d.ip, d.port)));
    if (!found.found) return { kind: "no-backend", trace: t, reason: found.reason, delivery: d };
    return { kind: "deliver", trace: t, delivery: d, backend: found.backend, address: addressOf(found.backend) };
  }

  private state(): NonNullable<FlowPlanner["cached"]> {
    const world = this.world();
    const c = this.cached;
    if (c?.world === world && c.version === world.version) return c;
    const view = new NetworkView(world);
    this.cached = { world, version: world.version, view, source: this.sourceOf(view), backends: new Map() };
    return this.cached;
  }
}

/** Which component a delivery names, for messages: the instance, else the network interface. */
export function deliveryLabel(d: Delivery): string {
  return `${d.instanceId ?? d.networkInterfaceId} (${d.ip}:${d.port})`;
}
