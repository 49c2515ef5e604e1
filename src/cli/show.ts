// vpclab show: the resources in the world, by name and id, grouped by kind.
import { COLLECTION_NAMES } from "../model/world.js";
import type { Store } from "../state/store.js";
import { bold, dim } from "./render.js";

export function showCommand(store: Store, out: (s: string) => void): void {
  const world = store.load();
  let any = false;
  for (const kind of COLLECTION_NAMES) {
    const items = [...world.collection(kind).values()];
    if (items.length === 0) continue;
    any = true;
    out(bold(kind));
    for (const r of items) {
      const name = r.tags.find((t) => t.key === "Name")?.value ?? "";
      const extra = "cidrBlock" in r ? r.cidrBlock : "privateIpAddress" in r ? r.privateIpAddress : "serviceName" in r ? r.serviceName : "";
      out(`  ${name.padEnd(24)} ${dim(r.id)} ${extra} ${dim(`${r.region} ${r.ownerId}`)}`);
    }
  }
  if (!any) out(dim("the world is empty: try 'vpclab apply examples/lab1-gateway-endpoint.yaml'"));
}
