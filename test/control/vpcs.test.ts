import { test } from "node:test";
import assert from "node:assert/strict";
import { createVpc, deleteVpc, modifyVpcAttribute } from "../../src/control/vpcs.js";
import { createSubnet, deleteSubnet } from "../../src/control/subnets.js";
import { runInstances } from "../../src/control/instances.js";
import { freshCtx, rejects } from "../helpers.js";

test("a new VPC comes with AWS's main route table, default ACL and default security group", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  assert.match(vpc.id, /^vpc-[0-9a-f]{17}$/);
  assert.equal(vpc.enableDnsSupport, true);
  assert.equal(vpc.enableDnsHostnames, false);
  const rtb = ctx.world.routeTables.get(vpc.mainRouteTableId)!;
  assert.deepEqual(rtb.routes, [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable", state: "active" }]);
  assert.ok(rtb.associations.some((a) => a.main));
  const acl = ctx.world.networkAcls.get(vpc.defaultNetworkAclId)!;
  assert.deepEqual(acl.entries.map((e) => `${e.egress ? "out" : "in"} ${e.ruleNumber} ${e.ruleAction}`).sort(), ["in 100 allow", "in 32767 deny", "out 100 allow", "out 32767 deny"]);
  const sg = ctx.world.securityGroups.get(vpc.defaultSecurityGroupId)!;
  assert.equal(sg.groupName, "default");
  assert.ok(sg.rules.some((r) => !r.isEgress && r.referencedGroupId === sg.id), "ingress from itself");
  assert.ok(sg.rules.some((r) => r.isEgress && r.cidrIpv4 === "0.0.0.0/0"), "egress to anywhere");
});

test("CreateVpc validates the CIDR like EC2", () => {
  const ctx = freshCtx();
  rejects(ctx, () => createVpc(ctx, { cidrBlock: "10.0.0.0/8" }), "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.");
  rejects(ctx, () => createVpc(ctx, { cidrBlock: "10.0.0.0/29" }), "InvalidVpc.Range");
  rejects(ctx, () => createVpc(ctx, { cidrBlock: "10.0.0.300/16" }), "InvalidParameterValue", "Value (10.0.0.300/16) for parameter cidrBlock is invalid. This is not a valid CIDR block.");
  rejects(ctx, () => createVpc(ctx, { cidrBlock: "10.0.1.0/16" }), "InvalidParameterValue");
});

test("DeleteVpc refuses while the VPC has dependencies, then succeeds", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const subnet = createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
  rejects(ctx, () => deleteVpc(ctx, vpc.id), "DependencyViolation", `The vpc '${vpc.id}' has dependencies and cannot be deleted.`);
  deleteSubnet(ctx, subnet.id);
  deleteVpc(ctx, vpc.id);
  assert.equal(ctx.world.vpcs.size, 0);
  assert.equal(ctx.world.routeTables.size, 0);
  assert.equal(ctx.world.securityGroups.size, 0);
});

test("ids are checked for format before existence, and other accounts' VPCs do not exist", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  rejects(ctx, () => modifyVpcAttribute(ctx, "vpc-1", "enableDnsHostnames", true), "InvalidVpcID.Malformed");
  rejects(ctx, () => modifyVpcAttribute(ctx, "vpc-0123456789abcdef0", "enableDnsHostnames", true), "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist");
  const other = { ...ctx, account: "222222222222" };
  rejects(other, () => modifyVpcAttribute(other, vpc.id, "enableDnsHostnames", true), "InvalidVpcID.NotFound");
});

test("subnets: inside the VPC, no overlap, known AZ; addresses skip AWS's reserved five", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  rejects(ctx, () => createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.1.0.0/24" }), "InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid.");
  rejects(ctx, () => createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.0.0/29" }), "InvalidSubnet.Range");
  const s = createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24", availabilityZone: "ap-northeast-2c" });
  assert.equal(s.availabilityZoneId, "apne2-az3");
  rejects(ctx, () => createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.1.128/25" }), "InvalidSubnet.Conflict", "The CIDR '10.0.1.128/25' conflicts with another subnet");
  rejects(ctx, () => createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.2.0/24", availabilityZone: "us-east-1a" }), "InvalidParameterValue", /Subnets can currently only be created in the following availability zones: ap-northeast-2a, ap-northeast-2b/);
  const [first] = runInstances(ctx, { subnetId: s.id });
  assert.equal(first!.privateIpAddress, "10.0.1.4");
  rejects(ctx, () => runInstances(ctx, { subnetId: s.id, privateIpAddress: "10.0.1.4" }), "InvalidIPAddress.InUse", "Address 10.0.1.4 is in use.");
  rejects(ctx, () => runInstances(ctx, { subnetId: s.id, privateIpAddress: "10.0.9.9" }), "InvalidParameterValue", "Address 10.0.9.9 does not fall within the subnet's address range");
  rejects(ctx, () => runInstances(ctx, { subnetId: s.id, privateIpAddress: "10.0.1.255" }), "InvalidParameterValue", /reserved/);
  rejects(ctx, () => runInstances(ctx, { subnetId: s.id, count: 300 }), "InsufficientFreeAddressesInSubnet");
});
