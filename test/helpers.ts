// Shared test fixtures: a fresh seeded world, and assertions for AWS errors that change nothing.
import assert from "node:assert/strict";
import { World } from "../src/model/world.js";
import { IdGenerator } from "../src/model/ids.js";
import { AwsError } from "../src/model/errors.js";
import type { Ctx } from "../src/control/context.js";
import { createVpc } from "../src/control/vpcs.js";
import { createSubnet } from "../src/control/subnets.js";

export function freshCtx(region = "ap-northeast-2", account = "111111111111"): Ctx {
  return { world: new World(IdGenerator.fresh("test")), account, region };
}

/** Asserts fn throws AwsError(code) whose message matches, and that the world is exactly as before. */
export function rejects(ctx: Ctx, fn: () => unknown, code: string, message?: RegExp | string): AwsError {
  const before = JSON.stringify(ctx.world.toSnapshot());
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof AwsError, `expected AwsError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  assert.equal(JSON.stringify(ctx.world.toSnapshot()), before, "a failed call must change nothing");
  return caught;
}

/** A VPC 10.0.0.0/16 with DNS support and hostnames on, and subnets a (10.0.1.0/24, 2a) and c (10.0.2.0/24, 2c). */
export function vpcWithSubnets(ctx: Ctx): { vpcId: string; subnetA: string; subnetC: string } {
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  vpc.enableDnsHostnames = true;
  const subnetA = createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24", availabilityZone: "ap-northeast-2a" }).id;
  const subnetC = createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.2.0/24", availabilityZone: "ap-northeast-2c" }).id;
  return { vpcId: vpc.id, subnetA, subnetC };
}
