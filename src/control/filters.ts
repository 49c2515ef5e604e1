// Describe* filters as EC2 documents them: each named filter reads one or more values off a
// resource; a resource passes when, for every filter given, one of its values matches one of the
// filter's values. Values may use * and ? wildcards. tag:Key and tag-key work on every resource.
import { AwsError } from "../model/errors.js";
import type { Tag } from "../model/types.js";

/** As parsed from Filter.N: the model marks neither member required, so either may be missing. */
export interface Filter { name?: string; values?: string[] }

type Value = string | number | boolean | undefined;
/** For one resource type: filter name -> the resource's value(s) for it. */
export type FilterTable<T> = Record<string, (item: T) => Value | Value[]>;

function pattern(value: string): RegExp {
  const body = value.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

function valuesOf<T extends { tags?: Tag[] }>(table: FilterTable<T>, name: string, item: T): string[] | undefined {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return (item.tags ?? []).filter((t) => t.key === key).map((t) => t.value);
  }
  if (name === "tag-key") return (item.tags ?? []).map((t) => t.key);
  if (name === "tag-value") return (item.tags ?? []).map((t) => t.value);
  const read = table[name];
  if (!read) return undefined;
  const raw = read(item);
  return (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined).map(String);
}

/**
 * Keeps the items that pass every filter. An unknown filter name is refused with
 * InvalidParameterValue, as EC2 does, rather than silently matching everything.
 */
export function applyFilters<T extends { tags?: Tag[] }>(items: T[], filters: Filter[] | undefined, table: FilterTable<T>): T[] {
  if (!filters || filters.length === 0) return items;
  const compiled = filters.map((f) => {
    const name = f.name ?? "null";
    if (!name.startsWith("tag:") && name !== "tag-key" && name !== "tag-value" && !Object.hasOwn(table, name)) {
      throw new AwsError("InvalidParameterValue", `The filter '${name}' is invalid`);
    }
    if (!f.values || f.values.length === 0) throw new AwsError("InvalidParameterValue", `The filter '${name}' needs at least one value`);
    // Most filter values are plain (a vpc id, a state): a Set lookup, no RegExp.
    const wild = f.values.filter((v) => /[*?]/.test(v));
    return { name, exact: new Set(f.values.filter((v) => !/[*?]/.test(v))), patterns: wild.map(pattern) };
  });
  return items.filter((item) =>
    compiled.every((f) => {
      const have = valuesOf(table, f.name, item) ?? [];
      return have.some((v) => f.exact.has(v) || f.patterns.some((p) => p.test(v)));
    }),
  );
}
