// The checks CreateVpcEndpointServiceConfiguration and ModifyVpcEndpointServiceConfiguration
// share: the load balancers offered, the IP address types, the supported Regions and the
// private DNS name. Each answers in AWS's words where they are known.
import { AwsError } from "../model/errors.js";
import { findRegion } from "../model/catalog/index.js";
import type { LoadBalancer, LoadBalancerType } from "../model/loadBalancing.js";
import { type Ctx, find } from "./context.js";
import { param } from "./endpointChecks.js";

/** The ARN forms the API reference gives: loadbalancer/net/<name>/<id> and loadbalancer/gwy/<name>/<id>. */
const ARN: Record<LoadBalancerType, RegExp> = {
  network: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/net\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
  gateway: /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/gwy\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
};

/**
 * The load balancers by ARN: well formed, the caller's own in this Region, of the service's
 * kind, active, and offered by no other endpoint service. An NLB ARN that is malformed or not
 * found answers AWS's InvalidNetworkLoadBalancerArn codes (EC2 error codes); AWS documents none
 * for gateway load balancers, so theirs are InvalidParameterValue.
 */
export function checkLoadBalancers(ctx: Ctx, kind: LoadBalancerType, arns: string[], self?: string): LoadBalancer[] {
  return arns.map((arn) => {
    if (!ARN[kind].test(arn)) {
      if (kind === "network") {
        throw new AwsError("InvalidNetworkLoadBalancerArn.Malformed", `The Network Load Balancer ARN '${arn}' is malformed: expecting arn:aws:elasticloadbalancing:region:account-id:loadbalancer/net/load-balancer-name/load-balancer-id`);
      }
      throw new AwsError("InvalidParameterValue", `The Gateway Load Balancer ARN '${arn}' is malformed: expecting arn:aws:elasticloadbalancing:region:account-id:loadbalancer/gwy/load-balancer-name/load-balancer-id`);
    }
    // Another account's load balancer is answered as if it did not exist.
    const lb = find(ctx, "loadBalancers", arn);
    if (!lb || lb.type !== kind) {
      if (kind === "network") throw new AwsError("InvalidNetworkLoadBalancerArn.NotFound", `The Network Load Balancer ARN '${arn}' does not exist`);
      throw new AwsError("InvalidParameterValue", `The Gateway Load Balancer ARN '${arn}' does not exist`);
    }
    if (lb.state !== "active" && lb.state !== "active_impaired") throw param(`The load balancer ${arn} is not active (it is ${lb.state}).`);
    for (const other of ctx.world.endpointServices.values()) {
      if (other.id !== self && (other.networkLoadBalancerArns.includes(arn) || other.gatewayLoadBalancerArns.includes(arn))) {
        throw param(`The load balancer ${arn} is already associated with the VPC endpoint service ${other.id}.`);
      }
    }
    return lb;
  });
}

/** ipv4 and/or ipv6; IPv6 consumers need the load balancers to have IPv6 addresses (dualstack). */
export function checkIpAddressTypes(types: string[], lbs: LoadBalancer[]): ("ipv4" | "ipv6")[] {
  const out = [...new Set(types)];
  for (const t of out) {
    if (t !== "ipv4" && t !== "ipv6") throw new AwsError("InvalidParameterValue", `Value (${t}) for parameter SupportedIpAddressType is invalid. Valid values: ipv4, ipv6.`);
  }
  if (out.length === 0) throw param("An endpoint service must support at least one IP address type.");
  const single = lbs.find((lb) => lb.ipAddressType !== "dualstack");
  if (out.includes("ipv6") && single) {
    throw param(`Supported IP address type ipv6 requires dualstack load balancers; ${single.id} is ${single.ipAddressType}.`);
  }
  return out as ("ipv4" | "ipv6")[];
}

/** The Regions consumers may connect from: the service's own always (first), others from the catalog. */
export function checkSupportedRegions(ctx: Ctx, regions: string[]): string[] {
  for (const r of regions) {
    if (!findRegion(r)) throw new AwsError("InvalidParameterValue", `The Region '${r}' is not a valid supported Region (vpclab knows the catalog's Regions only).`);
  }
  return [ctx.region, ...new Set(regions.filter((r) => r !== ctx.region))];
}

const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A private DNS name: a domain name (a leading wildcard allowed), for interface services only. */
export function checkPrivateDnsName(name: string, kind: LoadBalancerType): void {
  if (kind === "gateway") throw param("Private DNS names are supported only for endpoint services with Network Load Balancers (interface endpoints).");
  if (name.length > 255 || !DOMAIN.test(name)) throw new AwsError("InvalidParameterValue", `The private DNS name '${name}' is not a valid domain name.`);
  if (/(^|\.)amazonaws\.com$/i.test(name)) throw param(`The private DNS name '${name}' is in a domain AWS owns: use a domain you can verify.`);
}
