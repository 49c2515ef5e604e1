import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptVpcPeeringConnection, createVpcPeeringConnection, deleteVpcPeeringConnection, getPeeringConnection, peeringSide, visiblePeeringConnections } from "../../src/control/peering.js";
import { createRoute, createRouteTable } from "../../src/control/routeTables.js";
import { createVpc, deleteVpc } from "../../src/control/vpcs.js";
import { freshCtx, rejects } from "../helpers.js";

test("peering: requested by one owner, accepted by the other, and failed when the CIDRs overlap", () => {
  const ctx = freshCtx();
  const peerCtx = { ...ctx, account: "222222222222" };
  const a = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const b = createVpc(peerCtx, { cidrBlock: "10.1.0.0/16" });
  const c = createVpc(peerCtx, { cidrBlock: "10.0.128.0/17" });
  // Without --peer-owner-id, another account's VPC does not exist for the requester.
  rejects(ctx, () => createVpcPeeringConnection(ctx, { vpcId: a.id, peerVpcId: b.id }), "InvalidVpcID.NotFound", `The vpc ID '${b.id}' does not exist`);
  const pcx = createVpcPeeringConnection(ctx, { vpcId: a.id, peerVpcId: b.id, peerOwnerId: "222222222222" });
  assert.equal(pcx.status, "pending-acceptance");
  rejects(ctx, () => acceptVpcPeeringConnection(ctx, pcx.id), "InvalidVpcPeeringConnectionID.NotFound");
  assert.equal(acceptVpcPeeringConnection(peerCtx, pcx.id).status, "active");
  const failed = createVpcPeeringConnection(ctx, { vpcId: a.id, peerVpcId: c.id, peerOwnerId: "222222222222" });
  assert.equal(failed.status, "failed");
  assert.match(failed.statusMessage!, /Overlapping CIDRs/);
  rejects(peerCtx, () => acceptVpcPeeringConnection(peerCtx, failed.id), "InvalidStateTransition");
  const rtb = createRouteTable(ctx, { vpcId: a.id });
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "10.1.0.0/16", vpcPeeringConnectionId: pcx.id });
  deleteVpcPeeringConnection(peerCtx, pcx.id);
  assert.equal(ctx.world.routeTables.get(rtb.id)!.routes.at(-1)!.state, "blackhole");
});

test("peering: the accepter routes through the requester's connection, a third account cannot see it", () => {
  const ctx = freshCtx();
  const peerCtx = { ...ctx, account: "222222222222" };
  const stranger = { ...ctx, account: "333333333333" };
  const a = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const b = createVpc(peerCtx, { cidrBlock: "10.1.0.0/16" });
  const pcx = createVpcPeeringConnection(ctx, { vpcId: a.id, peerVpcId: b.id, peerOwnerId: "222222222222" });
  assert.equal(peeringSide(ctx, pcx), "requester");
  assert.equal(peeringSide(peerCtx, pcx), "accepter");
  assert.deepEqual(visiblePeeringConnections(peerCtx).map((p) => p.id), [pcx.id]);
  assert.deepEqual(visiblePeeringConnections(stranger), []);
  assert.deepEqual(visiblePeeringConnections({ ...ctx, region: "us-east-1" }), [], "only in each side's own Region");
  rejects(stranger, () => getPeeringConnection(stranger, pcx.id), "InvalidVpcPeeringConnectionID.NotFound");
  rejects(stranger, () => deleteVpcPeeringConnection(stranger, pcx.id), "InvalidVpcPeeringConnectionID.NotFound");
  acceptVpcPeeringConnection(peerCtx, pcx.id);
  createRoute(peerCtx, { routeTableId: b.mainRouteTableId, destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: pcx.id });
  assert.equal(peerCtx.world.routeTables.get(b.mainRouteTableId)!.routes.at(-1)!.vpcPeeringConnectionId, pcx.id);
  deleteVpcPeeringConnection(ctx, pcx.id);
  assert.equal(pcx.statusMessage, "Deleted by 111111111111");
});

test("one live peering connection between two VPCs at a time", () => {
  const ctx = freshCtx();
  const a = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const b = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  const first = createVpcPeeringConnection(ctx, { vpcId: a.id, peerVpcId: b.id });
  rejects(ctx, () => createVpcPeeringConnection(ctx, { vpcId: b.id, peerVpcId: a.id }), "VpcPeeringConnectionAlreadyExists");
  deleteVpcPeeringConnection(ctx, first.id);
  assert.equal(createVpcPeeringConnection(ctx, { vpcId: b.id, peerVpcId: a.id }).status, "pending-acceptance", "a deleted one no longer counts");
});

test("deleting a VPC deletes its pending peering requests, which can then not be accepted", () => {
  const ctx = freshCtx();
  const a = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const b = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  const pcx = createVpcPeeringConnection(ctx, { vpcId: a.id, peerVpcId: b.id });
  deleteVpc(ctx, a.id);
  assert.equal(getPeeringConnection(ctx, pcx.id).status, "deleted");
  assert.throws(() => acceptVpcPeeringConnection(ctx, pcx.id));
});
