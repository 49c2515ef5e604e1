// The request pipeline, written out in order: action lookup -> input parsing by the model ->
// DryRun -> ClientToken idempotency -> the action (journaled when it changes the world) ->
// XML. Every failure becomes AWS's error body; an unexpected one is a 500 InternalError that is
// logged, and the server keeps serving.
import { createHash } from "node:crypto";
import { AwsError, isAwsError } from "../model/errors.js";
import { findRegion, regions } from "../model/catalog/index.js";
import type { World } from "../model/world.js";
import type { Ctx } from "../control/context.js";
import type { JournalEntry, Store } from "../state/store.js";
import type { Action, Input } from "../protocol/actions.js";
import { parseInput } from "../protocol/query.js";
import { MODELS, type ServiceName, hasOperation } from "../protocol/shapes.js";
import { renderError, renderResult } from "../protocol/xml.js";
import { ACTIONS } from "../protocol/table.js";

export interface Call {
  service: ServiceName;
  action: string;
  account: string;
  region: string;
  params: Iterable<[string, string]>;
}

export interface Reply { status: number; body: string; code?: string }

function actionFor(service: ServiceName, name: string): Action {
  const model = MODELS[service];
  const action = (ACTIONS[service])[name];
  if (!hasOperation(model, name)) {
    throw new AwsError("InvalidAction", `The action ${name} is not valid for this web service.`);
  }
  if (!action || !model.operations[name]) {
    throw new AwsError("InvalidAction", `The action ${name} is not implemented by vpclab yet.`);
  }
  return action;
}

/** How many ClientToken records are kept (the oldest go first). */
export const MAX_CLIENT_TOKENS = 10_000;

/**
 * Runs an action on a world, honouring ClientToken: the same token and input give the first
 * answer. backendHealth is given to read-only calls only (see Engine.backendHealth).
 */
function run(world: World, entry: JournalEntry, backendHealth?: Ctx["backendHealth"]): unknown {
  const action = actionFor(entry.service as ServiceName, entry.action);
  const input = entry.input as Input;
  const ctx: Ctx = { world, account: entry.account, region: entry.region, ...(backendHealth ? { backendHealth } : {}) };
  const token = typeof input["clientToken"] === "string" ? input["clientToken"] : undefined;
  if (token === undefined) return action.run(ctx, input);
  const key = `${entry.account} ${entry.region} ${entry.action} ${token}`;
  const hash = createHash("sha256").update(JSON.stringify({ ...input, dryRun: undefined })).digest("hex");
  const seen = world.clientTokens.get(key);
  if (seen) {
    if (seen.hash !== hash) throw new AwsError("IdempotentParameterMismatch", `The client token '${token}' was already used with different parameters.`);
    return seen.result;
  }
  const result = action.run(ctx, input);
  world.clientTokens.set(key, { hash, result: structuredClone(result) });
  // AWS keeps a token for a limited time; vpclab keeps the most recent ones (SDKs send a token
  // with every CreateRouteTable, CreateVpcEndpoint, RunInstances ..., so the map must not grow forever).
  if (world.clientTokens.size > MAX_CLIENT_TOKENS) world.clientTokens.delete(world.clientTokens.keys().next().value!);
  return result;
}

/** The store's replay hook: a journal entry is re-run exactly as it first ran. */
export function replayEntry(world: World, entry: JournalEntry): void {
  run(world, entry);
}

export class Engine {
  /** Called after every acknowledged change (the DNS server opens listeners for new VPCs). */
  onChange?: () => void;
  /**
   * The live health of real backends (vpclab up's prober), for read-only calls such as
   * DescribeTargetHealth. Never given to a call that changes the world: those are journaled and
   * replayed, and a replay must not depend on which servers happened to be up.
   */
  backendHealth?: (address: string) => boolean | undefined;

  constructor(readonly store: Store, private readonly log: (line: string) => void = (l) => console.error(l)) {}

  handle(call: Call, requestId: string): Reply {
    const model = MODELS[call.service];
    try {
      const result = this.execute(call);
      return { status: 200, body: renderResult(model, call.action, result, requestId) };
    } catch (e) {
      if (isAwsError(e)) return { status: e.status, body: renderError(model, e.code, e.message, requestId, e.status), code: e.code };
      this.log(`InternalError in ${call.service}:${call.action} (request ${requestId}): ${(e as Error).stack ?? String(e)}`);
      return { status: 500, body: renderError(model, "InternalError", "An internal error has occurred", requestId, 500), code: "InternalError" };
    }
  }

  /** The typed result of one call, or an AwsError. */
  execute(call: Call): unknown {
    const action = actionFor(call.service, call.action);
    // EC2 and ELBv2 are regional: a Region outside the catalog has no endpoint to answer it.
    // (STS is global and answers in any.) AWS answers a credential scoped to a bad Region so.
    if (call.service !== "sts" && !findRegion(call.region)) {
      throw new AwsError("AuthFailure", `Credential should be scoped to a valid region, not '${call.region}'. vpclab knows ${regions().map((r) => r.name).join(", ")}.`, 401);
    }
    const input = parseInput(MODELS[call.service], call.action, call.params);
    if (input["dryRun"] === true) {
      throw new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    }
    const entry = (world: World): JournalEntry => ({ at: world.ids.state.deterministic ? "" : new Date().toISOString(), account: call.account, region: call.region, service: call.service, action: call.action, input });
    if (!action.mutates) {
      const world = this.store.load();
      return run(world, entry(world), this.backendHealth);
    }
    const result = this.store.write((world) => {
      const e = entry(world);
      world.ids.pinnedNow = e.at || undefined;
      try {
        return { result: run(world, e), entry: e };
      } finally {
        world.ids.pinnedNow = undefined;
      }
    });
    this.onChange?.();
    return result;
  }
}
