// vpclab apply FILE...: applies lab files in order, all or nothing.
import { readFileSync } from "node:fs";
import { applyLab, LabFileError } from "../lab/apply.js";
import type { Store } from "../state/store.js";
import { UsageError } from "./common.js";
import { dim, green } from "./render.js";

export function applyCommand(store: Store, files: string[], out: (s: string) => void): void {
  if (files.length === 0) throw new UsageError("usage: vpclab apply FILE [FILE ...]");
  const texts = files.map((file) => {
    try {
      return { file, text: readFileSync(file, "utf8") };
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
  });
  const created: string[] = [];
  const changed: string[] = [];
  // Under the store's write lock, so that a running server's changes are neither lost nor undone.
  store.update((current) => {
    let world = current;
    for (const { file, text } of texts) {
      try {
        const r = applyLab(world, text, file);
        world = r.world;
        created.push(...r.created);
        changed.push(...r.changed);
      } catch (e) {
        if (e instanceof LabFileError) throw new UsageError(`${e.message}\nnothing was changed`);
        throw e;
      }
    }
    return world;
  });
  for (const c of created) out(`${green("+")} ${c}`);
  for (const c of changed) out(`${green("~")} ${c}`);
  if (created.length + changed.length === 0) out(dim("no changes: the world already matches"));
}
