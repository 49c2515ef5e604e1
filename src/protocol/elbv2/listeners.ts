// Listeners on the wire: Create/Describe/Modify/Delete.
import { checkArn, validationError } from "../../control/elbv2.js";
import { type ActionInput, type CreateListenerInput, createListener, deleteListener, getListener, modifyListener } from "../../control/listeners.js";
import { getLoadBalancer } from "../../control/loadBalancers.js";
import type { Listener } from "../../model/loadBalancing.js";
import type { Tag } from "../../model/types.js";
import { type ActionTable, as } from "../actions.js";
import { type PageInput, page, presentListener } from "./common.js";

interface WireListenerInput {
  port?: number; protocol?: string; sslPolicy?: string; certificates?: { certificateArn?: string }[];
  alpnPolicy?: string[]; mutualAuthentication?: unknown;
}

function settings(i: WireListenerInput): Omit<CreateListenerInput, "loadBalancerArn" | "defaultActions" | "tags"> {
  if (i.mutualAuthentication !== undefined) throw validationError("Mutual authentication is supported only for HTTPS listeners of application load balancers");
  return {
    ...(i.port !== undefined ? { port: i.port } : {}), ...(i.protocol !== undefined ? { protocol: i.protocol } : {}),
    ...(i.sslPolicy !== undefined ? { sslPolicy: i.sslPolicy } : {}), ...(i.certificates !== undefined ? { certificates: i.certificates } : {}),
    ...(i.alpnPolicy !== undefined ? { alpnPolicy: i.alpnPolicy } : {}),
  };
}

export const LISTENER_ACTIONS: ActionTable = {
  CreateListener: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<WireListenerInput & { loadBalancerArn: string; defaultActions: ActionInput[]; tags?: Tag[] }>(input);
      const l = createListener(ctx, { loadBalancerArn: i.loadBalancerArn, defaultActions: i.defaultActions, ...settings(i), ...(i.tags !== undefined ? { tags: i.tags } : {}) });
      return { listeners: [presentListener(l)] };
    },
  },
  DescribeListeners: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<PageInput & { loadBalancerArn?: string; listenerArns?: string[] }>(input);
      if (i.loadBalancerArn === undefined && !i.listenerArns?.length) throw validationError("You must specify either listener ARNs or a load balancer ARN");
      if (i.loadBalancerArn !== undefined && i.listenerArns?.length) throw validationError("Listener ARNs and a load balancer ARN cannot be specified at the same time");
      for (const arn of i.listenerArns ?? []) checkArn(arn, "listener");
      let chosen: Listener[];
      if (i.loadBalancerArn !== undefined) {
        const lb = getLoadBalancer(ctx, i.loadBalancerArn);
        chosen = ctx.world.listeners.inVpc(lb.vpcId).filter((l) => l.loadBalancerArn === lb.id);
      } else {
        chosen = [...new Set(i.listenerArns)].map((arn) => getListener(ctx, arn));
      }
      const { items, nextMarker } = page(chosen, i as PageInput & Record<string, unknown>, (l) => l.id);
      return { listeners: items.map(presentListener), nextMarker };
    },
  },
  ModifyListener: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<WireListenerInput & { listenerArn: string; defaultActions?: ActionInput[] }>(input);
      const l = modifyListener(ctx, i.listenerArn, { ...settings(i), ...(i.defaultActions !== undefined ? { defaultActions: i.defaultActions } : {}) });
      return { listeners: [presentListener(l)] };
    },
  },
  DeleteListener: {
    mutates: true,
    run: (ctx, input) => {
      deleteListener(ctx, as<{ listenerArn: string }>(input).listenerArn);
      return {};
    },
  },
};
