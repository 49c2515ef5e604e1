// What `vpclab curl` and `vpclab connect` share: a flow planner over the data directory's world
// from --from to a target, and the words for a flow that does not get through.
import { FlowPlanner, type FlowTarget, type Plan } from "../live/flow.js";
import type { Explanation } from "../analysis/types.js";
import { BACKEND_TAG } from "../model/backends.js";
import type { Store } from "../state/store.js";
import { NetworkView } from "../analysis/view.js";
import { findSource, UsageError } from "./common.js";
import { bold, dim, red, yellow } from "./render.js";

/**
 * A planner from SOURCE (found now, so that a typo is an error at once, and again whenever the
 * world changes) to the target, over the store's current world.
 */
export function plannerFor(store: Store, from: string, target: FlowTarget): { planner: FlowPlanner; label: string } {
  const view = new NetworkView(store.load());
  const src = findSource(view, from);
  if (target.ip !== undefined && src.source.kind === "eni" && target.ip === view.world.networkInterfaces.get(src.source.eniId)?.privateIpAddress) {
    throw new UsageError(`${target.ip} is ${from}'s own address: traffic to itself never leaves the instance`);
  }
  return { planner: new FlowPlanner(() => store.load(), (v) => findSource(v, from).source, target), label: src.label };
}

function explanationLines(list: Explanation[]): string[] {
  return list.flatMap((e) => [
    `  ${red("✘")} ${bold(e.code)}  ${e.component.type} ${e.component.name ? `${e.component.name} ` : ""}${dim(e.component.id)}`,
    `      ${e.message}`,
    ...(e.fix ? [`      ${yellow("fix:")} ${e.fix}`] : []),
  ]);
}

/** Why a planned flow carries no traffic, as lines for stderr (every blocker, with its fix). */
export function whyNot(plan: Exclude<Plan, { kind: "deliver" }>, label: string): string[] {
  const t = plan.trace;
  const dest = `${t.destination.host ?? t.destination.ip}${t.destination.host && t.destination.ip ? ` (${t.destination.ip})` : ""} port ${t.destination.port}`;
  if (plan.kind === "unresolved") {
    return [`${t.destination.host ?? "?"} does not resolve from ${label}'s VPC (${t.dns?.status ?? "no answer"})`, ...explanationLines(t.explanations)];
  }
  if (plan.kind === "blocked") {
    const n = t.explanations.length;
    return [`${label} cannot reach ${dest}: ${n} setting${n === 1 ? "" : "s"} block${n === 1 ? "s" : ""} the path (vpclab trace shows every hop)`, ...explanationLines(t.explanations)];
  }
  const d = plan.delivery;
  if (!d) return [`${label} reaches ${dest}, but ${plan.reason}.`];
  const who = d.instanceId ?? d.networkInterfaceId;
  return [
    `${label} reaches ${dest}: the flow is delivered to ${who} (${d.ip}) on port ${d.port}, but ${plan.reason}.`,
    `  ${yellow("fix:")} tag ${who} with the real server that stands for it, e.g.`,
    `      aws ec2 create-tags --resources ${who} --tags Key=${BACKEND_TAG},Value=127.0.0.1:8080   (with --endpoint-url)`,
    `      or Value=${d.port}=127.0.0.1:8080 for this port only; docs/LIVE.md explains the tag`,
  ];
}
