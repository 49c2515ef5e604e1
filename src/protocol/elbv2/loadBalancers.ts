// Load balancers on the wire: Create/Describe/Delete, attributes, SetSubnets, SetSecurityGroups.
import { owned } from "../../control/context.js";
import { checkArn, loadBalancerNotFound, validationError } from "../../control/elbv2.js";
import { describeLoadBalancerAttributes, modifyLoadBalancerAttributes } from "../../control/loadBalancerAttributes.js";
import { setSecurityGroups, setSubnets } from "../../control/loadBalancerChanges.js";
import type { SubnetMapping } from "../../control/loadBalancerSubnets.js";
import { createLoadBalancer, deleteLoadBalancer, getLoadBalancer } from "../../control/loadBalancers.js";
import type { Tag } from "../../model/types.js";
import { type ActionTable, as } from "../actions.js";
import { type PageInput, attributes, page, presentLoadBalancer } from "./common.js";

interface CreateInput {
  name: string; subnets?: string[]; subnetMappings?: SubnetMapping[]; securityGroups?: string[]; scheme?: string;
  tags?: Tag[]; type?: string; ipAddressType?: string; customerOwnedIpv4Pool?: string; enablePrefixForIpv6SourceNat?: string; ipamPools?: unknown;
}
interface DescribeInput extends PageInput { loadBalancerArns?: string[]; names?: string[] }
interface AttributesInput { loadBalancerArn: string; attributes?: { key?: string; value?: string }[] }

export const LOAD_BALANCER_ACTIONS: ActionTable = {
  CreateLoadBalancer: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<CreateInput>(input);
      if (i.customerOwnedIpv4Pool !== undefined || i.ipamPools !== undefined || i.enablePrefixForIpv6SourceNat === "on") {
        throw validationError("vpclab does not model Outposts customer-owned pools, IPAM pools or IPv6 source NAT");
      }
      // The API's default type is application, which vpclab refuses with a clear message.
      const lb = createLoadBalancer(ctx, {
        name: i.name, type: i.type ?? "application", ...(i.scheme !== undefined ? { scheme: i.scheme } : {}),
        ...(i.subnets !== undefined ? { subnetIds: i.subnets } : {}), ...(i.subnetMappings !== undefined ? { subnetMappings: i.subnetMappings } : {}),
        ...(i.securityGroups !== undefined ? { securityGroupIds: i.securityGroups } : {}),
        ...(i.ipAddressType !== undefined ? { ipAddressType: i.ipAddressType } : {}), ...(i.tags !== undefined ? { tags: i.tags } : {}),
      });
      // AWS answers while the load balancer is still provisioning; vpclab's is active at once.
      return { loadBalancers: [presentLoadBalancer(lb, "provisioning")] };
    },
  },
  DescribeLoadBalancers: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput>(input);
      if (i.names?.length && i.loadBalancerArns?.length) throw validationError("Load balancer names and load balancer ARNs cannot be specified at the same time");
      for (const arn of i.loadBalancerArns ?? []) checkArn(arn, "loadbalancer");
      const all = owned(ctx, "loadBalancers");
      let chosen = all;
      if (i.names?.length) {
        chosen = [...new Set(i.names)].map((n) => all.find((lb) => lb.name === n) ?? (() => { throw loadBalancerNotFound(); })());
      } else if (i.loadBalancerArns?.length) {
        chosen = [...new Set(i.loadBalancerArns)].map((arn) => getLoadBalancer(ctx, arn));
      }
      const { items, nextMarker } = page(chosen, i as DescribeInput & Record<string, unknown>, (lb) => lb.id);
      return { loadBalancers: items.map((lb) => presentLoadBalancer(lb)), nextMarker };
    },
  },
  DeleteLoadBalancer: {
    mutates: true,
    run: (ctx, input) => {
      deleteLoadBalancer(ctx, as<{ loadBalancerArn: string }>(input).loadBalancerArn);
      return {};
    },
  },
  DescribeLoadBalancerAttributes: {
    mutates: false,
    run: (ctx, input) => attributes(describeLoadBalancerAttributes(ctx, as<AttributesInput>(input).loadBalancerArn)),
  },
  ModifyLoadBalancerAttributes: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<AttributesInput>(input);
      return attributes(modifyLoadBalancerAttributes(ctx, i.loadBalancerArn, i.attributes ?? []));
    },
  },
  SetSubnets: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ loadBalancerArn: string; subnets?: string[]; subnetMappings?: SubnetMapping[]; ipAddressType?: string }>(input);
      const lb = setSubnets(ctx, i.loadBalancerArn, {
        ...(i.subnets !== undefined ? { subnetIds: i.subnets } : {}), ...(i.subnetMappings !== undefined ? { subnetMappings: i.subnetMappings } : {}),
        ...(i.ipAddressType !== undefined ? { ipAddressType: i.ipAddressType } : {}),
      });
      const shown = presentLoadBalancer(lb) as { availabilityZones: unknown };
      return { availabilityZones: shown.availabilityZones, ipAddressType: lb.ipAddressType };
    },
  },
  SetSecurityGroups: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ loadBalancerArn: string; securityGroups: string[]; enforceSecurityGroupInboundRulesOnPrivateLinkTraffic?: string }>(input);
      const lb = setSecurityGroups(ctx, i.loadBalancerArn, i.securityGroups, i.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic);
      return { securityGroupIds: lb.securityGroupIds, enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic };
    },
  },
};
