// vpclab trace --from SOURCE --to HOST:PORT: the path there and back, hop by hop, and every
// setting that blocks it. Exit status 0 when reachable, 1 when not. As the vpclab program it
// also probes the real servers behind the load-balancer targets the path may reach (the
// `vpclab:backend` tag), so that a server that is down is an unhealthy target, as curl finds it.
import { trace, type TraceRequest } from "../analysis/trace.js";
import type { Trace } from "../analysis/types.js";
import { NetworkView } from "../analysis/view.js";
import type { Protocol } from "../analysis/filters.js";
import { traceWithLiveHealth } from "../live/health.js";
import type { Store } from "../state/store.js";
import { findSource, parseTarget, rotationKey, UsageError } from "./common.js";
import { renderTrace } from "./render.js";

export interface TraceOptions { from?: string; to?: string; protocol?: string; json: boolean }

/** The view and the request for the trace the options ask for, on the store's current world. */
function prepare(store: Store, opts: TraceOptions): { view: NetworkView; req: TraceRequest; label: string } {
  if (!opts.from || !opts.to) throw new UsageError("usage: vpclab trace --from SOURCE --to HOST[:PORT] [--protocol tcp|udp|icmp] [--output json]");
  const protocol = (opts.protocol ?? "tcp").toLowerCase();
  if (!["tcp", "udp", "icmp"].includes(protocol)) throw new UsageError(`protocol must be tcp, udp or icmp, not '${opts.protocol ?? ""}'`);
  const world = store.load();
  const view = new NetworkView(world);
  const src = findSource(view, opts.from);
  const target = parseTarget(opts.to, protocol);
  if (target.ip !== undefined && target.ip === view.world.networkInterfaces.get(src.source.kind === "eni" ? src.source.eniId : "")?.privateIpAddress) {
    throw new UsageError(`${opts.to} is ${opts.from}'s own address: traffic to itself never leaves the instance`);
  }
  // The answer the next flow takes: the counter `vpclab dig`, curl and the DNS server advance.
  const rotation = world.dnsRotation.get(rotationKey(target)) ?? 0;
  return { view, label: src.label, req: { from: src.source, to: { ...target, protocol: protocol as Protocol }, rotation } };
}

function report(t: Trace, label: string, json: boolean, out: (s: string) => void): number {
  out(json ? JSON.stringify(t, null, 2) : renderTrace(t, label));
  return t.reachable ? 0 : 1;
}

/** The trace from the network alone (the demo, and callers that cannot wait for probes). */
export function traceCommand(store: Store, opts: TraceOptions, out: (s: string) => void): number {
  const { view, req, label } = prepare(store, opts);
  return report(trace(view, req), label, opts.json, out);
}

/** `vpclab trace`: with the live health of the real backends behind the targets it may choose. */
export async function liveTraceCommand(store: Store, opts: TraceOptions, out: (s: string) => void): Promise<number> {
  const { view, req, label } = prepare(store, opts);
  return report(await traceWithLiveHealth(view, req), label, opts.json, out);
}
