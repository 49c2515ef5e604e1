// Target groups of network and gateway load balancers: CreateTargetGroup with AWS's health-check
// defaults and ranges per protocol, ModifyTargetGroup (health checks) and DeleteTargetGroup.
// Registering targets is targetRegistration.ts; attributes are targetGroupAttributes.ts.
import { AwsError } from "../model/errors.js";
import type { HealthCheck, TargetGroup, TargetGroupProtocol } from "../model/loadBalancing.js";
import type { Tag } from "../model/types.js";
import { type Ctx, find, owned } from "./context.js";
import { checkArn, checkName, checkTags, elbArn, getTargetGroup, hex16, validationError } from "./elbv2.js";
import { defaultTargetGroupAttributes } from "./targetGroupAttributes.js";

export { getTargetGroup };
export { registerTargets, deregisterTargets } from "./targetRegistration.js";

/** Health-check parameters as CreateTargetGroup and ModifyTargetGroup take them. */
export interface HealthCheckInput {
  healthCheckProtocol?: string;
  healthCheckPort?: string;
  healthCheckEnabled?: boolean;
  healthCheckPath?: string;
  healthCheckIntervalSeconds?: number;
  healthCheckTimeoutSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  matcher?: { httpCode?: string; grpcCode?: string };
}

export interface CreateTargetGroupInput extends HealthCheckInput {
  name: string;
  protocol?: string;
  port?: number;
  vpcId?: string;
  targetType?: string;
  ipAddressType?: string;
  tags?: Tag[];
}

const PROTOCOLS: readonly string[] = ["TCP", "UDP", "TCP_UDP", "TLS", "GENEVE"];
/** AWS's default quota of target groups per Region. */
const MAX_TARGET_GROUPS = 3000;

function checkProtocol(protocol: string | undefined): TargetGroupProtocol {
  if (protocol === undefined) throw validationError("A protocol must be specified for target groups with target type 'instance' or 'ip'");
  if (PROTOCOLS.includes(protocol)) return protocol as TargetGroupProtocol;
  if (protocol === "HTTP" || protocol === "HTTPS") {
    throw validationError(`vpclab models target groups of network and gateway load balancers only (TCP, UDP, TCP_UDP, TLS, GENEVE); ${protocol} target groups belong to application load balancers, which it does not model`);
  }
  throw validationError(`1 validation error detected: Value '${protocol}' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE]`);
}

function checkTargetType(targetType: string | undefined): TargetGroup["targetType"] {
  const t = targetType ?? "instance";
  if (t === "instance" || t === "ip") return t;
  if (t === "lambda" || t === "alb") throw validationError(`vpclab models instance and ip targets only: target type '${t}' is not modelled`);
  throw validationError(`1 validation error detected: Value '${t}' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [instance, ip, lambda, alb]`);
}

function range(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw validationError(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  }
}

/**
 * The health check AWS would apply: `base` (a group's current one, or the protocol's defaults)
 * with the given parameters. Defaults (CreateTargetGroup reference): TCP on the traffic port,
 * every 30 s, 10 s timeout, 5 healthy / 2 unhealthy; GENEVE groups check TCP port 80 every 10 s
 * with a 5 s timeout. HTTP(S) checks get path "/" and matcher 200-399.
 */
export function resolveHealthCheck(protocol: TargetGroupProtocol, targetType: TargetGroup["targetType"], i: HealthCheckInput, base?: HealthCheck): HealthCheck {
  const geneve = protocol === "GENEVE";
  const hcProtocol = i.healthCheckProtocol ?? base?.protocol ?? "TCP";
  if (hcProtocol !== "TCP" && hcProtocol !== "HTTP" && hcProtocol !== "HTTPS") {
    throw validationError(`Health check protocol '${hcProtocol}' is not supported: use TCP, HTTP or HTTPS (GENEVE, TLS, UDP and TCP_UDP cannot be used for health checks)`);
  }
  const http = hcProtocol !== "TCP";
  const port = i.healthCheckPort ?? base?.port ?? (geneve ? "80" : "traffic-port");
  if (port !== "traffic-port" && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw validationError(`Health check port '${port}' is not valid: it must be 'traffic-port' or a port from 1 to 65535`);
  }
  if (i.healthCheckEnabled === false) {
    // "If the target type is instance, ip, or alb, health checks are always enabled and can't be disabled."
    throw validationError(`Health checks cannot be disabled for target groups with target type '${targetType}'`);
  }
  range("healthCheckIntervalSeconds", i.healthCheckIntervalSeconds, 5, 300);
  range("healthCheckTimeoutSeconds", i.healthCheckTimeoutSeconds, 2, 120);
  range("healthyThresholdCount", i.healthyThresholdCount, 2, 10);
  range("unhealthyThresholdCount", i.unhealthyThresholdCount, 2, 10);
  if (!http && (i.healthCheckPath !== undefined || i.matcher !== undefined)) {
    throw validationError("A health check path and matcher can be specified only for HTTP and HTTPS health checks");
  }
  if (i.healthCheckPath !== undefined && (!i.healthCheckPath.startsWith("/") || i.healthCheckPath.length > 1024)) {
    throw validationError(`Health check path '${i.healthCheckPath}' is not valid: it must start with '/' and be at most 1024 characters`);
  }
  // GrpcCode is for application load balancers' gRPC target groups; silently keeping 200-399 instead would hide the mistake.
  if (i.matcher?.grpcCode !== undefined) throw validationError("A gRPC code can be specified only for target groups with the GRPC protocol version, which network and gateway load balancers do not have");
  const httpCode = i.matcher?.httpCode;
  if (httpCode !== undefined && !httpCode.split(",").every((c) => /^(\d{3})(-\d{3})?$/.test(c) && c.split("-").every((n) => Number(n) >= 200 && Number(n) <= 599))) {
    throw validationError(`Health check matcher HTTP code '${httpCode}' is not valid: network and gateway load balancers accept codes from 200 to 599`);
  }
  const interval = i.healthCheckIntervalSeconds ?? base?.intervalSeconds ?? (geneve ? 10 : 30);
  const timeout = i.healthCheckTimeoutSeconds ?? base?.timeoutSeconds ?? (geneve ? 5 : hcProtocol === "HTTP" ? 6 : 10);
  if (timeout >= interval) throw validationError(`Health check timeout '${timeout}' must be smaller than the interval '${interval}'`);
  const keepHttp = http && base?.protocol !== "TCP";
  return {
    enabled: true, protocol: hcProtocol, port, intervalSeconds: interval, timeoutSeconds: timeout,
    healthyThresholdCount: i.healthyThresholdCount ?? base?.healthyThresholdCount ?? 5,
    unhealthyThresholdCount: i.unhealthyThresholdCount ?? base?.unhealthyThresholdCount ?? 2,
    ...(http ? { path: i.healthCheckPath ?? (keepHttp ? base?.path : undefined) ?? "/", matcher: { httpCode: httpCode ?? (keepHttp ? base?.matcher?.httpCode : undefined) ?? "200-399" } } : {}),
  };
}

export function createTargetGroup(ctx: Ctx, input: CreateTargetGroupInput): TargetGroup {
  checkName(input.name, "target group");
  const targetType = checkTargetType(input.targetType);
  const protocol = checkProtocol(input.protocol);
  if (input.port === undefined) throw validationError("A port must be specified for target groups with target type 'instance' or 'ip'");
  range("port", input.port, 1, 65535);
  // Gateway load balancers exchange GENEVE with their appliances on port 6081 only.
  if (protocol === "GENEVE" && input.port !== 6081) throw validationError("Port must be 6081 for target groups with the GENEVE protocol");
  if (input.vpcId === undefined) throw validationError("A VPC ID must be specified for target groups with target type 'instance' or 'ip'");
  const vpc = find(ctx, "vpcs", input.vpcId);
  if (!vpc) throw validationError(`The VPC ID '${input.vpcId}' is not found`);
  if (input.ipAddressType !== undefined && input.ipAddressType !== "ipv4") {
    throw validationError(`IP address type '${input.ipAddressType}' is not supported: vpclab's VPCs are IPv4-only`);
  }
  const healthCheck = resolveHealthCheck(protocol, targetType, input);
  const tags = checkTags(input.tags ?? []);
  const existing = owned(ctx, "targetGroups").find((g) => g.name === input.name);
  if (existing) {
    // CreateTargetGroup is idempotent: the same settings return the existing group.
    const same = existing.protocol === protocol && existing.port === input.port && existing.vpcId === vpc.id &&
      existing.targetType === targetType && JSON.stringify(existing.healthCheck) === JSON.stringify(healthCheck);
    if (same) return existing;
    throw new AwsError("DuplicateTargetGroupName", `A target group with the same name '${input.name}' exists, but with different settings`);
  }
  if (owned(ctx, "targetGroups").length >= MAX_TARGET_GROUPS) throw new AwsError("TooManyTargetGroups", "The maximum number of target groups has been reached");
  const tg: TargetGroup = {
    id: elbArn(ctx, `targetgroup/${input.name}/${hex16(ctx)}`), region: ctx.region, ownerId: ctx.account, tags,
    name: input.name, protocol, port: input.port, vpcId: vpc.id, targetType, healthCheck, targets: [],
    attributes: defaultTargetGroupAttributes(protocol, targetType),
  };
  ctx.world.targetGroups.set(tg.id, tg);
  return tg;
}

/** ModifyTargetGroup: new health-check settings, checked against the group's protocol before any is applied. */
export function modifyTargetGroup(ctx: Ctx, arn: string, input: HealthCheckInput): TargetGroup {
  const tg = getTargetGroup(ctx, arn);
  tg.healthCheck = resolveHealthCheck(tg.protocol, tg.targetType, input, tg.healthCheck);
  return tg;
}

/** The listeners that forward to a target group (all in its VPC). */
export function listenersForwardingTo(ctx: Pick<Ctx, "world">, tg: TargetGroup): string[] {
  return ctx.world.listeners.inVpc(tg.vpcId).filter((l) => l.defaultActions.some((a) => a.targetGroupArn === tg.id)).map((l) => l.id);
}

/** Deletes a target group no listener uses; like DeleteLoadBalancer, a missing one succeeds. */
export function deleteTargetGroup(ctx: Ctx, arn: string): void {
  checkArn(arn, "targetgroup");
  const tg = find(ctx, "targetGroups", arn);
  if (!tg) return;
  const using = listenersForwardingTo(ctx, tg);
  if (using.length > 0) throw new AwsError("ResourceInUse", `Target group '${arn}' is currently in use by a listener or a rule`);
  ctx.world.targetGroups.delete(arn);
}
