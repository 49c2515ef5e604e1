// Turns a key path into "file:line:col", using the YAML document's node ranges.
import { type Document, LineCounter, isMap, isNode, isSeq } from "yaml";
import type { Path } from "./reader.js";

export function locate(doc: Document, counter: LineCounter, path: Path): { line: number; col: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    let node: unknown = doc.contents;
    for (const key of sub) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === key);
        // Point at the key itself when the path ends at it: that is where a person looks.
        if (pair && sub[sub.length - 1] === key && isNode(pair.key) && n === path.length && pair.key.range) {
          return counter.linePos(pair.key.range[0]);
        }
        node = pair?.value;
      } else if (isSeq(node) && typeof key === "number") {
        node = node.items[key];
      } else {
        node = undefined;
      }
    }
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return undefined;
}

export { LineCounter };
