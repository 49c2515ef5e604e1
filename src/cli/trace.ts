// vpclab trace --from SOURCE --to HOST:PORT: the path there and back, hop by hop, and every
// setting that blocks it. Exit status 0 when reachable, 1 when not.
import { trace } from "../analysis/trace.js";
import { NetworkView } from "../analysis/view.js";
import type { Protocol } from "../analysis/filters.js";
import type { Store } from "../state/store.js";
import { findSource, parseTarget, UsageError } from "./common.js";
import { renderTrace } from "./render.js";

export function traceCommand(store: Store, opts: { from?: string; to?: string; protocol?: string; json: boolean }, out: (s: string) => void): number {
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
  const key = target.host?.toLowerCase().replace(/\.$/, "") ?? "";
  const t = trace(view, { from: src.source, to: { ...target, protocol: protocol as Protocol }, rotation: world.dnsRotation.get(key) ?? 0 });
  out(opts.json ? JSON.stringify(t, null, 2) : renderTrace(t, src.label));
  return t.reachable ? 0 : 1;
}
