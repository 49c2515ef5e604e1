// The pipeline's promises: an unexpected fault is a 500 InternalError body, the change it was
// making is undone, and the next request is served; DryRun and unknown actions answer as AWS does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, replayEntry } from "../../src/server/engine.js";
import { MemoryStore } from "../../src/state/store.js";
import { ACTIONS } from "../../src/protocol/table.js";
import { createVpc } from "../../src/control/vpcs.js";

function engine(): { call: (action: string, params?: Record<string, string>) => { status: number; body: string }; store: MemoryStore } {
  const store = new MemoryStore(replayEntry);
  const e = new Engine(store, () => undefined);
  return {
    store,
    call: (action, params = {}) => e.handle({ service: "ec2", action, account: "111111111111", region: "ap-northeast-2", params: Object.entries({ Action: action, Version: "2016-11-15", ...params }) }, "req-1"),
  };
}

test("a bug in an action is a 500 InternalError; its half-made change is undone and the server goes on", () => {
  const { call, store } = engine();
  call("CreateVpc", { CidrBlock: "10.0.0.0/16" });
  const before = JSON.stringify(store.load().toSnapshot());
  const original = ACTIONS.ec2["CreateVpc"]!;
  ACTIONS.ec2["CreateVpc"] = {
    mutates: true,
    run: (ctx) => {
      createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
      throw new TypeError("a bug, after mutating");
    },
  };
  try {
    const r = call("CreateVpc", { CidrBlock: "10.1.0.0/16" });
    assert.equal(r.status, 500);
    assert.match(r.body, /<Code>InternalError<\/Code>/);
    assert.match(r.body, /<RequestID>req-1<\/RequestID>/);
    assert.doesNotMatch(r.body, /TypeError|at .*\.js/, "no stack trace on the wire");
  } finally {
    ACTIONS.ec2["CreateVpc"] = original;
  }
  assert.equal(JSON.stringify(store.load().toSnapshot()), before, "the half-made VPC is gone");
  assert.equal(call("DescribeVpcs").status, 200);
});

test("DryRun, unknown and unimplemented actions, unknown and missing parameters", () => {
  const { call, store } = engine();
  let r = call("CreateVpc", { CidrBlock: "10.0.0.0/16", DryRun: "true" });
  assert.equal(r.status, 412);
  assert.match(r.body, /<Code>DryRunOperation<\/Code><Message>Request would have succeeded, but DryRun flag is set.<\/Message>/);
  assert.equal(store.load().vpcs.size, 0);
  r = call("FrobnicateVpc");
  assert.equal(r.status, 400);
  assert.match(r.body, /<Code>InvalidAction<\/Code><Message>The action FrobnicateVpc is not valid for this web service.<\/Message>/);
  assert.match(call("CreateTransitGateway").body, /<Code>InvalidAction<\/Code><Message>The action CreateTransitGateway is not implemented by vpclab yet.<\/Message>/);
  assert.match(call("CreateVpc", { CidrBlock: "10.0.0.0/16", Colour: "blue" }).body, /<Code>UnknownParameter<\/Code><Message>The parameter Colour is not recognized<\/Message>/);
  assert.match(call("DeleteVpc").body, /<Code>MissingParameter<\/Code><Message>The request must contain the parameter VpcId<\/Message>/);
  assert.match(call("DescribeVpcs", { MaxResults: "many" }).body, /<Code>InvalidParameterValue<\/Code>/);
  assert.match(call("CreateVpc", { CidrBlock: "10.0.0.0/16" }).body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateVpcResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>req-1<\/requestId><vpc>/);
  assert.match(call("DeleteVpc", { VpcId: [...store.load().vpcs.keys()][0]! }).body, /<DeleteVpcResponse [^>]*><requestId>req-1<\/requestId><return>true<\/return><\/DeleteVpcResponse>/);
});

test("a Region outside the catalog is refused for EC2, as a badly scoped credential; STS answers anywhere", () => {
  const store = new MemoryStore(replayEntry);
  const e = new Engine(store, () => undefined);
  const r = e.handle({ service: "ec2", action: "CreateVpc", account: "111111111111", region: "mars-1", params: Object.entries({ Action: "CreateVpc", CidrBlock: "10.0.0.0/16" }) }, "r");
  assert.equal(r.status, 401);
  assert.match(r.body, /<Code>AuthFailure<\/Code><Message>Credential should be scoped to a valid region, not (&apos;|')mars-1/);
  assert.equal(store.load().vpcs.size, 0);
  assert.equal(e.handle({ service: "sts", action: "GetCallerIdentity", account: "111111111111", region: "mars-1", params: [["Action", "GetCallerIdentity"]] }, "r").status, 200);
});
