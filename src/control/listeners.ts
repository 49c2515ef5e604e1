// Listeners: what a network load balancer accepts (TCP, UDP, TCP_UDP, TLS on a port) or, for a
// gateway load balancer, its one portless listener; each forwards to one target group of the
// load balancer's VPC with a compatible protocol. CreateListener, ModifyListener, DeleteListener.
import { AwsError } from "../model/errors.js";
import type { Listener, LoadBalancer, TargetGroup, TargetGroupProtocol } from "../model/loadBalancing.js";
import type { Tag } from "../model/types.js";
import { type Ctx, find } from "./context.js";
import { checkArn, checkTags, getListener, getLoadBalancer, hex16, targetGroupNotFound, validationError } from "./elbv2.js";

export { getListener };

export interface ActionInput {
  type: string;
  targetGroupArn?: string;
  forwardConfig?: { targetGroups?: { targetGroupArn?: string; weight?: number }[] };
}

export interface CreateListenerInput {
  loadBalancerArn: string;
  port?: number;
  protocol?: string;
  defaultActions: ActionInput[];
  certificates?: { certificateArn?: string }[];
  sslPolicy?: string;
  alpnPolicy?: string[];
  tags?: Tag[];
}

/** Target group protocols each NLB listener protocol can forward to ("Listeners for your Network Load Balancers"). */
const COMPATIBLE: Record<string, TargetGroupProtocol[]> = {
  TCP: ["TCP", "TCP_UDP"], UDP: ["UDP", "TCP_UDP"], TCP_UDP: ["TCP_UDP"], TLS: ["TCP", "TLS"],
};
/** The default security policy of a new TLS listener. */
const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const ALPN = ["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"];

/** The caller's target groups an action forwards to; NLB and GWLB listeners have exactly one forward action. */
function forwardTarget(ctx: Ctx, lb: LoadBalancer, actions: ActionInput[]): TargetGroup {
  if (actions.length !== 1) throw validationError(`Listeners of load balancers with type '${lb.type}' must have exactly one default action`);
  const a = actions[0]!;
  if (a.type !== "forward") {
    throw new AwsError("InvalidLoadBalancerAction", `The action type '${a.type}' is not supported for load balancers with type '${lb.type}'; only 'forward' is`);
  }
  const fromConfig = a.forwardConfig?.targetGroups ?? [];
  if (fromConfig.length > 1) throw validationError("vpclab models a forward action to one target group only; weighted forwarding to several is not modelled");
  const arn = a.targetGroupArn ?? fromConfig[0]?.targetGroupArn;
  if (arn === undefined) throw validationError("A target group ARN must be specified for a forward action");
  if (fromConfig[0]?.targetGroupArn !== undefined && a.targetGroupArn !== undefined && fromConfig[0].targetGroupArn !== a.targetGroupArn) {
    throw validationError("The target group ARN of the action and of its forward configuration must be the same");
  }
  checkArn(arn, "targetgroup");
  const tg = find(ctx, "targetGroups", arn);
  if (!tg) throw targetGroupNotFound();
  if (tg.vpcId !== lb.vpcId) {
    throw validationError(`The target group '${arn}' is in VPC '${tg.vpcId}' and the load balancer in VPC '${lb.vpcId}': they must be in the same VPC`);
  }
  // A network load balancer's target group serves that load balancer only.
  const other = ctx.world.listeners.inVpc(tg.vpcId).find((l) => l.loadBalancerArn !== lb.id && l.defaultActions.some((x) => x.targetGroupArn === tg.id));
  if (other) {
    throw new AwsError("TargetGroupAssociationLimit", `The following target groups cannot be associated with more than one load balancer: ${tg.id}`);
  }
  return tg;
}

interface Settings { port?: number; protocol?: TargetGroupProtocol; tg: TargetGroup; certificates?: { certificateArn: string }[]; sslPolicy?: string; alpnPolicy?: string[] }

/** Checks port, protocol, TLS settings and the action against the load balancer, changing nothing. */
function checkSettings(ctx: Ctx, lb: LoadBalancer, i: Omit<CreateListenerInput, "loadBalancerArn" | "tags">): Settings {
  const tg = forwardTarget(ctx, lb, i.defaultActions);
  if (lb.type === "gateway") {
    if (i.port !== undefined || i.protocol !== undefined) throw validationError("Port and protocol cannot be specified for listeners of load balancers with type 'gateway'");
    if (tg.protocol !== "GENEVE") throw new AwsError("IncompatibleProtocols", `Target group '${tg.id}' must use the GENEVE protocol to be used by a gateway load balancer`);
    return { tg };
  }
  if (i.protocol === undefined) throw validationError("A listener protocol must be specified for load balancers with type 'network'");
  if (!(i.protocol in COMPATIBLE)) throw validationError(`Listener protocol '${i.protocol}' must be one of 'TLS, TCP, TCP_UDP, UDP'`);
  if (i.port === undefined) throw validationError("A listener port must be specified for load balancers with type 'network'");
  if (!Number.isInteger(i.port) || i.port < 1 || i.port > 65535) {
    throw validationError(`1 validation error detected: Value '${i.port}' at 'port' failed to satisfy constraint: Member must have value between 1 and 65535`);
  }
  const protocol = i.protocol as TargetGroupProtocol;
  if (!COMPATIBLE[protocol]!.includes(tg.protocol)) {
    throw new AwsError("IncompatibleProtocols", `The listener protocol '${protocol}' and the protocol '${tg.protocol}' of its target group '${tg.id}' are incompatible`);
  }
  if (protocol !== "TLS") {
    if (i.certificates?.length || i.sslPolicy !== undefined || i.alpnPolicy?.length) throw validationError(`Certificates, an SSL policy and an ALPN policy can be specified only for TLS listeners`);
    return { port: i.port, protocol, tg };
  }
  const certificates = (i.certificates ?? []).map((c) => c.certificateArn ?? "");
  if (certificates.length === 0) throw new AwsError("CertificateNotFound", "A certificate must be specified for TLS listeners");
  if (certificates.length > 1) throw validationError("Only one default certificate can be specified for a TLS listener");
  if (!/^arn:aws[a-z-]*:(acm|iam):/.test(certificates[0]!)) throw new AwsError("CertificateNotFound", `Certificate '${certificates[0]}' not found`);
  if (i.alpnPolicy !== undefined && (i.alpnPolicy.length > 1 || !ALPN.includes(i.alpnPolicy[0] ?? ""))) {
    throw validationError(`ALPN policy must be one of '${ALPN.join(", ")}'`);
  }
  if (i.sslPolicy !== undefined && !/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(i.sslPolicy)) throw new AwsError("SSLPolicyNotFound", `SSL policy '${i.sslPolicy}' not found`);
  return {
    port: i.port, protocol, tg, certificates: [{ certificateArn: certificates[0]! }], sslPolicy: i.sslPolicy ?? DEFAULT_SSL_POLICY,
    ...(i.alpnPolicy?.length ? { alpnPolicy: i.alpnPolicy } : {}),
  };
}

function listenersOf(ctx: Ctx, lb: LoadBalancer): Listener[] {
  return ctx.world.listeners.inVpc(lb.vpcId).filter((l) => l.loadBalancerArn === lb.id);
}

function apply(l: Listener, s: Settings): void {
  if (s.port !== undefined) l.port = s.port; else delete l.port;
  if (s.protocol !== undefined) l.protocol = s.protocol; else delete l.protocol;
  l.defaultActions = [{ type: "forward", targetGroupArn: s.tg.id }];
  for (const k of ["certificates", "sslPolicy", "alpnPolicy"] as const) {
    if (s[k] !== undefined) (l as unknown as Record<string, unknown>)[k] = s[k]; else delete l[k];
  }
}

export function createListener(ctx: Ctx, input: CreateListenerInput): Listener {
  const lb = getLoadBalancer(ctx, input.loadBalancerArn);
  const s = checkSettings(ctx, lb, input);
  const tags = checkTags(input.tags ?? []);
  const clash = listenersOf(ctx, lb).find((l) => lb.type === "gateway" || l.port === s.port);
  if (clash) {
    // CreateListener is idempotent: the same settings return the existing listener.
    const same = clash.port === s.port && clash.protocol === s.protocol && clash.defaultActions[0]?.targetGroupArn === s.tg.id &&
      JSON.stringify(clash.certificates ?? []) === JSON.stringify(s.certificates ?? []);
    if (same) return clash;
    throw new AwsError("DuplicateListener", lb.type === "gateway" ? `A gateway load balancer can have only one listener, and '${lb.id}' has one` : `A listener already exists on this port for this load balancer '${lb.id}'`);
  }
  if (listenersOf(ctx, lb).length >= 50) throw new AwsError("TooManyListeners", "A load balancer can have at most 50 listeners");
  const l: Listener = {
    // arn:...:listener/net|gwy/<lb name>/<lb hex>/<listener hex>
    id: `${lb.id.replace(":loadbalancer/", ":listener/")}/${hex16(ctx)}`,
    region: ctx.region, ownerId: ctx.account, tags, loadBalancerArn: lb.id, vpcId: lb.vpcId, defaultActions: [],
  };
  apply(l, s);
  ctx.world.listeners.set(l.id, l);
  return l;
}

/** ModifyListener: any of port, protocol, TLS settings and default action; the result is checked whole before it is applied. */
export function modifyListener(ctx: Ctx, arn: string, change: Omit<CreateListenerInput, "loadBalancerArn" | "tags" | "defaultActions"> & { defaultActions?: ActionInput[] }): Listener {
  const l = getListener(ctx, arn);
  const lb = getLoadBalancer(ctx, l.loadBalancerArn);
  const protocol = change.protocol ?? l.protocol;
  const tlsStays = protocol === "TLS";
  const port = change.port ?? l.port;
  const s = checkSettings(ctx, lb, {
    ...(port !== undefined ? { port } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    defaultActions: change.defaultActions ?? l.defaultActions,
    ...(tlsStays ? { certificates: change.certificates ?? l.certificates, sslPolicy: change.sslPolicy ?? l.sslPolicy, alpnPolicy: change.alpnPolicy ?? l.alpnPolicy } : {}),
  });
  if (lb.type === "network" && listenersOf(ctx, lb).some((x) => x.id !== l.id && x.port === s.port)) {
    throw new AwsError("DuplicateListener", `A listener already exists on this port for this load balancer '${lb.id}'`);
  }
  apply(l, s);
  return l;
}

export function deleteListener(ctx: Ctx, arn: string): void {
  const l = getListener(ctx, arn);
  ctx.world.listeners.delete(l.id);
}
