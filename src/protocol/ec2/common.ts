// What EC2 actions share: the caller's resources of a kind, Describe (ids, filters, pages),
// and the resource-id filters every Describe call documents.
import { type Ctx, type Ec2Collection, get, owned } from "../../control/context.js";
import { type Filter, type FilterTable, applyFilters } from "../../control/filters.js";
import type { Collections } from "../../model/world.js";
import { paginate } from "../actions.js";

export { owned };

export interface DescribeInput { filters?: Filter[]; maxResults?: number; nextToken?: string }

/**
 * A Describe call: the named ids (each must exist, as AWS checks them) or all the caller's,
 * then filters, then one page. `present` turns a resource into the API's shape.
 */
export function describe<K extends Ec2Collection, O>(
  ctx: Ctx, kind: K, ids: string[] | undefined, input: DescribeInput,
  table: FilterTable<Collections[K]>, present: (r: Collections[K]) => O,
  bounds?: { min: number; max: number },
): { items: O[]; nextToken?: string } {
  const all = ids && ids.length > 0 ? [...new Set(ids)].map((id) => get(ctx, kind, id)) : owned(ctx, kind);
  const { page, nextToken } = paginate(applyFilters(all, input.filters, table), input, bounds, (r) => r.id);
  return { items: page.map(present), ...(nextToken ? { nextToken } : {}) };
}

export function nameTag(tags: { key: string; value: string }[]): string | undefined {
  return tags.find((t) => t.key === "Name")?.value;
}
