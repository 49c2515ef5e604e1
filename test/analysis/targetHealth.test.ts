// Target health from the network: unused while no load balancer uses the group or the target's
// zone is not enabled, InvalidState for a stopped instance, FailedHealthChecks for each filter
// that stops the nodes' checks or a real backend known down, healthy otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { targetHealth } from "../../src/analysis/targetHealth.js";
import { runInstances } from "../../src/control/instances.js";
import { createListener } from "../../src/control/listeners.js";
import { createLoadBalancer } from "../../src/control/loadBalancers.js";
import { createNetworkAclEntry, createNetworkAcl, replaceNetworkAclAssociation } from "../../src/control/networkAcls.js";
import { authorize, createSecurityGroup, revokeRuleIds } from "../../src/control/securityGroups.js";
import { createSubnet } from "../../src/control/subnets.js";
import { createTargetGroup, registerTargets } from "../../src/control/targetGroups.js";
import type { Ctx } from "../../src/control/context.js";
import { freshCtx, vpcWithSubnets } from "../helpers.js";

/** An internal NLB in subnet a only; a TCP:80 group with one instance in a and one in c, both in a new group "web". */
function setup(ctx: Ctx): { vpcId: string; subnetA: string; subnetC: string; web: string; inA: string; inC: string; tgId: string; lbId: string } {
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const web = createSecurityGroup(ctx, { groupName: "web", description: "web", vpcId }).id;
  const inA = runInstances(ctx, { subnetId: subnetA, securityGroupIds: [web] })[0]!.id;
  const inC = runInstances(ctx, { subnetId: subnetC, securityGroupIds: [web] })[0]!.id;
  const tg = createTargetGroup(ctx, { name: "web", protocol: "TCP", port: 80, vpcId });
  registerTargets(ctx, tg.id, [{ id: inA }, { id: inC }]);
  const lb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA] });
  return { vpcId, subnetA, subnetC, web, inA, inC, tgId: tg.id, lbId: lb.id };
}

function health(ctx: Ctx, tgId: string, id: string, backend?: (a: string) => boolean | undefined): ReturnType<typeof targetHealth> {
  const tg = ctx.world.targetGroups.get(tgId)!;
  return targetHealth(ctx.world, tg, tg.targets.find((t) => t.id === id) ?? { id, port: tg.port }, backend);
}

test("unused until a listener forwards to the group; then the security group must admit the nodes", () => {
  const ctx = freshCtx();
  const s = setup(ctx);
  assert.deepEqual(health(ctx, s.tgId, s.inA), { healthCheckPort: "80", availabilityZone: "ap-northeast-2a", state: "unused", reason: "Target.NotInUse", description: "Target group is not configured to receive traffic from the load balancer" });
  createListener(ctx, { loadBalancerArn: s.lbId, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: s.tgId }] });
  // The target in 2c: the load balancer has no node there.
  assert.equal(health(ctx, s.tgId, s.inC).reason, "Target.NotInUse");
  assert.match(health(ctx, s.tgId, s.inC).description!, /Availability Zone that is not enabled/);
  // A new group admits nothing inbound: the node's checks fail.
  const h = health(ctx, s.tgId, s.inA);
  assert.equal(h.state, "unhealthy");
  assert.equal(h.reason, "Target.FailedHealthChecks");
  assert.equal(h.loadBalancerArn, s.lbId);
  assert.deepEqual(h.failures!.map((f) => f.kind), ["target-security-group"]);
  assert.match(h.description!, /do not allow inbound TCP 80 from the load balancer node 10\.0\.1\.\d+/);
  authorize(ctx, s.web, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: "10.0.0.0/16" }] }]);
  assert.deepEqual(health(ctx, s.tgId, s.inA), { healthCheckPort: "80", availabilityZone: "ap-northeast-2a", loadBalancerArn: s.lbId, state: "healthy" });
  assert.equal(health(ctx, s.tgId, "i-0123456789abcdef0").reason, "Target.NotRegistered");
  // A stopped instance is unused, whatever the network says.
  ctx.world.instances.get(s.inA)!.state = "stopped";
  assert.deepEqual([health(ctx, s.tgId, s.inA).state, health(ctx, s.tgId, s.inA).reason, health(ctx, s.tgId, s.inA).description], ["unused", "Target.InvalidState", "Target is in the stopped state"]);
});

test("network ACLs between the node's subnet and the target's, both ways; a node in the target's own subnet passes no ACL", () => {
  const ctx = freshCtx();
  const s = setup(ctx);
  authorize(ctx, s.web, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: "10.0.0.0/16" }] }]);
  createListener(ctx, { loadBalancerArn: s.lbId, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: s.tgId }] });
  // Subnet a gets an ACL that admits TCP 80 inbound and nothing else.
  const acl = createNetworkAcl(ctx, { vpcId: s.vpcId });
  createNetworkAclEntry(ctx, { networkAclId: acl.id, ruleNumber: 100, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "10.0.0.0/16", portRange: { from: 80, to: 80 } });
  const assoc = ctx.world.networkAcls.get(ctx.world.vpcs.get(s.vpcId)!.defaultNetworkAclId)!.associations.find((a) => a.subnetId === s.subnetA)!;
  replaceNetworkAclAssociation(ctx, assoc.id, acl.id);
  // Node and target share subnet a: the ACL is not crossed.
  assert.equal(health(ctx, s.tgId, s.inA).state, "healthy");
  // A target in another subnet of 2a, checked from the node in a: a's ACL blocks the check outbound and the replies inbound.
  const inA2 = runInstances(ctx, { subnetId: createSubnet(ctx, { vpcId: s.vpcId, cidrBlock: "10.0.9.0/24", availabilityZone: "ap-northeast-2a" }).id, securityGroupIds: [s.web] })[0]!.id;
  registerTargets(ctx, s.tgId, [{ id: inA2 }]);
  const h = health(ctx, s.tgId, inA2);
  assert.equal(h.state, "unhealthy");
  assert.deepEqual(h.failures!.map((f) => [f.kind, f.componentId]), [["network-acl", acl.id], ["network-acl", acl.id]]);
  assert.match(h.failures![0]!.description, /does not allow outbound TCP 80/);
  assert.match(h.failures![1]!.description, /does not allow inbound replies/);
  createNetworkAclEntry(ctx, { networkAclId: acl.id, ruleNumber: 100, egress: true, protocol: "-1", ruleAction: "allow", cidrBlock: "0.0.0.0/0" });
  createNetworkAclEntry(ctx, { networkAclId: acl.id, ruleNumber: 110, egress: false, protocol: "tcp", ruleAction: "allow", cidrBlock: "10.0.0.0/16", portRange: { from: 1024, to: 65535 } });
  assert.equal(health(ctx, s.tgId, inA2).state, "healthy");
});

test("an NLB with security groups: targets may admit its group, and its own egress must allow the checks", () => {
  const ctx = freshCtx();
  const s = setup(ctx);
  const sg = createSecurityGroup(ctx, { groupName: "nlb", description: "nlb", vpcId: s.vpcId }).id;
  const lb = createLoadBalancer(ctx, { name: "sg", type: "network", scheme: "internal", subnetIds: [s.subnetA], securityGroupIds: [sg] });
  const tg = createTargetGroup(ctx, { name: "sg", protocol: "TCP", port: 80, vpcId: s.vpcId });
  registerTargets(ctx, tg.id, [{ id: s.inA }]);
  createListener(ctx, { loadBalancerArn: lb.id, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: tg.id }] });
  authorize(ctx, s.web, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, groupIds: [sg] }]);
  assert.equal(health(ctx, tg.id, s.inA).state, "healthy");
  const egress = ctx.world.securityGroups.get(sg)!.rules.filter((r) => r.isEgress).map((r) => r.id);
  revokeRuleIds(ctx, sg, true, egress);
  const h = health(ctx, tg.id, s.inA);
  assert.deepEqual(h.failures!.map((f) => [f.kind, f.componentId]), [["load-balancer-security-group", sg]]);
});

test("a real backend known down fails the checks; unknown does not; ip targets with no host, or outside the VPC", () => {
  const ctx = freshCtx();
  const s = setup(ctx);
  authorize(ctx, s.web, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: "10.0.0.0/16" }] }]);
  createListener(ctx, { loadBalancerArn: s.lbId, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: s.tgId }] });
  ctx.world.instances.get(s.inA)!.tags.push({ key: "vpclab:backend", value: "127.0.0.1:18080" });
  assert.equal(health(ctx, s.tgId, s.inA, () => undefined).state, "healthy");
  assert.equal(health(ctx, s.tgId, s.inA, (a) => a === "127.0.0.1:18080").state, "healthy");
  const down = health(ctx, s.tgId, s.inA, (a) => (a === "127.0.0.1:18080" ? false : undefined));
  assert.deepEqual([down.state, down.failures!.map((f) => f.kind)], ["unhealthy", ["backend-down"]]);
  assert.match(down.description!, /127\.0\.0\.1:18080/);

  const ips = createTargetGroup(ctx, { name: "ips", protocol: "TCP", port: 80, vpcId: s.vpcId, targetType: "ip" });
  const addr = ctx.world.instances.get(s.inA)!.privateIpAddress;
  registerTargets(ctx, ips.id, [{ id: addr }, { id: "10.0.1.250" }, { id: "172.16.0.9", availabilityZone: "all" }]);
  const lb2 = createLoadBalancer(ctx, { name: "ips", type: "network", scheme: "internal", subnetIds: [s.subnetA] });
  createListener(ctx, { loadBalancerArn: lb2.id, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: ips.id }] });
  assert.equal(health(ctx, ips.id, addr).state, "healthy");
  assert.deepEqual(health(ctx, ips.id, "10.0.1.250").failures!.map((f) => f.kind), ["no-host"]);
  assert.deepEqual([health(ctx, ips.id, "172.16.0.9").state, health(ctx, ips.id, "172.16.0.9").availabilityZone], ["healthy", "all"]);
});

test("a gateway load balancer checks its appliances on TCP 80 by default", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const sg = createSecurityGroup(ctx, { groupName: "fw", description: "fw", vpcId }).id;
  const appliance = runInstances(ctx, { subnetId: subnetA, securityGroupIds: [sg] })[0]!.id;
  const tg = createTargetGroup(ctx, { name: "fw", protocol: "GENEVE", port: 6081, vpcId });
  registerTargets(ctx, tg.id, [{ id: appliance }]);
  const lb = createLoadBalancer(ctx, { name: "fw", type: "gateway", subnetIds: [subnetA] });
  createListener(ctx, { loadBalancerArn: lb.id, defaultActions: [{ type: "forward", targetGroupArn: tg.id }] });
  authorize(ctx, sg, false, [{ ipProtocol: "udp", fromPort: 6081, toPort: 6081, ipRanges: [{ cidrIp: "10.0.0.0/16" }] }]);
  const h = health(ctx, tg.id, appliance);
  assert.deepEqual([h.state, h.healthCheckPort], ["unhealthy", "80"]);
  authorize(ctx, sg, false, [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, ipRanges: [{ cidrIp: "10.0.1.0/24" }] }]);
  assert.equal(health(ctx, tg.id, appliance).state, "healthy");
});
