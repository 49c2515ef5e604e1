// Tags as AWS accepts them, the same for TagSpecification.N on Create calls and for CreateTags:
// key and value lengths, the reserved aws: prefix, 50 per resource, one value per key.
import { AwsError } from "../model/errors.js";
import type { Tag } from "../model/types.js";

/** As parsed: the model marks no member of a TagSpecification or its Tags required. */
export interface TagSpecification { resourceType?: string; tags?: { key?: string; value?: string }[] }

/** AWS's limits on one tag, the same for TagSpecifications and CreateTags. */
export function checkTag(t: { key?: string; value?: string }): void {
  if (t.key === undefined || t.key === "") throw new AwsError("InvalidParameterValue", "Tag key must not be empty");
  if (t.key.length > 128) throw new AwsError("InvalidParameterValue", "Tag key exceeds the maximum length of 128 characters");
  if ((t.value ?? "").length > 256) throw new AwsError("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters");
  if (t.key.toLowerCase().startsWith("aws:")) throw new AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
}

/** AWS allows 50 user tags per resource. */
export const MAX_TAGS = 50;

/**
 * The tags a Create call asks for through TagSpecification.N. A specification for another
 * resource type is refused as AWS refuses it; a key given twice keeps its last value, as
 * CreateTags does, so a resource never holds two tags with one key.
 */
export function tagsFor(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags = new Map<string, string>();
  for (const spec of specs ?? []) {
    if (spec.resourceType === undefined) {
      throw new AwsError("InvalidParameterValue", "Tag specification resource type must have a value");
    }
    if (spec.resourceType !== resourceType) {
      throw new AwsError("InvalidParameterValue", `'${spec.resourceType}' is not a valid taggable resource type for this operation.`);
    }
    for (const t of spec.tags ?? []) {
      checkTag(t);
      tags.set(t.key!, t.value ?? "");
    }
  }
  if (tags.size > MAX_TAGS) throw new AwsError("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
  return [...tags].map(([key, value]) => ({ key, value }));
}
