// What an API action is: a typed call on the control layer plus how to present its result.
// Inputs arrive parsed and typed by the model (query.ts); results leave as plain objects keyed
// like the model's output shape (xml.ts). Helpers here are the pieces many actions share:
// tags from TagSpecifications, MaxResults/NextToken pagination, ids lists.
import { AwsError } from "../model/errors.js";
import type { Tag } from "../model/types.js";
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

export interface TagSpecification { resourceType?: string; tags?: Tag[] }

/**
 * The tags a Create call asks for through TagSpecification.N. A specification for another
 * resource type is refused as AWS refuses it.
 */
export function tagsFor(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.resourceType === undefined) {
      throw new AwsError("InvalidParameterValue", "Tag specification resource type must have a value");
    }
    if (spec.resourceType !== resourceType) {
      throw new AwsError("InvalidParameterValue", `'${spec.resourceType}' is not a valid taggable resource type for this operation.`);
    }
    for (const t of spec.tags ?? []) {
      if (t.key === undefined || t.key === "") throw new AwsError("InvalidParameterValue", "Tag key must not be empty");
      if (t.key.toLowerCase().startsWith("aws:")) throw new AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
      tags.push({ key: t.key, value: t.value ?? "" });
    }
  }
  return tags;
}

export interface PageInput { maxResults?: number; nextToken?: string; filters?: Filter[] }

/**
 * One page of a Describe result. The token is the offset of the next item; AWS's are opaque,
 * and clients only ever hand them back.
 */
export function paginate<T>(items: T[], input: PageInput, bounds: { min: number; max: number } = { min: 5, max: 1000 }): { page: T[]; nextToken?: string } {
  let start = 0;
  if (input.nextToken !== undefined) {
    const m = /^v1:(\d+)$/.exec(Buffer.from(input.nextToken, "base64url").toString());
    if (!m) throw new AwsError("InvalidParameterValue", `The token '${input.nextToken}' is invalid.`);
    start = Number(m[1]);
  }
  if (input.maxResults === undefined) return { page: items.slice(start) };
  if (input.maxResults < bounds.min || input.maxResults > bounds.max) {
    throw new AwsError("InvalidParameterValue", `Value ( ${input.maxResults} ) for parameter maxResults is invalid. Expecting a value between ${bounds.min} and ${bounds.max}.`);
  }
  const end = start + input.maxResults;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: Buffer.from(`v1:${end}`).toString("base64url") } : { page };
}
