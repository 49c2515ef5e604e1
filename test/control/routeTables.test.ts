import { test } from "node:test";
import assert from "node:assert/strict";
import { associateRouteTable, createRoute, createRouteTable, deleteRoute, deleteRouteTable, disassociateRouteTable } from "../../src/control/routeTables.js";
import { attachInternetGateway, createInternetGateway } from "../../src/control/gateways.js";
import { createVpc } from "../../src/control/vpcs.js";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

test("routes: duplicates, foreign gateways, the local route and endpoint routes are refused as on AWS", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const rtb = createRouteTable(ctx, { vpcId });
  const igw = createInternetGateway(ctx);
  rejects(ctx, () => createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }), "InvalidParameterValue", `route table ${rtb.id} and network gateway ${igw.id} belong to different networks`);
  // GatewayId takes only internet and virtual private gateways; AWS answers anything else as an unknown gateway.
  rejects(ctx, () => createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: "nat-0123456789abcdef0" }), "InvalidGatewayID.NotFound", "The gateway ID 'nat-0123456789abcdef0' does not exist");
  rejects(ctx, () => createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0123456789abcdef0" }), "InvalidGatewayID.NotFound");
  attachInternetGateway(ctx, igw.id, vpcId);
  createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
  rejects(ctx, () => createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }), "RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.");
  rejects(ctx, () => createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "10.0.5.0/24", gatewayId: igw.id }), "InvalidParameterValue", /equal to or more specific than one of this VPC's CIDR blocks/);
  rejects(ctx, () => deleteRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "10.0.0.0/16" }), "InvalidParameterValue", `cannot remove local route 10.0.0.0/16 in route table ${rtb.id}`);
  rejects(ctx, () => deleteRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "192.168.0.0/16" }), "InvalidRoute.NotFound");
  const ep = createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.s3", routeTableIds: [rtb.id] });
  rejects(ctx, () => createRoute(ctx, { routeTableId: rtb.id, destinationCidrBlock: "52.0.0.0/8", gatewayId: ep.id }), "InvalidParameterValue", /managed by the endpoint/);
  rejects(ctx, () => deleteRoute(ctx, { routeTableId: rtb.id, destinationPrefixListId: "pl-78a54011" }), "InvalidParameterValue", /belongs to VPC endpoint/);
  const assoc = associateRouteTable(ctx, { routeTableId: rtb.id, subnetId: subnetA });
  rejects(ctx, () => associateRouteTable(ctx, { routeTableId: rtb.id, subnetId: subnetA }), "Resource.AlreadyAssociated");
  rejects(ctx, () => deleteRouteTable(ctx, rtb.id), "DependencyViolation", `The routeTable '${rtb.id}' has dependencies and cannot be deleted.`);
  const otherVpc = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  rejects(ctx, () => associateRouteTable(ctx, { routeTableId: otherVpc.mainRouteTableId, subnetId: subnetA }), "InvalidParameterValue", /belong to different networks/);
  disassociateRouteTable(ctx, assoc);
  assert.equal(ctx.world.routeTables.get(rtb.id)!.associations.length, 0);
});

test("attaching an internet gateway twice, or a second one to a VPC, fails", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const vpc2 = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  const igw = createInternetGateway(ctx);
  const igw2 = createInternetGateway(ctx);
  attachInternetGateway(ctx, igw.id, vpc.id);
  rejects(ctx, () => attachInternetGateway(ctx, igw.id, vpc2.id), "Resource.AlreadyAssociated", `resource ${igw.id} is already attached to network ${vpc.id}`);
  rejects(ctx, () => attachInternetGateway(ctx, igw2.id, vpc.id), "InvalidParameterValue", `Network ${vpc.id} already has an internet gateway attached`);
});
