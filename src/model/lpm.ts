// Longest-prefix-match table: one hash map per prefix length, probed from the longest length
// present down to /0. A lookup costs at most one map probe per distinct prefix length.
import { type Cidr, maskOf } from "./net.js";

export class PrefixTable<V> {
  private readonly byLength = new Map<number, Map<number, V[]>>();
  private lengths: number[] = [];

  insert(c: Cidr, value: V): void {
    let level = this.byLength.get(c.prefix);
    if (!level) {
      level = new Map();
      this.byLength.set(c.prefix, level);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    const bucket = level.get(c.base);
    if (bucket) bucket.push(value);
    else level.set(c.base, [value]);
  }

  /** Every value whose prefix contains ip, most specific first. */
  matches(ip: number): { prefix: number; values: V[] }[] {
    const out: { prefix: number; values: V[] }[] = [];
    for (const len of this.lengths) {
      const values = this.byLength.get(len)?.get((ip & maskOf(len)) >>> 0);
      if (values) out.push({ prefix: len, values });
    }
    return out;
  }

  /** The values under the longest matching prefix, or undefined. */
  longest(ip: number): V[] | undefined {
    for (const len of this.lengths) {
      const values = this.byLength.get(len)?.get((ip & maskOf(len)) >>> 0);
      if (values) return values;
    }
    return undefined;
  }
}
