// Instances and network interfaces in the control layer: reservations, MinCount/MaxCount, the
// user's own ENIs, and the deletes AWS refuses while an ENI is in use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInstances } from "../../src/control/instances.js";
import { createNetworkInterface, deleteNetworkInterface } from "../../src/control/networkInterfaces.js";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { createSubnet } from "../../src/control/subnets.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

test("RunInstances launches between MinCount and MaxCount as addresses allow, all in one reservation", () => {
  const ctx = freshCtx();
  const { vpcId } = vpcWithSubnets(ctx);
  const tiny = createSubnet(ctx, { vpcId, cidrBlock: "10.0.9.0/28", availabilityZone: "ap-northeast-2a" }); // 16 - 5 = 11 free
  rejects(ctx, () => runInstances(ctx, { subnetId: tiny.id, count: 20, minCount: 12 }), "InsufficientFreeAddressesInSubnet");
  rejects(ctx, () => runInstances(ctx, { subnetId: tiny.id, count: 1, minCount: 2 }), "InvalidParameterValue");
  rejects(ctx, () => runInstances(ctx, { subnetId: tiny.id, count: 1, minCount: 0 }), "InvalidParameterValue");
  const launched = runInstances(ctx, { subnetId: tiny.id, count: 20, minCount: 5 });
  assert.equal(launched.length, 11);
  assert.equal(new Set(launched.map((i) => i.reservationId)).size, 1);
  assert.match(launched[0]!.reservationId!, /^r-[0-9a-f]{17}$/);
  rejects(ctx, () => runInstances(ctx, { subnetId: tiny.id, count: 1 }), "InsufficientFreeAddressesInSubnet");
});

test("a user's ENI is available until attached; in-use and AWS-managed ENIs cannot be deleted", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const eni = createNetworkInterface(ctx, { subnetId: subnetA, description: "spare", privateIpAddress: "10.0.1.20" });
  assert.equal(eni.status, "available");
  assert.deepEqual(eni.groupIds, [ctx.world.vpcs.get(vpcId)!.defaultSecurityGroupId]);
  rejects(ctx, () => createNetworkInterface(ctx, { subnetId: subnetA, privateIpAddress: "10.0.1.20" }), "InvalidIPAddress.InUse");
  const [inst] = runInstances(ctx, { subnetId: subnetA });
  rejects(ctx, () => deleteNetworkInterface(ctx, inst!.networkInterfaceId), "InvalidParameterValue", `Network interface '${inst!.networkInterfaceId}' is currently in use.`);
  const ep = createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.sts", vpcEndpointType: "Interface", subnetIds: [subnetA] });
  rejects(ctx, () => deleteNetworkInterface(ctx, ep.networkInterfaceIds[0]!), "InvalidParameterValue");
  deleteNetworkInterface(ctx, eni.id);
  assert.ok(!ctx.world.networkInterfaces.has(eni.id));
  // Its address is free again.
  assert.equal(createNetworkInterface(ctx, { subnetId: subnetA, privateIpAddress: "10.0.1.20" }).privateIpAddress, "10.0.1.20");
});
