// AddTags, RemoveTags and DescribeTags: the tags of load balancers, target groups and listeners,
// named by ARN (up to 20 per call), at most 50 per resource, all or nothing.
import { AwsError } from "../model/errors.js";
import type { Tag } from "../model/types.js";
import type { Ctx } from "./context.js";
import { MAX_ELB_TAGS, checkTags, getListener, getLoadBalancer, getTargetGroup, validationError } from "./elbv2.js";

/** The caller's taggable resource an ARN names, with its kind's NotFound error. */
function resource(ctx: Ctx, arn: string): { tags: Tag[] } {
  if (arn.includes(":loadbalancer/")) return getLoadBalancer(ctx, arn);
  if (arn.includes(":targetgroup/")) return getTargetGroup(ctx, arn);
  if (arn.includes(":listener/")) return getListener(ctx, arn);
  throw validationError(`'${arn}' is not a valid load balancer, target group or listener ARN`);
}

function resources(ctx: Ctx, arns: string[]): { tags: Tag[] }[] {
  if (arns.length === 0) throw validationError("At least one resource ARN must be specified");
  if (arns.length > 20) throw validationError("1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20");
  return [...new Set(arns)].map((arn) => resource(ctx, arn));
}

/** Adds or updates tags: a key the resource already has takes the new value. */
export function addTags(ctx: Ctx, arns: string[], tags: { key?: string; value?: string }[]): void {
  const targets = resources(ctx, arns);
  if (tags.length === 0) throw validationError("At least one tag must be specified");
  const wanted = checkTags(tags);
  for (const r of targets) {
    const keys = new Set([...r.tags.map((t) => t.key), ...wanted.map((t) => t.key)]);
    if (keys.size > MAX_ELB_TAGS) throw new AwsError("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");
  }
  for (const r of targets) {
    for (const t of wanted) {
      const have = r.tags.find((x) => x.key === t.key);
      if (have) have.value = t.value; else r.tags.push({ ...t });
    }
  }
}

/** Removes the keys from each resource; keys it does not have are ignored, as AWS does. */
export function removeTags(ctx: Ctx, arns: string[], keys: string[]): void {
  const targets = resources(ctx, arns);
  if (keys.length === 0) throw validationError("At least one tag key must be specified");
  for (const r of targets) r.tags = r.tags.filter((t) => !keys.includes(t.key));
}

export function describeTags(ctx: Ctx, arns: string[]): { resourceArn: string; tags: Tag[] }[] {
  resources(ctx, arns);
  return [...new Set(arns)].map((arn) => ({ resourceArn: arn, tags: resource(ctx, arn).tags.map((t) => ({ ...t })) }));
}
