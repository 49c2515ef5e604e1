import { test } from "node:test";
import assert from "node:assert/strict";
import { authorize, createSecurityGroup, deleteSecurityGroup, revoke, revokeRuleIds } from "../../src/control/securityGroups.js";
import { createNetworkAcl, createNetworkAclEntry, deleteNetworkAclEntry } from "../../src/control/networkAcls.js";
import { createVpc } from "../../src/control/vpcs.js";
import { freshCtx, rejects } from "../helpers.js";
import { acceptVpcPeeringConnection, createVpcPeeringConnection } from "../../src/control/peering.js";

test("security groups: duplicates, limits, references and the default group", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const sg = createSecurityGroup(ctx, { groupName: "web", description: "web", vpcId: vpc.id });
  assert.ok(sg.rules.some((r) => r.isEgress && r.cidrIpv4 === "0.0.0.0/0" && r.ipProtocol === "-1"), "new groups allow all egress");
  rejects(ctx, () => createSecurityGroup(ctx, { groupName: "web", description: "again", vpcId: vpc.id }), "InvalidGroup.Duplicate", `The security group 'web' already exists for VPC '${vpc.id}'`);
  authorize(ctx, sg.id, false, [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "0.0.0.0/0" }] }]);
  rejects(ctx, () => authorize(ctx, sg.id, false, [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "0.0.0.0/0" }] }]), "InvalidPermission.Duplicate", 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists');
  rejects(ctx, () => authorize(ctx, sg.id, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 70000, ipRanges: [{ cidrIp: "0.0.0.0/0" }] }]), "InvalidParameterValue");
  rejects(ctx, () => authorize(ctx, sg.id, false, [{ ipProtocol: "gre", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }]), "InvalidParameterValue");
  rejects(ctx, () => authorize(ctx, sg.id, true, [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: ["pl-00000000"] }]), "InvalidPrefixListID.NotFound");
  const many = Array.from({ length: 60 }, (_, i) => ({ ipProtocol: "tcp", fromPort: 1000 + i, toPort: 1000 + i, ipRanges: [{ cidrIp: "10.0.0.0/16" }] }));
  rejects(ctx, () => authorize(ctx, sg.id, false, many), "RulesPerSecurityGroupLimitExceeded");
  const app = createSecurityGroup(ctx, { groupName: "app", description: "app", vpcId: vpc.id });
  authorize(ctx, app.id, false, [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, groupIds: [sg.id] }]);
  rejects(ctx, () => deleteSecurityGroup(ctx, sg.id), "DependencyViolation", `resource ${sg.id} has a dependent object`);
  rejects(ctx, () => deleteSecurityGroup(ctx, vpc.defaultSecurityGroupId), "CannotDelete");
  rejects(ctx, () => revoke(ctx, app.id, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, groupIds: [sg.id] }]), "InvalidPermission.NotFound");
  revoke(ctx, app.id, false, [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, groupIds: [sg.id] }]);
  deleteSecurityGroup(ctx, sg.id);
  assert.ok(!ctx.world.securityGroups.has(sg.id));
});

test("network ACL entries: numbering, duplicates, ports", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const acl = createNetworkAcl(ctx, { vpcId: vpc.id });
  assert.deepEqual(acl.entries.map((e) => [e.ruleNumber, e.ruleAction]), [[32767, "deny"], [32767, "deny"]], "a new ACL denies everything");
  const entry = { networkAclId: acl.id, ruleNumber: 100, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "0.0.0.0/0", portRange: { from: 443, to: 443 } };
  createNetworkAclEntry(ctx, entry);
  rejects(ctx, () => createNetworkAclEntry(ctx, entry), "NetworkAclEntryAlreadyExists", "The network acl entry identified by 100 already exists.");
  rejects(ctx, () => createNetworkAclEntry(ctx, { ...entry, ruleNumber: 32767 }), "InvalidParameterValue");
  rejects(ctx, () => createNetworkAclEntry(ctx, { ...entry, ruleNumber: 0 }), "InvalidParameterValue");
  rejects(ctx, () => createNetworkAclEntry(ctx, { ...entry, ruleNumber: 110, portRange: undefined }), "MissingParameter");
  rejects(ctx, () => createNetworkAclEntry(ctx, { ...entry, ruleNumber: 110, cidrBlock: "10.0.0.1/8" }), "InvalidParameterValue");
  rejects(ctx, () => deleteNetworkAclEntry(ctx, { networkAclId: acl.id, ruleNumber: 200, egress: false }), "InvalidNetworkAclEntry.NotFound");
  createNetworkAclEntry(ctx, { ...entry, egress: true });
  assert.equal(ctx.world.networkAcls.get(acl.id)!.entries.length, 4);
});

test("security groups: names are case-insensitive, rule CIDRs are canonicalized, rules can be revoked by id", () => {
  const ctx = freshCtx();
  const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
  const sg = createSecurityGroup(ctx, { groupName: "Web", description: "web", vpcId: vpc.id });
  rejects(ctx, () => createSecurityGroup(ctx, { groupName: "WEB", description: "web", vpcId: vpc.id }), "InvalidGroup.Duplicate");
  rejects(ctx, () => createSecurityGroup(ctx, { groupName: "db", description: "caf\u00e9", vpcId: vpc.id }), "InvalidParameterValue", /beyond ASCII/);
  const [rule] = authorize(ctx, sg.id, false, [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "100.68.0.18/18" }] }]);
  assert.equal(rule!.cidrIpv4, "100.68.0.0/18");
  rejects(ctx, () => authorize(ctx, sg.id, false, [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: "100.68.0.0/18" }] }]), "InvalidPermission.Duplicate");
  rejects(ctx, () => authorize(ctx, sg.id, false, [{ ipProtocol: "icmp", fromPort: -1, toPort: 3, ipRanges: [{ cidrIp: "10.0.0.0/8" }] }]), "InvalidParameterValue");
  const [described] = authorize(ctx, sg.id, false, [{ ipProtocol: "tcp", fromPort: 443, toPort: 443, groups: [{ groupId: sg.id, description: "self" }] }]);
  assert.equal(described!.description, "self");
  const egress = sg.rules.find((r) => r.isEgress)!;
  rejects(ctx, () => revokeRuleIds(ctx, sg.id, false, [egress.id]), "InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${egress.id}' does not exist`);
  rejects(ctx, () => revokeRuleIds(ctx, sg.id, false, ["sgr-x"]), "InvalidSecurityGroupRuleId.Malformed");
  assert.deepEqual(revokeRuleIds(ctx, sg.id, false, [rule!.id]).map((r) => r.id), [rule!.id]);
  assert.deepEqual(ctx.world.securityGroups.get(sg.id)!.rules.map((r) => r.id), [egress.id, described!.id]);
});

test("another account's group may be referenced, with its UserId, across an active peering only", () => {
  const a = freshCtx("ap-northeast-2", "111111111111");
  const b = { ...a, account: "222222222222" };
  const vpcA = createVpc(a, { cidrBlock: "10.0.0.0/16" });
  const vpcB = createVpc(b, { cidrBlock: "10.1.0.0/16" });
  const sgA = createSecurityGroup(a, { groupName: "app", description: "app", vpcId: vpcA.id });
  const sgB = createSecurityGroup(b, { groupName: "db", description: "db", vpcId: vpcB.id });
  const perm = { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, groups: [{ groupId: sgA.id, userId: "111111111111" }] };
  rejects(b, () => authorize(b, sgB.id, false, [perm]), "InvalidGroup.NotFound", /does not exist/);
  const pcx = createVpcPeeringConnection(b, { vpcId: vpcB.id, peerVpcId: vpcA.id, peerOwnerId: "111111111111" });
  rejects(b, () => authorize(b, sgB.id, false, [perm]), "InvalidGroup.NotFound", undefined);
  acceptVpcPeeringConnection(a, pcx.id);
  const [rule] = authorize(b, sgB.id, false, [perm]);
  assert.equal(rule!.referencedGroupId, sgA.id);
  rejects(b, () => authorize(b, sgB.id, false, [{ ...perm, groups: [{ groupId: sgA.id }] }]), "InvalidGroup.NotFound", undefined);
  rejects(b, () => authorize(b, sgB.id, false, [{ ...perm, groups: [{ groupId: sgA.id, userId: "333333333333" }] }]), "InvalidGroup.NotFound", undefined);
});
