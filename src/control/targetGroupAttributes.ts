// Target group attributes of network and gateway load balancers, with AWS's defaults
// (TargetGroupAttribute reference) and value checks; ModifyTargetGroupAttributes.
import { AwsError } from "../model/errors.js";
import type { TargetGroup, TargetGroupProtocol } from "../model/loadBalancing.js";
import type { Ctx } from "./context.js";
import { getTargetGroup, validationError } from "./elbv2.js";

type Check = (value: string) => boolean;
const bool: Check = (v) => v === "true" || v === "false";
const int = (min: number, max: number): Check => (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const percent: Check = (v) => v === "off" || int(1, 100)(v);
const count: Check = (v) => v === "off" || /^[1-9]\d*$/.test(v);

/** Attributes of every load balancer's target groups ("supported by all load balancers"). */
const COMMON: Record<string, Check> = {
  "deregistration_delay.timeout_seconds": int(0, 3600),
  "stickiness.enabled": bool,
};

/**
 * Network load balancer target groups only. Cross-zone and target group health are "supported by
 * Application Load Balancers and Network Load Balancers" (TargetGroupAttribute reference), not
 * by gateway load balancers, whose cross-zone setting is the load balancer's.
 */
const NLB: Record<string, Check> = {
  "load_balancing.cross_zone.enabled": (v) => ["true", "false", "use_load_balancer_configuration"].includes(v),
  "target_group_health.dns_failover.minimum_healthy_targets.count": count,
  "target_group_health.dns_failover.minimum_healthy_targets.percentage": percent,
  "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": (v) => /^[1-9]\d*$/.test(v),
  "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": percent,
  "deregistration_delay.connection_termination.enabled": bool,
  "preserve_client_ip.enabled": bool,
  "proxy_protocol_v2.enabled": bool,
  "stickiness.type": (v) => v === "source_ip",
  "target_health_state.unhealthy.connection_termination.enabled": bool,
  "target_health_state.unhealthy.draining_interval_seconds": int(0, 360000),
};

/** Gateway load balancer (GENEVE) target groups only. */
const GWLB: Record<string, Check> = {
  "stickiness.type": (v) => v === "source_ip_dest_ip" || v === "source_ip_dest_ip_proto",
  "target_failover.on_deregistration": (v) => v === "rebalance" || v === "no_rebalance",
  "target_failover.on_unhealthy": (v) => v === "rebalance" || v === "no_rebalance",
};

export function defaultTargetGroupAttributes(protocol: TargetGroupProtocol, targetType: TargetGroup["targetType"]): Record<string, string> {
  const common = { "deregistration_delay.timeout_seconds": "300", "stickiness.enabled": "false" };
  if (protocol === "GENEVE") {
    return { ...common, "stickiness.type": "source_ip_dest_ip_proto", "target_failover.on_deregistration": "no_rebalance", "target_failover.on_unhealthy": "no_rebalance" };
  }
  // Client IP preservation is on for instance targets, and for ip targets only with UDP and TCP_UDP.
  const preserve = targetType === "instance" || protocol === "UDP" || protocol === "TCP_UDP";
  return {
    ...common, "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
    "deregistration_delay.connection_termination.enabled": "false", "preserve_client_ip.enabled": String(preserve),
    "proxy_protocol_v2.enabled": "false", "stickiness.type": "source_ip",
    "target_health_state.unhealthy.connection_termination.enabled": "true", "target_health_state.unhealthy.draining_interval_seconds": "0",
  };
}

export function describeTargetGroupAttributes(ctx: Ctx, arn: string): { key: string; value: string }[] {
  return Object.entries(getTargetGroup(ctx, arn).attributes).map(([key, value]) => ({ key, value }));
}

/** Checks every attribute first, then sets them all. */
export function modifyTargetGroupAttributes(ctx: Ctx, arn: string, attrs: { key?: string; value?: string }[]): { key: string; value: string }[] {
  const tg = getTargetGroup(ctx, arn);
  if (attrs.length === 0) throw validationError("At least one attribute must be specified");
  const table = { ...COMMON, ...(tg.protocol === "GENEVE" ? GWLB : NLB) };
  const changes: [string, string][] = [];
  for (const a of attrs) {
    const key = a.key ?? "";
    const value = a.value ?? "";
    const check = table[key];
    // AWS's words for a key the group's type does not have (seen from terraform-provider-aws users).
    if (!check) throw new AwsError("InvalidConfigurationRequest", `The provided target group attribute is not supported: '${key}'`);
    if (!check(value)) throw new AwsError("InvalidConfigurationRequest", `Target group attribute value '${value}' is not valid for key '${key}'`);
    changes.push([key, value]);
  }
  const next = { ...tg.attributes, ...Object.fromEntries(changes) };
  if (next["proxy_protocol_v2.enabled"] === "true" && (tg.protocol === "UDP" || tg.protocol === "TCP_UDP")) {
    throw new AwsError("InvalidConfigurationRequest", "Proxy protocol v2 is not supported for target groups with the UDP or TCP_UDP protocol");
  }
  tg.attributes = next;
  return describeTargetGroupAttributes(ctx, arn);
}
