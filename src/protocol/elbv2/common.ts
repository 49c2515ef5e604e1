// What the ELBv2 actions share: PageSize/Marker paging, and the resources as the API shows them
// (keys are the model's member names with the first letter lowercased: DNSName is dNSName).
import type { Ctx } from "../../control/context.js";
import { validationError } from "../../control/elbv2.js";
import { AwsError } from "../../model/errors.js";
import type { Listener, LoadBalancer, TargetGroup } from "../../model/loadBalancing.js";
import { paginate } from "../actions.js";

export interface PageInput { pageSize?: number; marker?: string }

/**
 * One page of a Describe result. PageSize is 1-400 (ELBv2 reference); the marker is bound to the
 * request's other parameters and keeps the first page's list, so deleting between pages skips nothing.
 */
export function page<T>(items: T[], input: PageInput & Record<string, unknown>, keyOf: (item: T) => string): { items: T[]; nextMarker?: string } {
  if (input.pageSize !== undefined && (input.pageSize < 1 || input.pageSize > 400)) {
    throw validationError(`1 validation error detected: Value '${input.pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`);
  }
  const { pageSize, marker, ...rest } = input;
  try {
    const pageInput = { ...rest, ...(pageSize !== undefined ? { maxResults: pageSize } : {}), ...(marker !== undefined ? { nextToken: marker } : {}) };
    const result = paginate(items, pageInput, { min: 1, max: 400 }, keyOf);
    return { items: result.page, ...(result.nextToken !== undefined ? { nextMarker: result.nextToken } : {}) };
  } catch (e) {
    if (e instanceof AwsError && e.code === "InvalidParameterValue") throw validationError(`The marker '${marker ?? ""}' is not valid for this request`);
    throw e;
  }
}

export function presentLoadBalancer(lb: LoadBalancer, state: string = lb.state): object {
  return {
    loadBalancerArn: lb.id, dNSName: lb.dnsName, canonicalHostedZoneId: lb.canonicalHostedZoneId, createdTime: lb.createdTime,
    loadBalancerName: lb.name, scheme: lb.scheme, vpcId: lb.vpcId, state: { code: state }, type: lb.type,
    availabilityZones: lb.zones.map((z) => ({
      zoneName: z.zoneName, subnetId: z.subnetId,
      // AWS lists the addresses the user chose: an Elastic IP, or a requested private address.
      loadBalancerAddresses: z.allocationId !== undefined ? [{ ipAddress: z.publicIpv4Address, allocationId: z.allocationId }]
        : z.privateIpv4Requested ? [{ privateIPv4Address: z.privateIpv4Address }] : [],
    })),
    ...(lb.securityGroupIds.length > 0 ? { securityGroups: lb.securityGroupIds, enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? "on" } : {}),
    ipAddressType: lb.ipAddressType,
  };
}

/** A target group, with the load balancers whose listeners forward to it. */
export function presentTargetGroup(ctx: Ctx, tg: TargetGroup): object {
  const lbs = [...new Set(ctx.world.listeners.inVpc(tg.vpcId).filter((l) => l.defaultActions.some((a) => a.targetGroupArn === tg.id)).map((l) => l.loadBalancerArn))];
  const hc = tg.healthCheck;
  return {
    targetGroupArn: tg.id, targetGroupName: tg.name, protocol: tg.protocol, port: tg.port, vpcId: tg.vpcId,
    healthCheckProtocol: hc.protocol, healthCheckPort: hc.port, healthCheckEnabled: hc.enabled,
    healthCheckIntervalSeconds: hc.intervalSeconds, healthCheckTimeoutSeconds: hc.timeoutSeconds,
    healthyThresholdCount: hc.healthyThresholdCount, unhealthyThresholdCount: hc.unhealthyThresholdCount,
    healthCheckPath: hc.path, matcher: hc.matcher, loadBalancerArns: lbs, targetType: tg.targetType, ipAddressType: "ipv4",
  };
}

export function presentListener(l: Listener): object {
  return {
    listenerArn: l.id, loadBalancerArn: l.loadBalancerArn, port: l.port, protocol: l.protocol,
    certificates: l.certificates, sslPolicy: l.sslPolicy, alpnPolicy: l.alpnPolicy,
    // AWS shows a forward action both ways: the target group's ARN and a ForwardConfig of weight 1.
    defaultActions: l.defaultActions.map((a) => ({
      type: a.type, targetGroupArn: a.targetGroupArn,
      forwardConfig: { targetGroups: [{ targetGroupArn: a.targetGroupArn, weight: 1 }], targetGroupStickinessConfig: { enabled: false } },
    })),
  };
}

export function attributes(list: { key: string; value: string }[]): { attributes: { key: string; value: string }[] } {
  return { attributes: list };
}
