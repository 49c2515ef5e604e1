// What an API action is: a typed call on the control layer plus how to present its result.
// Inputs arrive parsed and typed by the model (query.ts); results leave as plain objects keyed
// like the model's output shape (xml.ts). Helpers here are the pieces many actions share:
// tags from TagSpecifications, MaxResults/NextToken pagination, ids lists.
import { createHash, randomBytes } from "node:crypto";
import { AwsError } from "../model/errors.js";
import type { Ctx } from "../control/context.js";
import type { Filter } from "../control/filters.js";
import type { Parsed } from "./query.js";

export type Input = { [k: string]: Parsed };

export interface Action {
  /** Changes the world: journaled, replayed on load, refused under DryRun. */
  mutates: boolean;
  run(ctx: Ctx, input: Input): unknown;
}

export type ActionTable = Record<string, Action>;

/** Reads a parsed input as its declared shape: the parser already checked the types against the model. */
export function as<T>(input: Input): T {
  return input as unknown as T;
}

// Tag rules are AWS behaviour, so they live in control/; actions take them from here.
export { type TagSpecification, MAX_TAGS, checkTag, tagsFor } from "../control/tags.js";

export interface PageInput { maxResults?: number; nextToken?: string; filters?: Filter[] }

/** Open cursors: the keys still to return for a paged Describe, by token. Oldest dropped first. */
const cursors = new Map<string, { scope: string; keys: string[] }>();
const MAX_CURSORS = 1000;

/** What a token is bound to: the request's own parameters, so it cannot be reused with others. */
function scopeOf(input: PageInput): string {
  const rest = { ...input, nextToken: undefined, maxResults: undefined, dryRun: undefined };
  return createHash("sha256").update(JSON.stringify(rest)).digest("base64url").slice(0, 16);
}

function badToken(token: string): AwsError {
  return new AwsError("InvalidParameterValue", `The token '${token}' is invalid or has expired, or was issued for other parameters.`);
}

/**
 * One page of a Describe result. With `keyOf`, the first page fixes the list of items to return
 * (AWS's tokens are opaque and expire), and later pages return those still there: deleting
 * items between pages, the usual clean-up loop, skips nothing. Without it the token is an
 * offset. Either way a token only works with the parameters it was issued for.
 */
export function paginate<T>(
  items: T[], input: PageInput, bounds: { min: number; max: number } = { min: 5, max: 1000 }, keyOf?: (item: T) => string,
): { page: T[]; nextToken?: string } {
  if (input.maxResults !== undefined && (input.maxResults < bounds.min || input.maxResults > bounds.max)) {
    throw new AwsError("InvalidParameterValue", `Value ( ${input.maxResults} ) for parameter maxResults is invalid. Expecting a value between ${bounds.min} and ${bounds.max}.`);
  }
  const scope = scopeOf(input);
  const size = input.maxResults ?? Number.MAX_SAFE_INTEGER;
  if (keyOf) {
    let rest = items;
    if (input.nextToken !== undefined) {
      const cursor = cursors.get(input.nextToken);
      if (!cursor || cursor.scope !== scope) throw badToken(input.nextToken);
      cursors.delete(input.nextToken);
      const now = new Map(items.map((item) => [keyOf(item), item]));
      rest = cursor.keys.map((k) => now.get(k)).filter((item): item is T => item !== undefined);
    }
    if (rest.length <= size) return { page: rest };
    const nextToken = randomBytes(18).toString("base64url");
    cursors.set(nextToken, { scope, keys: rest.slice(size).map(keyOf) });
    if (cursors.size > MAX_CURSORS) cursors.delete(cursors.keys().next().value!);
    return { page: rest.slice(0, size), nextToken };
  }
  let start = 0;
  if (input.nextToken !== undefined) {
    const m = /^v2:([A-Za-z0-9_-]+):(\d+)$/.exec(Buffer.from(input.nextToken, "base64url").toString());
    if (!m || m[1] !== scope) throw badToken(input.nextToken);
    start = Number(m[2]);
  }
  const end = Math.min(start + size, items.length);
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: Buffer.from(`v2:${scope}:${end}`).toString("base64url") } : { page };
}
