// vpclab state export FILE / import FILE: the whole world as JSON, to keep, share or restore.
// Import checks the file is a world before it replaces anything.
import { readFileSync, writeFileSync } from "node:fs";
import { type Store, StoreError, parseSnapshot } from "../state/store.js";
import { UsageError } from "./common.js";
import { danglingReferences } from "../state/integrity.js";

export function stateCommand(store: Store, args: string[], out: (s: string) => void): void {
  const [verb, file, ...extra] = args;
  if ((verb !== "export" && verb !== "import") || file === undefined || extra.length > 0) {
    throw new UsageError("usage: vpclab state export FILE | vpclab state import FILE (FILE may be - for stdout/stdin)");
  }
  if (verb === "export") {
    const world = store.load();
    const text = `${JSON.stringify(world.toSnapshot(), null, 2)}\n`;
    if (file === "-") out(text.trimEnd());
    else {
      try {
        writeFileSync(file, text);
      } catch (e) {
        throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
      }
      out(`exported ${[...world.vpcs.values()].length} VPCs and everything in them to ${file}`);
    }
    return;
  }
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let world;
  try {
    world = parseSnapshot(text, file);
  } catch (e) {
    throw new UsageError(e instanceof StoreError ? e.message : String(e));
  }
  const dangling = danglingReferences(world);
  if (dangling.length > 0) {
    const shown = dangling.slice(0, 5).join("; ");
    throw new UsageError(`${file} does not hold together: ${dangling.length} reference(s) to resources it does not have (${shown}${dangling.length > 5 ? "; ..." : ""}); nothing was changed`);
  }
  store.save(world);
  out(`imported ${world.vpcs.size} VPCs from ${file}; a running server picks the change up on its next request`);
}
