// Whether a world holds together: what the API itself leaves behind after DeleteVpc is not a
// dangling reference, so a world vpclab made can always be exported and imported again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allocateAddress, createNatGateway, deleteNatGateway } from "../../src/control/gateways.js";
import { runInstances, terminateInstances } from "../../src/control/instances.js";
import { deleteSubnet } from "../../src/control/subnets.js";
import { createTargetGroup } from "../../src/control/targetGroups.js";
import { deleteVpc } from "../../src/control/vpcs.js";
import { danglingReferences } from "../../src/state/integrity.js";
import { World, type WorldSnapshot } from "../../src/model/world.js";
import { freshCtx, vpcWithSubnets } from "../helpers.js";

test("a VPC deleted after its instance was terminated, its NAT gateway deleted and with a target group left: the world still holds together", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const inst = runInstances(ctx, { subnetId: subnetA })[0]!;
  const nat = createNatGateway(ctx, { subnetId: subnetA, allocationId: allocateAddress(ctx).id });
  const tg = createTargetGroup(ctx, { name: "web-tg", protocol: "TCP", port: 80, vpcId });
  terminateInstances(ctx, [inst.id]);
  deleteNatGateway(ctx, nat.id);
  deleteSubnet(ctx, subnetA);
  deleteSubnet(ctx, subnetC);
  deleteVpc(ctx, vpcId);
  // AWS lists the terminated instance and the deleted NAT gateway for a while, and keeps the target group.
  assert.equal(ctx.world.instances.get(inst.id)?.state, "terminated");
  assert.equal(ctx.world.natGateways.get(nat.id)?.state, "deleted");
  assert.ok(ctx.world.targetGroups.has(tg.id));
  assert.deepEqual(danglingReferences(ctx.world), []);
  // The export of that world imports again.
  assert.deepEqual(danglingReferences(World.fromSnapshot(JSON.parse(JSON.stringify(ctx.world.toSnapshot())) as WorldSnapshot)), []);
});

test("a running instance or a live NAT gateway whose VPC is missing is still a dangling reference", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const inst = runInstances(ctx, { subnetId: subnetA })[0]!;
  const nat = createNatGateway(ctx, { subnetId: subnetA, allocationId: allocateAddress(ctx).id });
  const vpc = ctx.world.vpcs.get(vpcId)!;
  ctx.world.vpcs.delete(vpcId);
  const dangling = danglingReferences(ctx.world);
  assert.ok(dangling.includes(`${inst.id} -> ${vpcId}`), dangling.join("; "));
  assert.ok(dangling.includes(`${nat.id} -> ${vpcId}`), dangling.join("; "));
  ctx.world.vpcs.set(vpcId, vpc);
  assert.deepEqual(danglingReferences(ctx.world), []);
});
