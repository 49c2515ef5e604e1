// Target groups and targets on the wire: Create/Describe/Modify/Delete, attributes, Register and
// Deregister, and DescribeTargetHealth, whose verdicts come from analysis/targetHealth.ts.
import { owned } from "../../control/context.js";
import { checkArn, getLoadBalancer, targetGroupNotFound, validationError } from "../../control/elbv2.js";
import { describeTargetGroupAttributes, modifyTargetGroupAttributes } from "../../control/targetGroupAttributes.js";
import {
  type CreateTargetGroupInput, type HealthCheckInput, createTargetGroup, deleteTargetGroup, deregisterTargets, getTargetGroup,
  listenersForwardingTo, modifyTargetGroup, registerTargets,
} from "../../control/targetGroups.js";
import type { TargetInput } from "../../control/targetRegistration.js";
import { targetHealth } from "../../analysis/targetHealth.js";
import type { Target } from "../../model/loadBalancing.js";
import { type ActionTable, as } from "../actions.js";
import { type PageInput, attributes, page, presentTargetGroup } from "./common.js";

interface DescribeInput extends PageInput { loadBalancerArn?: string; targetGroupArns?: string[]; names?: string[] }
interface TargetsInput { targetGroupArn: string; targets: TargetInput[] }

export const TARGET_GROUP_ACTIONS: ActionTable = {
  CreateTargetGroup: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<CreateTargetGroupInput & { protocolVersion?: string; targetControlPort?: number }>(input);
      if (i.protocolVersion !== undefined) throw validationError("A protocol version can be specified only for HTTP and HTTPS target groups");
      if (i.targetControlPort !== undefined) throw validationError("vpclab does not model target control ports");
      return { targetGroups: [presentTargetGroup(ctx, createTargetGroup(ctx, i))] };
    },
  },
  DescribeTargetGroups: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeInput>(input);
      const named = [i.loadBalancerArn !== undefined, (i.targetGroupArns?.length ?? 0) > 0, (i.names?.length ?? 0) > 0].filter(Boolean).length;
      if (named > 1) throw validationError("Only one of load balancer ARN, target group ARNs and target group names can be specified");
      for (const arn of i.targetGroupArns ?? []) checkArn(arn, "targetgroup");
      let chosen = owned(ctx, "targetGroups");
      if (i.loadBalancerArn !== undefined) {
        const lb = getLoadBalancer(ctx, i.loadBalancerArn);
        chosen = chosen.filter((tg) => tg.vpcId === lb.vpcId && listenersForwardingTo(ctx, tg).some((l) => ctx.world.listeners.get(l)?.loadBalancerArn === lb.id));
      } else if (i.targetGroupArns?.length) {
        chosen = [...new Set(i.targetGroupArns)].map((arn) => getTargetGroup(ctx, arn));
      } else if (i.names?.length) {
        const all = chosen;
        chosen = [...new Set(i.names)].map((n) => all.find((tg) => tg.name === n) ?? (() => { throw targetGroupNotFound(); })());
      }
      const { items, nextMarker } = page(chosen, i as DescribeInput & Record<string, unknown>, (tg) => tg.id);
      return { targetGroups: items.map((tg) => presentTargetGroup(ctx, tg)), nextMarker };
    },
  },
  ModifyTargetGroup: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<HealthCheckInput & { targetGroupArn: string }>(input);
      return { targetGroups: [presentTargetGroup(ctx, modifyTargetGroup(ctx, i.targetGroupArn, i))] };
    },
  },
  DeleteTargetGroup: {
    mutates: true,
    run: (ctx, input) => {
      deleteTargetGroup(ctx, as<{ targetGroupArn: string }>(input).targetGroupArn);
      return {};
    },
  },
  DescribeTargetGroupAttributes: {
    mutates: false,
    run: (ctx, input) => attributes(describeTargetGroupAttributes(ctx, as<{ targetGroupArn: string }>(input).targetGroupArn)),
  },
  ModifyTargetGroupAttributes: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ targetGroupArn: string; attributes: { key?: string; value?: string }[] }>(input);
      return attributes(modifyTargetGroupAttributes(ctx, i.targetGroupArn, i.attributes));
    },
  },
  RegisterTargets: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<TargetsInput>(input);
      registerTargets(ctx, i.targetGroupArn, i.targets);
      return {};
    },
  },
  DeregisterTargets: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<TargetsInput>(input);
      deregisterTargets(ctx, i.targetGroupArn, i.targets);
      return {};
    },
  },
  DescribeTargetHealth: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<{ targetGroupArn: string; targets?: TargetInput[]; include?: string[] }>(input);
      const tg = getTargetGroup(ctx, i.targetGroupArn);
      // Named targets: each registration of the id (on the given port, if any); one never registered is Target.NotRegistered.
      const asked: Target[] = i.targets?.length
        ? i.targets.flatMap((t) => {
          const regs = tg.targets.filter((x) => x.id === t.id && (t.port === undefined || x.port === t.port));
          return regs.length > 0 ? regs : [{ id: t.id, port: t.port ?? tg.port }];
        })
        : tg.targets;
      return {
        targetHealthDescriptions: asked.map((t) => {
          const h = targetHealth(ctx.world, tg, t, ctx.backendHealth);
          const az = tg.targetType === "ip" ? h.availabilityZone : undefined;
          return {
            target: { id: t.id, port: t.port, ...(az !== undefined ? { availabilityZone: az } : {}) },
            healthCheckPort: h.healthCheckPort,
            targetHealth: { state: h.state, reason: h.reason, description: h.description },
          };
        }),
      };
    },
  },
};
