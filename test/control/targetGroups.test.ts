// Target groups, targets and listeners in the control layer: AWS's defaults and ranges, the
// checks on targets and on what a listener may forward to, each refusal changing nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInstances, terminateInstances } from "../../src/control/instances.js";
import { createListener, deleteListener, modifyListener } from "../../src/control/listeners.js";
import { createLoadBalancer } from "../../src/control/loadBalancers.js";
import { createSubnet } from "../../src/control/subnets.js";
import { modifyTargetGroupAttributes } from "../../src/control/targetGroupAttributes.js";
import { createTargetGroup, deleteTargetGroup, deregisterTargets, modifyTargetGroup, registerTargets } from "../../src/control/targetGroups.js";
import { createVpc } from "../../src/control/vpcs.js";
import { freshCtx, rejects, vpcWithSubnets } from "../helpers.js";

test("CreateTargetGroup: AWS's health-check defaults per protocol, its ranges, and idempotency by name", () => {
  const ctx = freshCtx();
  const { vpcId } = vpcWithSubnets(ctx);
  const tcp = createTargetGroup(ctx, { name: "tcp", protocol: "TCP", port: 80, vpcId });
  assert.match(tcp.id, /^arn:aws:elasticloadbalancing:ap-northeast-2:111111111111:targetgroup\/tcp\/[0-9a-f]{16}$/);
  assert.equal(tcp.targetType, "instance");
  assert.deepEqual(tcp.healthCheck, { enabled: true, protocol: "TCP", port: "traffic-port", intervalSeconds: 30, timeoutSeconds: 10, healthyThresholdCount: 5, unhealthyThresholdCount: 2 });
  assert.equal(tcp.attributes["preserve_client_ip.enabled"], "true");
  const geneve = createTargetGroup(ctx, { name: "fw", protocol: "GENEVE", port: 6081, vpcId, targetType: "ip" });
  assert.deepEqual(geneve.healthCheck, { enabled: true, protocol: "TCP", port: "80", intervalSeconds: 10, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2 });
  assert.equal(geneve.attributes["target_failover.on_unhealthy"], "no_rebalance");
  // Cross-zone and target group health are ALB and NLB attributes only (TargetGroupAttribute reference).
  assert.deepEqual(Object.keys(geneve.attributes).sort(), ["deregistration_delay.timeout_seconds", "stickiness.enabled", "stickiness.type", "target_failover.on_deregistration", "target_failover.on_unhealthy"]);
  for (const key of ["load_balancing.cross_zone.enabled", "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count"]) {
    rejects(ctx, () => modifyTargetGroupAttributes(ctx, geneve.id, [{ key, value: key.startsWith("load") ? "true" : "1" }]), "InvalidConfigurationRequest", /not supported/);
  }
  assert.equal(tcp.attributes["load_balancing.cross_zone.enabled"], "use_load_balancer_configuration");
  const http = createTargetGroup(ctx, { name: "http", protocol: "TCP", port: 80, vpcId, targetType: "ip", healthCheckProtocol: "HTTP" });
  assert.deepEqual([http.healthCheck.path, http.healthCheck.matcher, http.healthCheck.timeoutSeconds], ["/", { httpCode: "200-399" }, 6]);
  assert.equal(http.attributes["preserve_client_ip.enabled"], "false");
  assert.equal(createTargetGroup(ctx, { name: "tcp", protocol: "TCP", port: 80, vpcId }), tcp);

  rejects(ctx, () => createTargetGroup(ctx, { name: "tcp", protocol: "TCP", port: 81, vpcId }), "DuplicateTargetGroupName");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "HTTP", port: 80, vpcId }), "ValidationError", /application load balancers/);
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, targetType: "lambda" }), "ValidationError", /not modelled/);
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "GENEVE", port: 6080, vpcId }), "ValidationError", /6081/);
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80 }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", port: 80, vpcId }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", vpcId }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId: "vpc-0123456789abcdef0" }), "ValidationError", "The VPC ID 'vpc-0123456789abcdef0' is not found");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x_y", protocol: "TCP", port: 80, vpcId }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthCheckIntervalSeconds: 4 }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthyThresholdCount: 11 }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthCheckTimeoutSeconds: 30 }), "ValidationError", /smaller than the interval/);
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthCheckProtocol: "UDP" }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthCheckPath: "/health" }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthCheckEnabled: false }), "ValidationError");
  rejects(ctx, () => createTargetGroup(ctx, { name: "x", protocol: "TCP", port: 80, vpcId, healthCheckPort: "70000" }), "ValidationError");
});

test("ModifyTargetGroup and ModifyTargetGroupAttributes check everything first", () => {
  const ctx = freshCtx();
  const { vpcId } = vpcWithSubnets(ctx);
  const tg = createTargetGroup(ctx, { name: "tcp", protocol: "TCP", port: 80, vpcId });
  modifyTargetGroup(ctx, tg.id, { healthCheckProtocol: "HTTP", healthCheckPath: "/ready", healthCheckPort: "8080" });
  assert.deepEqual([tg.healthCheck.protocol, tg.healthCheck.path, tg.healthCheck.port, tg.healthCheck.intervalSeconds], ["HTTP", "/ready", "8080", 30]);
  rejects(ctx, () => modifyTargetGroup(ctx, tg.id, { healthCheckIntervalSeconds: 400 }), "ValidationError");
  rejects(ctx, () => modifyTargetGroup(ctx, tg.id, { matcher: { grpcCode: "0" } }), "ValidationError", /gRPC code/);
  modifyTargetGroupAttributes(ctx, tg.id, [{ key: "deregistration_delay.timeout_seconds", value: "30" }, { key: "proxy_protocol_v2.enabled", value: "true" }]);
  assert.equal(tg.attributes["deregistration_delay.timeout_seconds"], "30");
  rejects(ctx, () => modifyTargetGroupAttributes(ctx, tg.id, [{ key: "stickiness.enabled", value: "true" }, { key: "target_failover.on_unhealthy", value: "rebalance" }]), "InvalidConfigurationRequest", /not supported/);
  rejects(ctx, () => modifyTargetGroupAttributes(ctx, tg.id, [{ key: "deregistration_delay.timeout_seconds", value: "4000" }]), "InvalidConfigurationRequest");
  const udp = createTargetGroup(ctx, { name: "udp", protocol: "UDP", port: 53, vpcId });
  rejects(ctx, () => modifyTargetGroupAttributes(ctx, udp.id, [{ key: "proxy_protocol_v2.enabled", value: "true" }]), "InvalidConfigurationRequest");
});

test("RegisterTargets: running instances of the group's VPC, private addresses in its subnets or 'all'; all or nothing", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const [i1, i2] = runInstances(ctx, { subnetId: subnetA, count: 2 });
  const other = createVpc(ctx, { cidrBlock: "10.1.0.0/16" });
  const [elsewhere] = runInstances(ctx, { subnetId: createSubnet(ctx, { vpcId: other.id, cidrBlock: "10.1.1.0/24", availabilityZone: "ap-northeast-2a" }).id });
  const tg = createTargetGroup(ctx, { name: "inst", protocol: "TCP", port: 80, vpcId });
  registerTargets(ctx, tg.id, [{ id: i1!.id }, { id: i1!.id, port: 8080 }]);
  registerTargets(ctx, tg.id, [{ id: i1!.id }]);
  assert.deepEqual(tg.targets, [{ id: i1!.id, port: 80 }, { id: i1!.id, port: 8080 }]);
  rejects(ctx, () => registerTargets(ctx, tg.id, [{ id: i2!.id }, { id: "i-0123456789abcdef0" }]), "InvalidTarget", "The following instances do not exist: 'i-0123456789abcdef0'");
  rejects(ctx, () => registerTargets(ctx, tg.id, [{ id: elsewhere!.id }]), "InvalidTarget", new RegExp(`not in the target group VPC '${vpcId}'`));
  rejects(ctx, () => registerTargets(ctx, tg.id, [{ id: i2!.id, availabilityZone: "ap-northeast-2a" }]), "ValidationError");
  terminateInstances(ctx, [i2!.id]);
  rejects(ctx, () => registerTargets(ctx, tg.id, [{ id: i2!.id }]), "InvalidTarget", /not in a running state/);
  rejects({ ...ctx, account: "222222222222" }, () => registerTargets({ ...ctx, account: "222222222222" }, tg.id, [{ id: i1!.id }]), "TargetGroupNotFound");

  const ips = createTargetGroup(ctx, { name: "ips", protocol: "TCP", port: 443, vpcId, targetType: "ip" });
  registerTargets(ctx, ips.id, [{ id: "10.0.1.200" }, { id: "192.168.5.5", availabilityZone: "all" }]);
  assert.deepEqual(ips.targets, [{ id: "10.0.1.200", port: 443 }, { id: "192.168.5.5", port: 443, availabilityZone: "all" }]);
  rejects(ctx, () => registerTargets(ctx, ips.id, [{ id: "192.168.5.6" }]), "ValidationError", "The Availability Zone is required for IP address '192.168.5.6' because it is not in the VPC");
  rejects(ctx, () => registerTargets(ctx, ips.id, [{ id: "10.0.1.201", availabilityZone: "all" }]), "ValidationError", /within the VPC/);
  rejects(ctx, () => registerTargets(ctx, ips.id, [{ id: "8.8.8.8", availabilityZone: "all" }]), "ValidationError", /private/);
  rejects(ctx, () => registerTargets(ctx, ips.id, [{ id: "10.0.1.202", port: 0 }]), "ValidationError");

  deregisterTargets(ctx, tg.id, [{ id: i1!.id, port: 8080 }]);
  assert.deepEqual(tg.targets, [{ id: i1!.id, port: 80 }]);
  rejects(ctx, () => deregisterTargets(ctx, tg.id, [{ id: i1!.id }, { id: i1!.id, port: 8080 }]), "InvalidTarget");
});

test("CreateListener: protocols, ports, one per port, compatible target groups of the same VPC and one load balancer", () => {
  const ctx = freshCtx();
  const { vpcId, subnetA } = vpcWithSubnets(ctx);
  const nlb = createLoadBalancer(ctx, { name: "web", type: "network", scheme: "internal", subnetIds: [subnetA] });
  const nlb2 = createLoadBalancer(ctx, { name: "web2", type: "network", scheme: "internal", subnetIds: [subnetA] });
  const gwlb = createLoadBalancer(ctx, { name: "fw", type: "gateway", subnetIds: [subnetA] });
  const tcp = createTargetGroup(ctx, { name: "tcp", protocol: "TCP", port: 80, vpcId });
  const udp = createTargetGroup(ctx, { name: "udp", protocol: "UDP", port: 53, vpcId });
  const geneve = createTargetGroup(ctx, { name: "geneve", protocol: "GENEVE", port: 6081, vpcId });
  const other = createTargetGroup(ctx, { name: "other", protocol: "TCP", port: 80, vpcId: createVpc(ctx, { cidrBlock: "10.1.0.0/16" }).id });
  const fwd = (tg: { id: string }): { type: string; targetGroupArn: string }[] => [{ type: "forward", targetGroupArn: tg.id }];

  const l = createListener(ctx, { loadBalancerArn: nlb.id, port: 80, protocol: "TCP", defaultActions: fwd(tcp) });
  assert.equal(l.id, `${nlb.id.replace(":loadbalancer/", ":listener/")}/${l.id.slice(-16)}`);
  assert.equal(createListener(ctx, { loadBalancerArn: nlb.id, port: 80, protocol: "TCP", defaultActions: fwd(tcp) }), l);
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 80, protocol: "UDP", defaultActions: fwd(udp) }), "DuplicateListener");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 81, protocol: "UDP", defaultActions: fwd(tcp) }), "IncompatibleProtocols");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 81, protocol: "HTTP", defaultActions: fwd(tcp) }), "ValidationError", "Listener protocol 'HTTP' must be one of 'TLS, TCP, TCP_UDP, UDP'");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 0, protocol: "TCP", defaultActions: fwd(tcp) }), "ValidationError");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 81, protocol: "TCP", defaultActions: fwd(other) }), "ValidationError", /same VPC/);
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 81, protocol: "TCP", defaultActions: [{ type: "redirect" }] }), "InvalidLoadBalancerAction");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 81, protocol: "TCP", defaultActions: fwd({ id: tcp.id.replace(/[0-9a-f]{16}$/, "0000000000000000") }) }), "TargetGroupNotFound");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb2.id, port: 80, protocol: "TCP", defaultActions: fwd(tcp) }), "TargetGroupAssociationLimit");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 443, protocol: "TLS", defaultActions: fwd(tcp) }), "CertificateNotFound");
  const tls = createListener(ctx, { loadBalancerArn: nlb.id, port: 443, protocol: "TLS", defaultActions: fwd(tcp), certificates: [{ certificateArn: "arn:aws:acm:ap-northeast-2:111111111111:certificate/abc" }] });
  assert.equal(tls.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: nlb.id, port: 82, protocol: "TCP", defaultActions: fwd(geneve) }), "IncompatibleProtocols");

  rejects(ctx, () => createListener(ctx, { loadBalancerArn: gwlb.id, port: 6081, protocol: "GENEVE", defaultActions: fwd(geneve) }), "ValidationError");
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: gwlb.id, defaultActions: fwd(udp) }), "IncompatibleProtocols");
  const g = createListener(ctx, { loadBalancerArn: gwlb.id, defaultActions: fwd(geneve) });
  assert.equal(g.port, undefined);
  assert.match(g.id, /:listener\/gwy\/fw\//);
  const geneve2 = createTargetGroup(ctx, { name: "geneve2", protocol: "GENEVE", port: 6081, vpcId });
  rejects(ctx, () => createListener(ctx, { loadBalancerArn: gwlb.id, defaultActions: fwd(geneve2) }), "DuplicateListener");

  // ModifyListener: a new port and target group, checked like CreateListener.
  rejects(ctx, () => modifyListener(ctx, l.id, { port: 443 }), "DuplicateListener");
  modifyListener(ctx, l.id, { port: 8080 });
  assert.equal(l.port, 8080);
  rejects(ctx, () => deleteTargetGroup(ctx, tcp.id), "ResourceInUse");
  deleteListener(ctx, l.id);
  deleteListener(ctx, tls.id);
  deleteTargetGroup(ctx, tcp.id);
  assert.ok(!ctx.world.targetGroups.has(tcp.id));
  rejects(ctx, () => deleteListener(ctx, l.id), "ListenerNotFound");
});
