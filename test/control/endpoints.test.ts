import { test } from "node:test";
import assert from "node:assert/strict";
import { createVpcEndpoint, deleteVpcEndpoints, DEFAULT_POLICY, modifyVpcEndpoint } from "../../src/control/endpoints.js";
import { createRouteTable } from "../../src/control/routeTables.js";
import { createSubnet } from "../../src/control/subnets.js";
import { createSecurityGroup } from "../../src/control/securityGroups.js";
import { runInstances } from "../../src/control/instances.js";
import { allocateAddress, createNatGateway } from "../../src/control/gateways.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

const S3 = "com.amazonaws.ap-northeast-2.s3";
const CFN = "com.amazonaws.ap-northeast-2.cloudformation";

test("a gateway endpoint routes its prefix list in each route table, and takes the routes with it", () => {
  const ctx = freshCtx();
  const { vpcId } = vpcWithSubnets(ctx);
  const rt1 = createRouteTable(ctx, { vpcId });
  const rt2 = createRouteTable(ctx, { vpcId });
  const ep = createVpcEndpoint(ctx, { vpcId, serviceName: S3, routeTableIds: [rt1.id] });
  assert.equal(ep.vpcEndpointType, "Gateway", "Gateway is the default type");
  assert.equal(ep.state, "available");
  assert.equal(ep.policyDocument, DEFAULT_POLICY.Gateway);
  assert.deepEqual(ctx.world.routeTables.get(rt1.id)!.routes.at(-1), { destinationPrefixListId: "pl-78a54011", gatewayId: ep.id, origin: "CreateRoute", state: "active" });
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: S3, routeTableIds: [rt1.id] }), "RouteAlreadyExists", `route table ${rt1.id} already has a route with destination-prefix-list-id pl-78a54011`);
  modifyVpcEndpoint(ctx, { vpcEndpointId: ep.id, addRouteTableIds: [rt2.id], removeRouteTableIds: [rt1.id] });
  assert.ok(!ctx.world.routeTables.get(rt1.id)!.routes.some((r) => r.gatewayId === ep.id));
  assert.ok(ctx.world.routeTables.get(rt2.id)!.routes.some((r) => r.gatewayId === ep.id));
  assert.deepEqual(deleteVpcEndpoints(ctx, [ep.id, "vpce-0123456789abcdef0", "vpce-x"]).map((u) => u.error.code), ["InvalidVpcEndpoint.NotFound", "InvalidVpcEndpointId.Malformed"]);
  assert.ok(!ctx.world.routeTables.get(rt2.id)!.routes.some((r) => r.gatewayId === ep.id));
});

test("CreateVpcEndpoint answers AWS's errors and changes nothing", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const rt = createRouteTable(ctx, { vpcId });
  const subnetA2 = createSubnet(ctx, { vpcId, cidrBlock: "10.0.3.0/24", availabilityZone: "ap-northeast-2a" }).id;
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId: "vpc-0123456789abcdef0", serviceName: S3 }), "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.nosuch" }), "InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.ap-northeast-2.nosuch' does not exist");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.us-east-1.s3" }), "InvalidServiceName", /does not exist/);
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA], routeTableIds: [rt.id] }), "InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint.");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA, subnetA2] }), "DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${subnetA2}`);
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Bogus" }), "InvalidVpcEndpointType");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Gateway", routeTableIds: [rt.id] }), "InvalidParameter");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: S3, routeTableIds: [rt.id], policyDocument: "{not json" }), "InvalidPolicyDocument");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: S3, routeTableIds: [rt.id], policyDocument: `{"Statement":[],"x":"${"a".repeat(20480)}"}` }), "InvalidPolicyDocument");
  ctx.world.vpcs.get(vpcId)!.enableDnsHostnames = false;
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA], privateDnsEnabled: true }), "InvalidParameter", `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpcId}`);
});

test("an interface endpoint gets one requester-managed ENI per subnet and regional, zonal and private DNS names", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const sg = createSecurityGroup(ctx, { groupName: "ep", description: "ep", vpcId });
  const created = createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA, subnetC], securityGroupIds: [sg.id], privateDnsEnabled: true });
  assert.equal(created.state, "pending", "the create response shows pending, as AWS's does");
  const ep = ctx.world.vpcEndpoints.get(created.id)!;
  assert.equal(ep.state, "available");
  assert.equal(ep.networkInterfaceIds.length, 2);
  for (const id of ep.networkInterfaceIds) {
    const eni = ctx.world.networkInterfaces.get(id)!;
    assert.equal(eni.interfaceType, "vpc_endpoint");
    assert.equal(eni.requesterManaged, true);
    assert.equal(eni.description, `VPC Endpoint Interface ${ep.id}`);
    assert.deepEqual(eni.groupIds, [sg.id]);
  }
  const names = ep.dnsEntries.map((d) => d.dnsName);
  assert.match(names[0]!, new RegExp(`^${ep.id}-[a-z0-9]{8}\\.cloudformation\\.ap-northeast-2\\.vpce\\.amazonaws\\.com$`));
  assert.ok(names.some((n) => n.includes("-ap-northeast-2a.cloudformation.")));
  assert.ok(names.some((n) => n.includes("-ap-northeast-2c.cloudformation.")));
  assert.equal(names.at(-1), "cloudformation.ap-northeast-2.amazonaws.com");
  assert.equal(ep.dnsEntries[0]!.hostedZoneId, "Z27UANNT0PRK1T");
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA], privateDnsEnabled: true }), "InvalidParameter", `private-dns-enabled cannot be set because there is already a conflicting DNS domain for cloudformation.ap-northeast-2.amazonaws.com in the VPC ${vpcId}`);
  const def = createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.sts", vpcEndpointType: "Interface", subnetIds: [subnetA] });
  assert.deepEqual(def.groupIds, [ctx.world.vpcs.get(vpcId)!.defaultSecurityGroupId], "the VPC's default group when none is given");
  modifyVpcEndpoint(ctx, { vpcEndpointId: ep.id, removeSubnetIds: [subnetC], privateDnsEnabled: false });
  assert.equal(ctx.world.vpcEndpoints.get(ep.id)!.networkInterfaceIds.length, 1);
  assert.ok(!ctx.world.vpcEndpoints.get(ep.id)!.dnsEntries.some((d) => d.dnsName === "cloudformation.ap-northeast-2.amazonaws.com"));
  rejects(ctx, () => modifyVpcEndpoint(ctx, { vpcEndpointId: ep.id, removeSecurityGroupIds: [sg.id] }), "InvalidParameter");
  const enis = ctx.world.networkInterfaces.size;
  deleteVpcEndpoints(ctx, [ep.id]);
  assert.equal(ctx.world.networkInterfaces.size, enis - 1, "its ENIs go with it");
});

test("quotas: 50 interface endpoints per VPC", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  for (let i = 0; i < 50; i++) createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA] });
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: CFN, vpcEndpointType: "Interface", subnetIds: [subnetA] }), "VpcEndpointLimitExceeded");
});

test("a full subnet is refused before anything changes (endpoint create and modify, NAT gateway)", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const full = createSubnet(ctx, { vpcId, cidrBlock: "10.0.9.0/28", availabilityZone: "ap-northeast-2b" }).id;
  runInstances(ctx, { subnetId: full, count: 11 });
  rejects(ctx, () => createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.sts", vpcEndpointType: "Interface", subnetIds: [subnetA, full] }), "InsufficientFreeAddressesInSubnet");
  const eip = allocateAddress(ctx);
  rejects(ctx, () => createNatGateway(ctx, { subnetId: full, allocationId: eip.id }), "InsufficientFreeAddressesInSubnet");
  const ep = createVpcEndpoint(ctx, { vpcId, serviceName: "com.amazonaws.ap-northeast-2.ec2", vpcEndpointType: "Interface", subnetIds: [subnetA] });
  rejects(ctx, () => modifyVpcEndpoint(ctx, { vpcEndpointId: ep.id, removeSubnetIds: [subnetA], addSubnetIds: [full] }), "InsufficientFreeAddressesInSubnet");
  assert.deepEqual(ctx.world.vpcEndpoints.get(ep.id)!.subnetIds, [subnetA]);
});
