// What the ELBv2 control modules share: ARNs and their lookups (which never reveal another
// account's resources), the resource-name rules, ValidationError, and the tag rules of
// AddTags/RemoveTags, which differ from EC2's.
import { AwsError } from "../model/errors.js";
import type { Listener, LoadBalancer, TargetGroup } from "../model/loadBalancing.js";
import type { Tag } from "../model/types.js";
import { type Ctx, find } from "./context.js";

export function validationError(message: string): AwsError {
  return new AwsError("ValidationError", message);
}

/** 16 lowercase hex digits from the world's seeded generator, as ELBv2 puts at the end of its ARNs. */
export function hex16(ctx: Ctx): string {
  return ctx.world.ids.next("x", 16).slice(2);
}

export function elbArn(ctx: Ctx, resource: string): string {
  return `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.account}:${resource}`;
}

type ArnKind = "loadbalancer" | "targetgroup" | "listener";
const ARN_WORDS: Record<ArnKind, string> = { loadbalancer: "load balancer", targetgroup: "target group", listener: "listener" };

/** Whether an ARN is well formed for its kind; a malformed one is ValidationError before it is NotFound. */
export function checkArn(arn: string, kind: ArnKind): void {
  if (!/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:/.test(arn) || !arn.includes(`:${kind}/`)) {
    throw validationError(`'${arn}' is not a valid ${ARN_WORDS[kind]} ARN`);
  }
}

export function loadBalancerNotFound(): AwsError {
  return new AwsError("LoadBalancerNotFound", "One or more load balancers not found");
}
export function targetGroupNotFound(): AwsError {
  return new AwsError("TargetGroupNotFound", "One or more target groups not found");
}
export function listenerNotFound(): AwsError {
  return new AwsError("ListenerNotFound", "One or more listeners not found");
}

/** The caller's load balancer by ARN: another account's or Region's is simply not found. */
export function getLoadBalancer(ctx: Ctx, arn: string): LoadBalancer {
  checkArn(arn, "loadbalancer");
  const lb = find(ctx, "loadBalancers", arn);
  if (!lb) throw loadBalancerNotFound();
  return lb;
}

export function getTargetGroup(ctx: Ctx, arn: string): TargetGroup {
  checkArn(arn, "targetgroup");
  const tg = find(ctx, "targetGroups", arn);
  if (!tg) throw targetGroupNotFound();
  return tg;
}

export function getListener(ctx: Ctx, arn: string): Listener {
  checkArn(arn, "listener");
  const l = find(ctx, "listeners", arn);
  if (!l) throw listenerNotFound();
  return l;
}

/**
 * Load balancer and target group names: 1-32 characters, alphanumerics and hyphens, neither
 * starting nor ending with a hyphen (CreateLoadBalancer and CreateTargetGroup, API reference).
 * Load balancer names also may not start with "internal-", which AWS reserves for DNS names.
 */
export function checkName(name: string, kind: "load balancer" | "target group"): void {
  const label = kind === "load balancer" ? "Load balancer" : "Target group";
  if (name.length === 0) throw validationError(`${label} name must be specified`);
  if (name.length > 32) throw validationError(`${label} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw validationError(`${label} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith("-") || name.endsWith("-")) throw validationError(`${label} name '${name}' cannot begin or end with '-'`);
  if (kind === "load balancer" && name.toLowerCase().startsWith("internal-")) throw validationError(`Load balancer name '${name}' cannot begin with 'internal-'`);
}

/** ELBv2 allows 50 tags per resource (AddTags, API reference); `aws:` keys are reserved. */
export const MAX_ELB_TAGS = 50;

/** Tags given on a Create call or AddTags: AWS's limits on keys and values, and no key twice. */
export function checkTags(tags: { key?: string; value?: string }[]): Tag[] {
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key === undefined || t.key === "") throw validationError("A tag key must be specified");
    if (t.key.length > 128) throw validationError(`Tag key '${t.key}' exceeds the maximum length of 128 characters`);
    if ((t.value ?? "").length > 256) throw validationError(`Tag value for key '${t.key}' exceeds the maximum length of 256 characters`);
    if (t.key.toLowerCase().startsWith("aws:")) throw validationError(`Tag key '${t.key}' cannot start with 'aws:', which is reserved for AWS use`);
    if (seen.has(t.key)) throw new AwsError("DuplicateTagKeys", `Tag key '${t.key}' is duplicated`);
    seen.add(t.key);
  }
  if (seen.size > MAX_ELB_TAGS) throw new AwsError("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");
  return tags.map((t) => ({ key: t.key!, value: t.value ?? "" }));
}
