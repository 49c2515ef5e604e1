// Load balancer attributes as the LoadBalancerAttribute reference lists them for network and
// gateway load balancers, with AWS's defaults and value checks; ModifyLoadBalancerAttributes.
import { AwsError } from "../model/errors.js";
import type { LoadBalancer, LoadBalancerType } from "../model/loadBalancing.js";
import type { Ctx } from "./context.js";
import { getLoadBalancer, validationError } from "./elbv2.js";

type Check = (value: string) => boolean;
const bool: Check = (v) => v === "true" || v === "false";
const any: Check = () => true;

/** Every key AWS knows, with the types that support it and how its value is checked. */
const KEYS: Record<string, { types: ("network" | "gateway" | "application")[]; check: Check; expected: string }> = {
  "deletion_protection.enabled": { types: ["application", "network", "gateway"], check: bool, expected: "true or false" },
  "load_balancing.cross_zone.enabled": { types: ["application", "network", "gateway"], check: bool, expected: "true or false" },
  "access_logs.s3.enabled": { types: ["application", "network"], check: bool, expected: "true or false" },
  "access_logs.s3.bucket": { types: ["application", "network"], check: any, expected: "a bucket name" },
  "access_logs.s3.prefix": { types: ["application", "network"], check: any, expected: "a prefix" },
  "ipv6.deny_all_igw_traffic": { types: ["application", "network"], check: bool, expected: "true or false" },
  "zonal_shift.config.enabled": { types: ["application", "network"], check: bool, expected: "true or false" },
  "dns_record.client_routing_policy": {
    types: ["network"], check: (v) => ["availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone"].includes(v),
    expected: "availability_zone_affinity, partial_availability_zone_affinity or any_availability_zone",
  },
  "secondary_ips.auto_assigned.per_subnet": { types: ["network"], check: (v) => /^[0-7]$/.test(v), expected: "an integer from 0 to 7" },
  ...Object.fromEntries([
    "idle_timeout.timeout_seconds", "client_keep_alive.seconds", "connection_logs.s3.enabled", "connection_logs.s3.bucket",
    "connection_logs.s3.prefix", "health_check_logs.s3.enabled", "health_check_logs.s3.bucket", "health_check_logs.s3.prefix",
    "routing.http.desync_mitigation_mode", "routing.http.drop_invalid_header_fields.enabled", "routing.http.preserve_host_header.enabled",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "routing.http.xff_client_port.enabled",
    "routing.http.xff_header_processing.mode", "routing.http2.enabled", "waf.fail_open.enabled",
  ].map((k) => [k, { types: ["application"], check: any, expected: "" }])),
};

/** A new load balancer's attributes: AWS's defaults (cross-zone off for NLB and GWLB). */
export function defaultLoadBalancerAttributes(type: LoadBalancerType, scheme: LoadBalancer["scheme"] = "internet-facing"): Record<string, string> {
  const common = { "deletion_protection.enabled": "false", "load_balancing.cross_zone.enabled": "false" };
  if (type === "gateway") return common;
  return {
    "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "", "access_logs.s3.prefix": "", ...common,
    // AWS sets it false for internet-facing load balancers and true for internal ones.
    "ipv6.deny_all_igw_traffic": scheme === "internal" ? "true" : "false",
    "dns_record.client_routing_policy": "any_availability_zone", "zonal_shift.config.enabled": "false",
    "secondary_ips.auto_assigned.per_subnet": "0",
  };
}

export function describeLoadBalancerAttributes(ctx: Ctx, arn: string): { key: string; value: string }[] {
  return Object.entries(getLoadBalancer(ctx, arn).attributes).map(([key, value]) => ({ key, value }));
}

/** Checks every attribute first, then sets them all; returns the load balancer's attributes after the change. */
export function modifyLoadBalancerAttributes(ctx: Ctx, arn: string, attrs: { key?: string; value?: string }[]): { key: string; value: string }[] {
  const lb = getLoadBalancer(ctx, arn);
  if (attrs.length === 0) throw validationError("At least one attribute must be specified");
  if (attrs.length > 20) throw validationError("1 validation error detected: Value at 'attributes' failed to satisfy constraint: Member must have length less than or equal to 20");
  const changes: [string, string][] = [];
  for (const a of attrs) {
    const key = a.key ?? "";
    const value = a.value ?? "";
    const known = KEYS[key];
    if (!known) throw validationError(`Load balancer attribute key '${key}' is not recognized`);
    if (!known.types.includes(lb.type)) {
      throw new AwsError("InvalidConfigurationRequest", `Load balancer attribute key '${key}' is not supported on load balancers with type '${lb.type}'`);
    }
    if (!known.check(value)) throw new AwsError("InvalidConfigurationRequest", `Load balancer attribute value '${value}' for key '${key}' is not valid: expected ${known.expected}`);
    if (key === "secondary_ips.auto_assigned.per_subnet" && Number(value) < Number(lb.attributes[key] ?? "0")) {
      // "After you set this value, you can't decrease it" (LoadBalancerAttribute reference).
      throw new AwsError("InvalidConfigurationRequest", "The number of secondary IP addresses per subnet cannot be decreased");
    }
    if (key === "access_logs.s3.enabled" && value === "true" && (attrs.find((x) => x.key === "access_logs.s3.bucket")?.value ?? lb.attributes["access_logs.s3.bucket"] ?? "") === "") {
      throw new AwsError("InvalidConfigurationRequest", "The access_logs.s3.bucket attribute is required when access logs are enabled");
    }
    changes.push([key, value]);
  }
  for (const [k, v] of changes) lb.attributes[k] = v;
  return describeLoadBalancerAttributes(ctx, arn);
}
