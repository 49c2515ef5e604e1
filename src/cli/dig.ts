// vpclab dig --from SOURCE NAME: what the name resolves to from there. Each query advances the
// name's rotation, as repeated queries to real S3 return its addresses in a different order.
import { resolve } from "../analysis/dns.js";
import { NetworkView } from "../analysis/view.js";
import type { Store } from "../state/store.js";
import { findSource, UsageError } from "./common.js";
import { renderDig } from "./render.js";

export function digCommand(store: Store, from: string | undefined, names: string[], json: boolean, out: (s: string) => void): void {
  const [name, ...extra] = names;
  if (!from || !name || extra.length > 0) throw new UsageError("usage: vpclab dig --from SOURCE NAME [--output json]");
  let result: ReturnType<typeof resolve> | undefined;
  let label = "";
  // The rotation counter advances under the write lock, with the server's changes kept.
  store.update((world) => {
    const view = new NetworkView(world);
    const src = findSource(view, from);
    const key = name.toLowerCase().replace(/\.$/, "");
    const n = world.dnsRotation.get(key) ?? 0;
    result = resolve(view, src.asker, name, n);
    label = src.label;
    world.dnsRotation.set(key, n + 1);
    return world;
  });
  out(json ? JSON.stringify(result, null, 2) : renderDig(result!, label));
}
