// Network and gateway load balancers in the control layer: creation with AWS's checks (each
// refusal changing nothing), node ENIs, deletion, attributes, subnets, security groups and tags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { addTags, describeTags, removeTags } from "../../src/control/elbv2Tags.js";
import { allocateAddress, attachInternetGateway, createInternetGateway } from "../../src/control/gateways.js";
import { createListener } from "../../src/control/listeners.js";
import { modifyLoadBalancerAttributes } from "../../src/control/loadBalancerAttributes.js";
import { setSecurityGroups, setSubnets } from "../../src/control/loadBalancerChanges.js";
import { createLoadBalancer, deleteLoadBalancer, getLoadBalancer } from "../../src/control/loadBalancers.js";
import { createSecurityGroup } from "../../src/control/securityGroups.js";
import { createSubnet } from "../../src/control/subnets.js";
import { createTargetGroup } from "../../src/control/targetGroups.js";
import { createVpc } from "../../src/control/vpcs.js";
import type { VpcEndpointService } from "../../src/model/types.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

test("an internal NLB: ARN, DNS name, hosted zone, one requester-managed node ENI per subnet, AWS's default attributes", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const lb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA, subnetC] });
  assert.match(lb.id, /^arn:aws:elasticloadbalancing:ap-northeast-2:111111111111:loadbalancer\/net\/web\/[0-9a-f]{16}$/);
  assert.equal(lb.dnsName, `web-${lb.id.slice(-16)}.elb.ap-northeast-2.amazonaws.com`);
  assert.equal(lb.canonicalHostedZoneId, "ZIBE1TIR4HY56");
  assert.equal(lb.vpcId, vpcId);
  assert.equal(lb.state, "active");
  assert.deepEqual(lb.zones.map((z) => [z.zoneName, z.zoneId, z.subnetId]), [["ap-northeast-2a", "apne2-az1", subnetA], ["ap-northeast-2c", "apne2-az3", subnetC]]);
  for (const z of lb.zones) {
    const eni = ctx.world.networkInterfaces.get(z.networkInterfaceId)!;
    assert.equal(eni.interfaceType, "network_load_balancer");
    assert.equal(eni.description, `ELB net/web/${lb.id.slice(-16)}`);
    assert.equal(eni.requesterId, "amazon-elb");
    assert.equal(eni.requesterManaged, true);
    assert.deepEqual(eni.groupIds, []);
    assert.equal(eni.privateIpAddress, z.privateIpv4Address);
    assert.equal(eni.publicIp, undefined);
  }
  assert.equal(lb.attributes["load_balancing.cross_zone.enabled"], "false");
  assert.equal(lb.attributes["deletion_protection.enabled"], "false");
  assert.equal(lb.attributes["ipv6.deny_all_igw_traffic"], "true");
  // The same name with the same settings is the same load balancer (CreateLoadBalancer is idempotent).
  assert.equal(createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetC, subnetA] }), lb);
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA] }), "DuplicateLoadBalancerName", /same name 'web'/);
});

test("CreateLoadBalancer refuses what AWS refuses, and changes nothing", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const other = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  const otherSubnet = createSubnet(ctx, { vpcId: other.id, cidrBlock: "10.1.1.0/24", availabilityZone: "ap-northeast-2b" }).id;
  const secondA = createSubnet(ctx, { vpcId, cidrBlock: "10.0.3.0/24", availabilityZone: "ap-northeast-2a" }).id;
  const sgOther = createSecurityGroup(ctx, { groupName: "x", description: "x", vpcId: other.id }).id;
  const nlb = { type: "network", scheme: "internal" };
  for (const name of ["a".repeat(33), "web_1", "-web", "web-", "internal-web", ""]) {
    rejects(ctx, () => createLoadBalancer(ctx, { name, ...nlb, subnetIds: [subnetA] }), "ValidationError");
  }
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", scheme: "internal", subnetIds: [subnetA] }), "ValidationError", /network and gateway load balancers only/);
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", type: "application", subnetIds: [subnetA] }), "ValidationError", /application load balancers/);
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", type: "gateway", scheme: "internal", subnetIds: [subnetA] }), "ValidationError");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetIds: [] }), "ValidationError");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetIds: ["subnet-0123456789abcdef0"] }), "SubnetNotFound");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetIds: [subnetA, secondA] }), "InvalidConfigurationRequest", /multiple subnets in the same Availability Zone/);
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetIds: [subnetA, otherSubnet] }), "InvalidConfigurationRequest", /same VPC/);
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetIds: [subnetA], subnetMappings: [{ subnetId: subnetC }] }), "ValidationError");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", type: "network", subnetIds: [subnetA] }), "InvalidSubnet", new RegExp(`VPC ${vpcId} has no internet gateway`));
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", type: "gateway", subnetIds: [subnetA], securityGroupIds: [ctx.world.vpcs.get(vpcId)!.defaultSecurityGroupId] }), "ValidationError");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetIds: [subnetA], securityGroupIds: [sgOther] }), "InvalidSecurityGroup");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetMappings: [{ subnetId: subnetA, privateIPv4Address: "10.0.2.10" }] }), "InvalidConfigurationRequest");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetMappings: [{ subnetId: subnetA, allocationId: "eipalloc-0123456789abcdef0" }] }), "InvalidConfigurationRequest");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, ipAddressType: "dualstack", subnetIds: [subnetA] }), "InvalidConfigurationRequest");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, ipAddressType: "dualstack-without-public-ipv4", subnetIds: [subnetA] }), "InvalidConfigurationRequest");
  // A mapping without its subnet (SubnetMapping.SubnetId is optional in the model) is a ValidationError, not "subnet 'undefined'".
  rejects(ctx, () => createLoadBalancer(ctx, { name: "web", ...nlb, subnetMappings: [{ privateIPv4Address: "10.0.1.50" } as never] }), "ValidationError", "A subnet ID must be specified for each subnet mapping");
  // Another account's subnet does not exist for the caller.
  const b = { ...ctx, account: "222222222222" };
  rejects(b, () => createLoadBalancer(b, { name: "web", ...nlb, subnetIds: [subnetA] }), "SubnetNotFound");
});

test("an internet-facing NLB needs an internet gateway; its nodes get public addresses, or the Elastic IPs given", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const igw = createInternetGateway(ctx);
  attachInternetGateway(ctx, igw.id, vpcId);
  const eip = allocateAddress(ctx);
  const lb = createLoadBalancer(ctx, { name: "edge", type: "network", subnetMappings: [{ subnetId: subnetA, allocationId: eip.id }, { subnetId: subnetC }] });
  assert.equal(lb.scheme, "internet-facing");
  const [a, c] = lb.zones.map((z) => ctx.world.networkInterfaces.get(z.networkInterfaceId)!);
  assert.equal(a!.publicIp, eip.publicIp);
  assert.equal(a!.allocationId, eip.id);
  assert.equal(ctx.world.elasticIps.get(eip.id)!.networkInterfaceId, a!.id);
  assert.ok(c!.publicIp !== undefined && c!.publicIp !== eip.publicIp);
  rejects(ctx, () => createLoadBalancer(ctx, { name: "edge2", type: "network", subnetMappings: [{ subnetId: subnetA, allocationId: eip.id }] }), "InvalidConfigurationRequest", /already associated/);
  deleteLoadBalancer(ctx, lb.id);
  assert.equal(ctx.world.elasticIps.get(eip.id)!.networkInterfaceId, undefined);
  // An internal NLB may name its nodes' private addresses.
  const internal = createLoadBalancer(ctx, { name: "in", type: "network", scheme: "internal", subnetMappings: [{ subnetId: subnetA, privateIPv4Address: "10.0.1.50" }] });
  assert.equal(internal.zones[0]!.privateIpv4Address, "10.0.1.50");
  rejects(ctx, () => createLoadBalancer(ctx, { name: "in2", type: "network", scheme: "internal", subnetMappings: [{ subnetId: subnetA, privateIPv4Address: "10.0.1.50" }] }), "InvalidConfigurationRequest");
});

test("a gateway load balancer: internal, no security groups, gwy ENIs", () => {
  const ctx = freshCtx();
  const { subnetA } = vpcWithSubnets(ctx);
  const lb = createLoadBalancer(ctx, { name: "fw", type: "gateway", subnetIds: [subnetA] });
  assert.match(lb.id, /:loadbalancer\/gwy\/fw\/[0-9a-f]{16}$/);
  assert.equal(lb.scheme, "internal");
  const eni = ctx.world.networkInterfaces.get(lb.zones[0]!.networkInterfaceId)!;
  assert.equal(eni.interfaceType, "gateway_load_balancer");
  assert.equal(eni.description, `ELB gwy/fw/${lb.id.slice(-16)}`);
  assert.deepEqual(Object.keys(lb.attributes).sort(), ["deletion_protection.enabled", "load_balancing.cross_zone.enabled"]);
  rejects(ctx, () => modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "access_logs.s3.enabled", value: "true" }]), "InvalidConfigurationRequest", /not supported on load balancers with type 'gateway'/);
});

test("DeleteLoadBalancer removes nodes and listeners, keeps target groups; deletion protection, endpoint services and other accounts", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const lb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA] });
  const tg = createTargetGroup(ctx, { name: "tg", protocol: "TCP", port: 80, vpcId });
  const l = createListener(ctx, { loadBalancerArn: lb.id, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: tg.id }] });
  // Another account neither sees nor deletes it.
  const b = { ...ctx, account: "222222222222" };
  rejects(b, () => getLoadBalancer(b, lb.id), "LoadBalancerNotFound");
  deleteLoadBalancer(b, lb.id);
  assert.ok(ctx.world.loadBalancers.has(lb.id));

  modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "deletion_protection.enabled", value: "true" }]);
  rejects(ctx, () => deleteLoadBalancer(ctx, lb.id), "OperationNotPermitted");
  modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "deletion_protection.enabled", value: "false" }]);
  const service = { id: "vpce-svc-0123456789abcdef0", networkLoadBalancerArns: [lb.id], gatewayLoadBalancerArns: [] } as unknown as VpcEndpointService;
  ctx.world.endpointServices.set(service.id, service);
  rejects(ctx, () => deleteLoadBalancer(ctx, lb.id), "ResourceInUse", `Load balancer '${lb.id}' cannot be deleted because it is currently associated with another service`);
  ctx.world.endpointServices.delete(service.id);

  rejects(ctx, () => deleteLoadBalancer(ctx, "not-an-arn"), "ValidationError");
  const eni = lb.zones[0]!.networkInterfaceId;
  deleteLoadBalancer(ctx, lb.id);
  assert.ok(!ctx.world.loadBalancers.has(lb.id));
  assert.ok(!ctx.world.networkInterfaces.has(eni));
  assert.ok(!ctx.world.listeners.has(l.id));
  assert.ok(ctx.world.targetGroups.has(tg.id));
  deleteLoadBalancer(ctx, lb.id); // gone already: succeeds, as on AWS
});

test("ModifyLoadBalancerAttributes checks every key and value before setting any", () => {
  const ctx = freshCtx();
  const { subnetA } = vpcWithSubnets(ctx);
  const lb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA] });
  const after = modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "load_balancing.cross_zone.enabled", value: "true" }, { key: "secondary_ips.auto_assigned.per_subnet", value: "2" }]);
  assert.ok(after.some((a) => a.key === "load_balancing.cross_zone.enabled" && a.value === "true"));
  rejects(ctx, () => modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "deletion_protection.enabled", value: "true" }, { key: "no.such.key", value: "1" }]), "ValidationError");
  rejects(ctx, () => modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "idle_timeout.timeout_seconds", value: "60" }]), "InvalidConfigurationRequest", /type 'network'/);
  rejects(ctx, () => modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "deletion_protection.enabled", value: "yes" }]), "InvalidConfigurationRequest");
  rejects(ctx, () => modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "secondary_ips.auto_assigned.per_subnet", value: "1" }]), "InvalidConfigurationRequest", /cannot be decreased/);
  rejects(ctx, () => modifyLoadBalancerAttributes(ctx, lb.id, [{ key: "access_logs.s3.enabled", value: "true" }]), "InvalidConfigurationRequest", /bucket/);
});

test("SetSubnets adds and removes nodes; SetSecurityGroups only for NLBs made with security groups", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA, subnetC } = vpcWithSubnets(ctx);
  const lb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA] });
  const nodeA = lb.zones[0]!.networkInterfaceId;
  setSubnets(ctx, lb.id, { subnetIds: [subnetA, subnetC] });
  assert.deepEqual(lb.zones.map((z) => z.subnetId), [subnetA, subnetC]);
  assert.equal(lb.zones[0]!.networkInterfaceId, nodeA);
  setSubnets(ctx, lb.id, { subnetIds: [subnetC] });
  assert.ok(!ctx.world.networkInterfaces.has(nodeA));
  const other = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  const otherSubnet = createSubnet(ctx, { vpcId: other.id, cidrBlock: "10.1.1.0/24", availabilityZone: "ap-northeast-2a" }).id;
  rejects(ctx, () => setSubnets(ctx, lb.id, { subnetIds: [subnetC, otherSubnet] }), "InvalidConfigurationRequest");
  // A bad IpAddressType is refused before the subnets change (it used to be ignored while a node was removed).
  rejects(ctx, () => setSubnets(ctx, lb.id, { subnetIds: [subnetA], ipAddressType: "bogus" }), "ValidationError", /at 'ipAddressType'/);
  rejects(ctx, () => setSubnets(ctx, lb.id, { subnetIds: [subnetC], ipAddressType: "dualstack" }), "InvalidConfigurationRequest", /IPv6 CIDR block/);
  rejects(ctx, () => setSubnets(ctx, lb.id, { subnetMappings: [{ subnetId: subnetC }, { privateIPv4Address: "10.0.1.50" } as never] }), "ValidationError", "A subnet ID must be specified for each subnet mapping");

  const sg1 = createSecurityGroup(ctx, { groupName: "nlb", description: "nlb", vpcId }).id;
  const sg2 = createSecurityGroup(ctx, { groupName: "nlb2", description: "nlb2", vpcId }).id;
  rejects(ctx, () => setSecurityGroups(ctx, lb.id, [sg1]), "InvalidConfigurationRequest", /created without any security groups/);
  const withSg = createLoadBalancer(ctx, { name: "sg", type: "network", scheme: "internal", subnetIds: [subnetA], securityGroupIds: [sg1] });
  assert.deepEqual(ctx.world.networkInterfaces.get(withSg.zones[0]!.networkInterfaceId)!.groupIds, [sg1]);
  assert.equal(withSg.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic, "on");
  setSecurityGroups(ctx, withSg.id, [sg2], "off");
  assert.deepEqual(ctx.world.networkInterfaces.get(withSg.zones[0]!.networkInterfaceId)!.groupIds, [sg2]);
  assert.equal(withSg.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic, "off");
  rejects(ctx, () => setSecurityGroups(ctx, withSg.id, []), "InvalidConfigurationRequest");
});

test("tags: add (a key again updates it), remove, describe; 50 at most, no key twice, all or nothing", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const lb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA], tags: [{ key: "env", value: "dev" }] });
  const tg = createTargetGroup(ctx, { name: "tg", protocol: "TCP", port: 80, vpcId });
  addTags(ctx, [lb.id, tg.id], [{ key: "env", value: "prod" }, { key: "team", value: "net" }]);
  assert.deepEqual(describeTags(ctx, [lb.id]), [{ resourceArn: lb.id, tags: [{ key: "env", value: "prod" }, { key: "team", value: "net" }] }]);
  removeTags(ctx, [tg.id], ["team", "absent"]);
  assert.deepEqual(describeTags(ctx, [tg.id])[0]!.tags, [{ key: "env", value: "prod" }]);
  rejects(ctx, () => addTags(ctx, [lb.id], [{ key: "a", value: "1" }, { key: "a", value: "2" }]), "DuplicateTagKeys");
  rejects(ctx, () => addTags(ctx, [lb.id], [{ key: "aws:x", value: "1" }]), "ValidationError");
  const many = Array.from({ length: 49 }, (_, n) => ({ key: `k${n}`, value: "v" }));
  rejects(ctx, () => addTags(ctx, [tg.id, lb.id], many), "TooManyTags");
  rejects(ctx, () => addTags(ctx, [lb.id, tg.id.replace(/[0-9a-f]{16}$/, "0000000000000000")], [{ key: "x", value: "y" }]), "TargetGroupNotFound");
  rejects(ctx, () => describeTags({ ...ctx, account: "222222222222" }, [lb.id]), "LoadBalancerNotFound");
});
