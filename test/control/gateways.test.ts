import { test } from "node:test";
import assert from "node:assert/strict";
import { allocateAddress, attachInternetGateway, createInternetGateway, createNatGateway, deleteInternetGateway, deleteNatGateway, detachInternetGateway, releaseAddress } from "../../src/control/gateways.js";
import { modifyNetworkInterface, runInstances, terminateInstances } from "../../src/control/instances.js";
import { createRoute, createRouteTable, replaceRoute } from "../../src/control/routeTables.js";
import { createNetworkInterface, deleteNetworkInterface } from "../../src/control/networkInterfaces.js";
import { acceptVpcPeeringConnection, createVpcPeeringConnection, deleteVpcPeeringConnection } from "../../src/control/peering.js";
import { createVpc } from "../../src/control/vpcs.js";
import type { Route } from "../../src/model/types.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

test("a public NAT gateway needs an Elastic IP, takes an ENI in its subnet, and leaves blackholes when deleted", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  rejects(ctx, () => createNatGateway(ctx, { subnetId: subnetA }), "MissingParameter");
  rejects(ctx, () => createNatGateway(ctx, { subnetId: subnetA, allocationId: "eipalloc-0123456789abcdef0" }), "InvalidAllocationID.NotFound");
  const eip = allocateAddress(ctx);
  const nat = createNatGateway(ctx, { subnetId: subnetA, allocationId: eip.id });
  assert.equal(nat.state, "available");
  assert.equal(nat.publicIp, eip.publicIp);
  const eni = ctx.world.networkInterfaces.get(nat.networkInterfaceId)!;
  assert.equal(eni.interfaceType, "nat_gateway");
  assert.equal(eni.subnetId, subnetA);
  rejects(ctx, () => createNatGateway(ctx, { subnetId: subnetA, allocationId: eip.id }), "Resource.AlreadyAssociated");
  rejects(ctx, () => releaseAddress(ctx, eip.id), "InvalidIPAddress.InUse");
  rejects(ctx, () => modifyNetworkInterface(ctx, eni.id, { sourceDestCheck: true }), "OperationNotPermitted");
  const rtb = createRouteTable(ctx, { vpcId });
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
  deleteNatGateway(ctx, nat.id);
  assert.equal(ctx.world.natGateways.get(nat.id)!.state, "deleted");
  assert.ok(!ctx.world.networkInterfaces.has(eni.id));
  assert.equal(ctx.world.routeTables.get(rtb.id)!.routes.find((r) => r.natGatewayId === nat.id)!.state, "blackhole");
  releaseAddress(ctx, eip.id);
  assert.ok(!ctx.world.elasticIps.has(eip.id));
});

test("an internet gateway cannot be detached while public addresses are mapped, nor deleted while attached", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const igw = createInternetGateway(ctx);
  attachInternetGateway(ctx, igw.id, vpcId);
  const [inst] = runInstances(ctx, { subnetId: subnetA, associatePublicIpAddress: true });
  assert.match(inst!.publicIpAddress!, /^\d+\.\d+\.\d+\.\d+$/);
  rejects(ctx, () => detachInternetGateway(ctx, igw.id, vpcId), "DependencyViolation", /mapped public address/);
  rejects(ctx, () => deleteInternetGateway(ctx, igw.id), "DependencyViolation");
  terminateInstances(ctx, [inst!.id]);
  detachInternetGateway(ctx, igw.id, vpcId);
  deleteInternetGateway(ctx, igw.id);
  assert.equal(ctx.world.internetGateways.size, 0);
});

test("terminating an instance frees its address and turns routes through it into blackholes", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const [appliance] = runInstances(ctx, { subnetId: subnetA, privateIpAddress: "10.0.1.50" });
  const rtb = createRouteTable(ctx, { vpcId });
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", instanceId: appliance!.id });
  terminateInstances(ctx, [appliance!.id]);
  assert.equal(ctx.world.instances.get(appliance!.id)!.state, "terminated", "still visible, as on AWS");
  assert.equal(ctx.world.routeTables.get(rtb.id)!.routes.at(-1)!.state, "blackhole");
  const [next] = runInstances(ctx, { subnetId: subnetA, privateIpAddress: "10.0.1.50" });
  assert.equal(next!.privateIpAddress, "10.0.1.50", "the address is free again");
});

test("a NAT gateway takes a requested private address, checked like any other before anything changes", () => {
  const ctx = freshCtx();
  const { subnetA } = vpcWithSubnets(ctx);
  rejects(ctx, () => createNatGateway(ctx, { subnetId: subnetA, connectivityType: "private", privateIpAddress: "10.0.1.2" }), "InvalidParameterValue", /reserved/);
  rejects(ctx, () => createNatGateway(ctx, { subnetId: subnetA, connectivityType: "private", privateIpAddress: "10.0.9.9" }), "InvalidParameterValue");
  const nat = createNatGateway(ctx, { subnetId: subnetA, connectivityType: "private", privateIpAddress: "10.0.1.50" });
  assert.equal(nat.privateIp, "10.0.1.50");
  assert.equal(ctx.world.networkInterfaces.get(nat.networkInterfaceId)!.privateIpAddress, "10.0.1.50");
  rejects(ctx, () => createNatGateway(ctx, { subnetId: subnetA, connectivityType: "private", privateIpAddress: "10.0.1.50" }), "InvalidIPAddress.InUse");
});

test("routes to a gateway, ENI or peering connection that goes away become blackholes, and come back with the gateway", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const igw = createInternetGateway(ctx);
  attachInternetGateway(ctx, igw.id, vpcId);
  const rtb = createRouteTable(ctx, { vpcId });
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
  const eni = createNetworkInterface(ctx, { subnetId: subnetA });
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "192.168.0.0/16", networkInterfaceId: eni.id });
  const state = (pick: (r: Route) => boolean): string | undefined => ctx.world.routeTables.get(rtb.id)!.routes.find(pick)?.state;

  detachInternetGateway(ctx, igw.id, vpcId);
  assert.equal(state((r) => r.gatewayId === igw.id), "blackhole", "the gateway isn't attached to the VPC");
  attachInternetGateway(ctx, igw.id, vpcId);
  assert.equal(state((r) => r.gatewayId === igw.id), "active");
  deleteNetworkInterface(ctx, eni.id);
  assert.equal(state((r) => r.networkInterfaceId === eni.id), "blackhole");

  const other = createVpc(ctx, { cidrBlock: "10.9.0.0/16" });
  const pcx = createVpcPeeringConnection(ctx, { vpcId, peerVpcId: other.id });
  acceptVpcPeeringConnection(ctx, pcx.id);
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "10.9.0.0/16", vpcPeeringConnectionId: pcx.id });
  deleteVpcPeeringConnection(ctx, pcx.id);
  assert.equal(state((r) => r.vpcPeeringConnectionId === pcx.id), "blackhole");
  rejects(ctx, () => replaceRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "10.9.0.0/16", vpcPeeringConnectionId: pcx.id }), "InvalidVpcPeeringConnectionID.NotFound");
});
