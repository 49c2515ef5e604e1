// Lab 3 in control terms: a provider (111111111111) offers a web server behind an internal network
// load balancer as an endpoint service; a consumer (222222222222) reaches it through an interface
// endpoint. Acceptance, the listener, target health and rotation, cross-zone load balancing, the
// target's and the load balancer's security groups, DNS names, and PrivateLink being one-way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Resolver } from "node:dns/promises";
import { resolve } from "../../src/analysis/dns.js";
import { trace, type TraceRequest } from "../../src/analysis/trace.js";
import type { Trace } from "../../src/analysis/types.js";
import { NetworkView } from "../../src/analysis/view.js";
import type { Ctx } from "../../src/control/context.js";
import { decideConnections } from "../../src/control/endpointConnections.js";
import { createVpcEndpoint } from "../../src/control/endpoints.js";
import { modifyServicePermissions } from "../../src/control/endpointServicePermissions.js";
import { createEndpointService, modifyEndpointService, verifyPrivateDnsName } from "../../src/control/endpointServices.js";
import { runInstances } from "../../src/control/instances.js";
import { createListener } from "../../src/control/listeners.js";
import { modifyLoadBalancerAttributes } from "../../src/control/loadBalancerAttributes.js";
import { setSecurityGroups } from "../../src/control/loadBalancerChanges.js";
import { createLoadBalancer } from "../../src/control/loadBalancers.js";
import { authorize, createSecurityGroup } from "../../src/control/securityGroups.js";
import { createSubnet } from "../../src/control/subnets.js";
import { createTargetGroup, modifyTargetGroup, registerTargets } from "../../src/control/targetGroups.js";
import { createVpc, modifyVpcAttribute } from "../../src/control/vpcs.js";
import { startDnsServer } from "../../src/live/dns.js";
import { IdGenerator } from "../../src/model/ids.js";
import type { Instance, VpcEndpoint, VpcEndpointService } from "../../src/model/types.js";
import type { LoadBalancer, TargetGroup } from "../../src/model/loadBalancing.js";
import { World } from "../../src/model/world.js";

const REGION = "ap-northeast-2";

interface Lab3 {
  world: World; provider: Ctx; consumer: Ctx; providerVpc: string; subnets: Record<"a" | "c", string>; webSg: string;
  web: Instance; tg: TargetGroup; lb: LoadBalancer; svc: VpcEndpointService; consumerVpc: string; client: Instance; ep: VpcEndpoint;
}

interface Options {
  acceptanceRequired?: boolean;
  /** The web server's port behind the listener's 80. */
  targetPort?: number;
  /** Who web-sg admits on the target port. */
  webIngress?: string;
  webAz?: "a" | "c";
  endpointAzs?: ("a" | "c")[];
  lbGroups?: boolean;
}

const tcp = (port: number, cidrIp: string): Parameters<typeof authorize>[3][number] => ({ ipProtocol: "tcp", fromPort: port, toPort: port, ipRanges: [{ cidrIp }] });
const named = (name: string): { tags: { key: string; value: string }[] } => ({ tags: [{ key: "Name", value: name }] });

function lab3(o: Options = {}): Lab3 {
  const world = new World(IdGenerator.fresh("privatelink"));
  const provider: Ctx = { world, account: "111111111111", region: REGION };
  const consumer: Ctx = { world, account: "222222222222", region: REGION };
  const targetPort = o.targetPort ?? 80;
  const providerVpc = createVpc(provider, { cidrBlock: "10.1.0.0/16" }).id;
  const subnets = {
    a: createSubnet(provider, { vpcId: providerVpc, cidrBlock: "10.1.1.0/24", availabilityZone: "ap-northeast-2a" }).id,
    c: createSubnet(provider, { vpcId: providerVpc, cidrBlock: "10.1.2.0/24", availabilityZone: "ap-northeast-2c" }).id,
  };
  const webSg = createSecurityGroup(provider, { groupName: "web-sg", description: "web", vpcId: providerVpc }).id;
  authorize(provider, webSg, false, [tcp(targetPort, o.webIngress ?? "10.1.0.0/16")]);
  const webAz = o.webAz ?? "a";
  const web = runInstances(provider, { subnetId: subnets[webAz], privateIpAddress: webAz === "a" ? "10.1.1.10" : "10.1.2.10", securityGroupIds: [webSg], ...named("web-server") })[0]!;
  const tg = createTargetGroup(provider, { name: "web-tg", protocol: "TCP", port: 80, vpcId: providerVpc, targetType: "instance" });
  registerTargets(provider, tg.id, [{ id: web.id, port: targetPort }]);
  let lbGroups: string[] = [];
  if (o.lbGroups) {
    const nlbSg = createSecurityGroup(provider, { groupName: "nlb-sg", description: "nlb", vpcId: providerVpc }).id;
    authorize(provider, nlbSg, false, [tcp(80, "10.1.0.0/16")]);
    lbGroups = [nlbSg];
  }
  const lb = createLoadBalancer(provider, { name: "web-nlb", type: "network", scheme: "internal", subnetIds: [subnets.a, subnets.c], securityGroupIds: lbGroups });
  createListener(provider, { loadBalancerArn: lb.id, port: 80, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: tg.id }] });
  const svc = createEndpointService(provider, { networkLoadBalancerArns: [lb.id], acceptanceRequired: o.acceptanceRequired ?? true });
  modifyServicePermissions(provider, { serviceId: svc.id, addAllowedPrincipals: ["arn:aws:iam::222222222222:root"] });

  const consumerVpc = createVpc(consumer, { cidrBlock: "10.0.0.0/16" }).id;
  modifyVpcAttribute(consumer, consumerVpc, "enableDnsHostnames", true);
  const cSubnets = {
    a: createSubnet(consumer, { vpcId: consumerVpc, cidrBlock: "10.0.1.0/24", availabilityZone: "ap-northeast-2a" }).id,
    c: createSubnet(consumer, { vpcId: consumerVpc, cidrBlock: "10.0.2.0/24", availabilityZone: "ap-northeast-2c" }).id,
  };
  const endpointSg = createSecurityGroup(consumer, { groupName: "endpoint-sg", description: "80, 443 and 22 from the VPC", vpcId: consumerVpc }).id;
  authorize(consumer, endpointSg, false, [tcp(80, "10.0.0.0/16"), tcp(443, "10.0.0.0/16"), tcp(22, "10.0.0.0/16")]);
  const client = runInstances(consumer, { subnetId: cSubnets.a, privateIpAddress: "10.0.1.10", ...named("consumer-instance") })[0]!;
  const created = createVpcEndpoint(consumer, {
    vpcId: consumerVpc, serviceName: svc.serviceName, vpcEndpointType: "Interface",
    subnetIds: (o.endpointAzs ?? ["a", "c"]).map((z) => cSubnets[z]), securityGroupIds: [endpointSg], ...named("web-endpoint"),
  });
  return { world, provider, consumer, providerVpc, subnets, webSg, web, tg, lb, svc, consumerVpc, client, ep: world.vpcEndpoints.get(created.id)! };
}

function accept(l: Lab3): void {
  assert.deepEqual(decideConnections(l.provider, "accept", l.svc.id, [l.ep.id]), []);
}

/** A trace from the consumer's instance (or another instance) to the endpoint's ENI in zone a, or to a name or address. */
function run(l: Lab3, to: Partial<TraceRequest["to"]> = {}, extra: Partial<TraceRequest> = {}, from: Instance = l.client): Trace {
  const eniIp = l.world.networkInterfaces.get(l.ep.networkInterfaceIds[0]!)!.privateIpAddress;
  return trace(new NetworkView(l.world), { from: { kind: "eni", eniId: from.networkInterfaceId }, to: { port: 80, ...(to.host ? {} : { ip: eniIp }), ...to }, ...extra });
}
const codes = (t: Trace): string[] => t.explanations.map((e) => e.code);

test("lab 3: waiting for acceptance, the trace is blocked at the endpoint, naming the provider's accept call; accepted, it reaches the web server", () => {
  const l = lab3();
  assert.equal(l.ep.state, "pendingAcceptance");
  const pending = run(l);
  assert.equal(pending.reachable, false);
  assert.deepEqual(codes(pending), ["VPCE_CONNECTION_PENDING_ACCEPTANCE"], JSON.stringify(pending.explanations));
  const why = pending.explanations[0]!;
  assert.equal(why.component.id, l.ep.id);
  assert.match(why.message, /account 111111111111/);
  assert.equal(why.fix, `The provider (account 111111111111) runs: aws ec2 accept-vpc-endpoint-connections --service-id ${l.svc.id} --vpc-endpoint-ids ${l.ep.id}`);

  accept(l);
  const t = run(l);
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.equal(t.returnComplete, true);
  assert.deepEqual(t.destination.component, { id: l.web.id, type: "instance", name: "web-server" });
  // Each component on the way by its type, the load balancer's parts in order.
  const types = t.forward.map((h) => h.component.type);
  for (const kind of ["vpc-endpoint", "vpc-endpoint-service", "load-balancer", "listener", "target-group", "instance"]) assert.ok(types.includes(kind), kind);
  assert.ok(types.indexOf("vpc-endpoint-service") < types.indexOf("listener") && types.indexOf("listener") < types.lastIndexOf("target-group"));
  const node = l.lb.zones.find((z) => z.zoneName === "ap-northeast-2a")!;
  const leg = t.forward.find((h) => h.component.type === "load-balancer" && h.rule?.["source"] !== undefined)!;
  assert.deepEqual([leg.rule!["node"], leg.rule!["source"], leg.rule!["targetPort"]], [node.privateIpv4Address, node.privateIpv4Address, 80], "targets see the node's address");
  assert.ok(t.return.some((h) => h.component.id === l.lb.id), "the reply goes back through the node");
});

test("delivery names the target actually chosen, on its own port, with the load balancer and target group", () => {
  const l = lab3({ targetPort: 8080 });
  accept(l);
  const t = run(l);
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.deepEqual(t.delivery, {
    vpcId: l.providerVpc, ip: "10.1.1.10", port: 8080, instanceId: l.web.id, networkInterfaceId: l.web.networkInterfaceId,
    via: { loadBalancerArn: l.lb.id, targetGroupArn: l.tg.id },
  });
  assert.ok(t.forward.some((h) => h.component.type === "security-group-ingress" && h.detail.includes("tcp 8080")), "the target's group is checked on the target port");
});

test("a rejected connection is blocked with its own code", () => {
  const l = lab3();
  decideConnections(l.provider, "reject", l.svc.id, [l.ep.id]);
  const t = run(l);
  assert.deepEqual(codes(t), ["VPCE_CONNECTION_REJECTED"]);
  assert.match(t.explanations[0]!.fix!, /delete-vpc-endpoints --vpc-endpoint-ids/);
});

test("by name: the regional name answers the ENIs of zones whose node has a healthy target, a zonal name its zone's ENI; the trace by name gets through", () => {
  const l = lab3({ acceptanceRequired: false });
  const asker = { vpcId: l.consumerVpc, component: { id: l.client.id, type: "instance" } };
  const [ipA, ipC] = l.ep.networkInterfaceIds.map((id) => l.world.networkInterfaces.get(id)!.privateIpAddress);
  const regionalName = l.ep.dnsEntries[0]!.dnsName;
  assert.match(regionalName, new RegExp(`^${l.ep.id}-[a-z0-9]{8}\\.${l.svc.id}\\.ap-northeast-2\\.vpce\\.amazonaws\\.com$`));
  // The only target is in zone a and cross-zone load balancing is off: zone c's node has nothing to send to.
  assert.deepEqual(resolve(new NetworkView(l.world), asker, regionalName).answers.map((a) => a.value), [ipA]);
  const zonalC = l.ep.dnsEntries.find((d) => d.dnsName.includes("-ap-northeast-2c."))!.dnsName;
  assert.deepEqual(resolve(new NetworkView(l.world), asker, zonalC).answers.map((a) => a.value), [ipC]);
  for (const rotation of [0, 1]) {
    const t = run(l, { host: regionalName }, { rotation });
    assert.equal(t.reachable, true, JSON.stringify(t.explanations));
    assert.equal(t.delivery?.instanceId, l.web.id);
  }
  assert.deepEqual(codes(run(l, { host: zonalC })), ["ELBV2_NO_TARGETS_IN_AZ"], "the zonal name still leads to zone c's node");
  modifyLoadBalancerAttributes(l.provider, l.lb.id, [{ key: "load_balancing.cross_zone.enabled", value: "true" }]);
  assert.deepEqual(resolve(new NetworkView(l.world), asker, regionalName).answers.map((a) => a.value).sort(), [ipA!, ipC!].sort());
  assert.equal(run(l, { host: zonalC }).reachable, true);
});

test("a verified private DNS name answers, in the consumer's VPC, a CNAME to the endpoint's regional name and its addresses; unverified, a note says why not", () => {
  const l = lab3({ acceptanceRequired: false });
  modifyEndpointService(l.provider, { serviceId: l.svc.id, privateDnsName: "web.example.com" });
  const asker = { vpcId: l.consumerVpc, component: { id: l.client.id, type: "instance" } };
  l.ep.privateDnsEnabled = true;
  const unverified = resolve(new NetworkView(l.world), asker, "web.example.com");
  assert.equal(unverified.status, "NXDOMAIN");
  assert.deepEqual(unverified.notes.map((n) => n.code), ["PRIVATE_DNS_NAME_NOT_VERIFIED"]);
  verifyPrivateDnsName(l.provider, l.svc.id);
  const regional = l.ep.dnsEntries[0]!.dnsName;
  const dig = resolve(new NetworkView(l.world), asker, "web.example.com");
  assert.equal(dig.status, "NOERROR");
  assert.equal(dig.source.kind, "private-dns");
  assert.deepEqual(dig.answers[0], { name: "web.example.com", type: "CNAME", ttl: 60, value: regional });
  assert.deepEqual(dig.answers.slice(1).map((a) => [a.name, a.type, a.value]), [[regional, "A", l.world.networkInterfaces.get(l.ep.networkInterfaceIds[0]!)!.privateIpAddress]]);
  // Only inside the consumer's VPC: from elsewhere the name does not exist.
  assert.equal(resolve(new NetworkView(l.world), { component: { id: "internet", type: "internet" } }, "web.example.com").status, "NXDOMAIN");
  const t = run(l, { host: "web.example.com" });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  // With private DNS off on the endpoint, the name is the provider's business: a note says so.
  l.ep.privateDnsEnabled = false;
  assert.deepEqual(resolve(new NetworkView(l.world), asker, "web.example.com").notes.map((n) => n.code), ["PRIVATE_DNS_DISABLED"]);
});

test("a target group whose security group does not admit the load balancer's nodes is blocked there, naming the group, with the nodes' addresses in the fix", () => {
  const l = lab3({ acceptanceRequired: false, webIngress: "10.0.0.0/16" });
  const t = run(l);
  assert.equal(t.reachable, false);
  const sg = t.explanations.find((e) => e.code === "ENI_SG_RULES_MISMATCH")!;
  assert.equal(sg.component.id, l.webSg);
  assert.match(sg.message, /targets see the load balancer node's address/);
  for (const z of l.lb.zones) assert.ok(sg.fix!.includes(`CidrIp=${z.privateIpv4Address}/32`), sg.fix);
  // The nodes' health checks fail the same way, so no target is healthy either: both are listed.
  assert.deepEqual(codes(t).sort(), ["ELBV2_NO_HEALTHY_TARGET", "ENI_SG_RULES_MISMATCH"]);
});

test("cross-zone load balancing off: the endpoint's zone has no target, blocked; on, the node in zone a sends to zone c", () => {
  const l = lab3({ acceptanceRequired: false, webAz: "c", endpointAzs: ["a"] });
  const off = run(l);
  assert.deepEqual(codes(off), ["ELBV2_NO_TARGETS_IN_AZ"], JSON.stringify(off.explanations));
  assert.match(off.explanations[0]!.fix!, /load_balancing\.cross_zone\.enabled,Value=true/);
  modifyLoadBalancerAttributes(l.provider, l.lb.id, [{ key: "load_balancing.cross_zone.enabled", value: "true" }]);
  const on = run(l);
  assert.equal(on.reachable, true, JSON.stringify(on.explanations));
  assert.equal(on.delivery?.ip, "10.1.2.10");
  assert.ok(on.notes.some((n) => n.code === "AVAILABILITY_ZONE_CROSSED"));
});

test("targets rotate among the healthy; a backend known down is passed over, and with none up the trace is blocked", () => {
  const l = lab3({ acceptanceRequired: false });
  const web2 = runInstances(l.provider, { subnetId: l.subnets.a, privateIpAddress: "10.1.1.11", securityGroupIds: [l.webSg], ...named("web-server-2") })[0]!;
  registerTargets(l.provider, l.tg.id, [{ id: web2.id }]);
  l.web.tags.push({ key: "vpclab:backend", value: "127.0.0.1:18081" });
  web2.tags.push({ key: "vpclab:backend", value: "127.0.0.1:18082" });
  const chosen = (backendHealth?: (a: string) => boolean | undefined, rotation = 0): string | undefined => run(l, {}, { rotation, ...(backendHealth ? { backendHealth } : {}) }).delivery?.instanceId;
  assert.deepEqual([chosen(undefined, 0), chosen(undefined, 1)], [l.web.id, web2.id], "successive flows rotate");
  const firstDown = (a: string): boolean => a !== "127.0.0.1:18081";
  assert.deepEqual([chosen(firstDown, 0), chosen(firstDown, 1)], [web2.id, web2.id], "the down one is passed over");
  const t = run(l, {}, { backendHealth: () => false });
  assert.equal(t.reachable, false);
  assert.deepEqual(codes(t), ["ELBV2_NO_HEALTHY_TARGET"]);
  assert.match(t.explanations[0]!.message, /127\.0\.0\.1:18081/);
});

test("every target failing its health checks, the load balancer fails open: a flow its leg lets through gets there, with a note", () => {
  const l = lab3({ acceptanceRequired: false });
  // Health checks on 8080, which web-sg does not admit: the target is unhealthy, but traffic on 80 is admitted.
  modifyTargetGroup(l.provider, l.tg.id, { healthCheckPort: "8080" });
  const t = run(l);
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.equal(t.delivery?.instanceId, l.web.id);
  const note = t.notes.find((n) => n.code === "ELBV2_NO_HEALTHY_TARGET")!;
  assert.ok(note, JSON.stringify(t.notes));
  assert.match(note.message, /Target\.FailedHealthChecks.*fails open/);
  // A real server known down still blocks the flow: failing open does not make it answer.
  l.web.tags.push({ key: "vpclab:backend", value: "127.0.0.1:18081" });
  assert.deepEqual(codes(run(l, {}, { backendHealth: () => false })), ["ELBV2_NO_HEALTHY_TARGET"]);
});

test("no listener on the port: blocked at the load balancer, with the listener to create", () => {
  const l = lab3({ acceptanceRequired: false });
  const t = run(l, { port: 443 });
  assert.deepEqual(codes(t), ["ELBV2_LISTENERS_MISMATCH"], JSON.stringify(t.explanations));
  assert.equal(t.explanations[0]!.component.id, l.lb.id);
  assert.equal(t.explanations[0]!.fix, `aws elbv2 create-listener --load-balancer-arn ${l.lb.id} --protocol TCP --port 443 --default-actions Type=forward,TargetGroupArn=${l.tg.id}`);
});

test("the load balancer's own security groups filter PrivateLink traffic by the client's address, unless told not to", () => {
  const l = lab3({ acceptanceRequired: false, lbGroups: true });
  const t = run(l);
  assert.deepEqual(codes(t), ["ENI_SG_RULES_MISMATCH"], JSON.stringify(t.explanations));
  const e = t.explanations[0]!;
  assert.equal(e.component.id, l.lb.securityGroupIds[0]);
  assert.match(e.message, /from 10\.0\.1\.10\..*EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is on/);
  assert.match(e.fix!, /--enforce-security-group-inbound-rules-on-private-link-traffic off/);
  setSecurityGroups(l.provider, l.lb.id, l.lb.securityGroupIds, "off");
  const off = run(l);
  assert.equal(off.reachable, true, JSON.stringify(off.explanations));
  assert.ok(off.forward.some((h) => h.detail.includes("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is off")));
  setSecurityGroups(l.provider, l.lb.id, l.lb.securityGroupIds, "on");
  authorize(l.provider, l.lb.securityGroupIds[0]!, false, [tcp(80, "10.0.0.0/16")]);
  assert.equal(run(l).reachable, true);
});

test("inside the provider's VPC the load balancer is reached directly, by a node's address or its DNS name, which answers the nodes", () => {
  const l = lab3();
  const inside = runInstances(l.provider, { subnetId: l.subnets.c, privateIpAddress: "10.1.2.20", ...named("provider-client") })[0]!;
  const [nodeA, nodeC] = [l.lb.zones.find((z) => z.zoneName === "ap-northeast-2a")!, l.lb.zones.find((z) => z.zoneName === "ap-northeast-2c")!];
  const dig = resolve(new NetworkView(l.world), { vpcId: l.providerVpc, component: { id: inside.id, type: "instance" } }, l.lb.dnsName);
  assert.deepEqual(dig.answers.map((a) => a.value), [nodeA.privateIpv4Address], "only the zone with a healthy target");
  assert.equal(dig.source.kind, "elb-public");
  const zonal = resolve(new NetworkView(l.world), { component: { id: "internet", type: "internet" } }, `ap-northeast-2c.${l.lb.dnsName}`);
  assert.deepEqual(zonal.answers.map((a) => a.value), [nodeC.privateIpv4Address], "zonal names answer their node, from anywhere");
  assert.deepEqual(codes(run(l, { ip: nodeC.privateIpv4Address }, {}, inside)), ["ELBV2_NO_TARGETS_IN_AZ"]);
  const t = run(l, { ip: nodeA.privateIpv4Address }, {}, inside);
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  // Instance targets see the client's own address (client IP preservation), not the node's.
  const leg = t.forward.find((h) => h.component.type === "load-balancer" && h.rule?.["source"] !== undefined)!;
  assert.equal(leg.rule!["source"], "10.1.2.20");
  assert.equal(t.delivery?.via?.loadBalancerArn, l.lb.id);
  const byName = run(l, { host: l.lb.dnsName }, {}, inside);
  assert.equal(byName.reachable, true, JSON.stringify(byName.explanations));
});

test("PrivateLink is one-way: the provider's side cannot open connections to the consumer's VPC", () => {
  const l = lab3({ acceptanceRequired: false });
  for (const ip of ["10.0.1.10", l.world.networkInterfaces.get(l.ep.networkInterfaceIds[0]!)!.privateIpAddress]) {
    const t = run(l, { ip, port: 22 }, {}, l.web);
    assert.equal(t.reachable, false);
    assert.deepEqual(codes(t), ["NO_ROUTE_TO_DESTINATION", "PRIVATELINK_ONE_WAY"]);
    const e = t.explanations[1]!;
    assert.equal(e.component.id, l.svc.id);
    assert.match(e.message, /only the consumer opens connections/);
    assert.match(e.fix!, /offer its own endpoint service.*create-vpc-peering-connection/);
  }
  // An address no consumer of this VPC's services has: no such explanation.
  assert.deepEqual(codes(run(l, { ip: "10.9.0.1", port: 22 }, {}, l.web)), ["NO_ROUTE_TO_DESTINATION"]);
});

test("the endpoint service must be offered in the endpoint's zone", () => {
  const l = lab3({ acceptanceRequired: false });
  // The provider's load balancer stops serving zone a after the endpoint was made there.
  l.lb.zones = l.lb.zones.filter((z) => z.zoneName !== "ap-northeast-2a");
  const t = run(l);
  assert.ok(codes(t).includes("VPCE_SERVICE_NOT_INSTALLED_IN_AZ"), JSON.stringify(t.explanations));
  assert.match(t.explanations.find((e) => e.code === "VPCE_SERVICE_NOT_INSTALLED_IN_AZ")!.message, /ap-northeast-2a \(apne2-az1\)/);
});

test("the DNS server answers the same: a customer service's private name in the consumer's VPC, a load balancer's name from anywhere", async () => {
  const l = lab3({ acceptanceRequired: false });
  modifyEndpointService(l.provider, { serviceId: l.svc.id, privateDnsName: "web.example.com" });
  verifyPrivateDnsName(l.provider, l.svc.id);
  l.ep.privateDnsEnabled = true;
  // A random base port, tried again while one of its ports is taken.
  const start = async (attempt: number): Promise<Awaited<ReturnType<typeof startDnsServer>>> => {
    const logs: string[] = [];
    const s = await startDnsServer({ basePort: 20000 + Math.floor(Math.random() * 40000), world: () => l.world, log: (line) => logs.push(line) });
    if (attempt >= 10 || !logs.some((line) => line.includes("not listening"))) return s;
    await s.close();
    return start(attempt + 1);
  };
  const server = await start(0);
  try {
    const ask = (port: number, name: string): Promise<string[]> => {
      const r = new Resolver({ timeout: 2000, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      return r.resolve4(name);
    };
    const eniA = l.world.networkInterfaces.get(l.ep.networkInterfaceIds[0]!)!.privateIpAddress;
    assert.deepEqual(await ask(server.addressOf(l.consumerVpc).port, "web.example.com"), [eniA], "through the CNAME to the regional name");
    const nodeA = l.lb.zones.find((z) => z.zoneName === "ap-northeast-2a")!.privateIpv4Address;
    assert.deepEqual(await ask(server.basePort, l.lb.dnsName), [nodeA], "the base port: the public view");
  } finally {
    await server.close();
  }
});

/** Two web servers, zone a's on 8080 and zone c's on 8081 (each with its real server), cross-zone load balancing off. */
function twoZones(): { l: Lab3; webC: Instance; asker: Parameters<typeof resolve>[1]; ips: { a: string; c: string } } {
  const l = lab3({ acceptanceRequired: false, targetPort: 8080 });
  authorize(l.provider, l.webSg, false, [tcp(8081, "10.1.0.0/16")]);
  const webC = runInstances(l.provider, { subnetId: l.subnets.c, privateIpAddress: "10.1.2.10", securityGroupIds: [l.webSg], ...named("web-server-c") })[0]!;
  registerTargets(l.provider, l.tg.id, [{ id: webC.id, port: 8081 }]);
  l.web.tags.push({ key: "vpclab:backend", value: "127.0.0.1:8080" });
  webC.tags.push({ key: "vpclab:backend", value: "127.0.0.1:8081" });
  const [a, c] = l.ep.networkInterfaceIds.map((id) => l.world.networkInterfaces.get(id)!.privateIpAddress) as [string, string];
  return { l, webC, asker: { vpcId: l.consumerVpc, component: { id: l.client.id, type: "instance" } }, ips: { a, c } };
}

test("live health counts in DNS: with zone c's only server down, the regional name and the load balancer's name answer zone a only, and every flow by name gets through", () => {
  const { l, webC, asker, ips } = twoZones();
  const name = l.ep.dnsEntries[0]!.dnsName;
  const cDown = (a: string): boolean | undefined => (a === "127.0.0.1:8081" ? false : undefined);
  assert.deepEqual(resolve(new NetworkView(l.world), asker, name).answers.map((a) => a.value).sort(), [ips.a, ips.c].sort(), "from the network, both zones are healthy");
  assert.deepEqual(resolve(new NetworkView(l.world), asker, name, 1, cDown).answers.map((a) => a.value), [ips.a]);
  const node = (z: string): string => l.lb.zones.find((x) => x.zoneName === `ap-northeast-2${z}`)!.privateIpv4Address;
  assert.deepEqual(resolve(new NetworkView(l.world), { component: { id: "internet", type: "internet" } }, l.lb.dnsName, 1, cDown).answers.map((a) => a.value), [node("a")]);
  // What `vpclab connect` does, one connection per rotation: none goes to zone c, where nothing answers.
  for (const rotation of [0, 1, 2]) {
    const t = run(l, { host: name }, { rotation, backendHealth: cDown });
    assert.equal(t.reachable, true, `rotation ${rotation}: ${JSON.stringify(t.explanations)}`);
    assert.equal(t.delivery?.instanceId, l.web.id);
  }
  // Both down: DNS fails open (every zone), and says so.
  const dig = resolve(new NetworkView(l.world), asker, name, 0, () => false);
  assert.equal(dig.answers.length, 2);
  assert.deepEqual(dig.notes.map((n) => n.code), ["ELBV2_NO_HEALTHY_ZONE"]);
  assert.match(dig.notes[0]!.message, new RegExp(`${webC.id}:8081 unhealthy \\(its real server 127\\.0\\.0\\.1:8081 does not answer\\)`));
});

test("a target group that does not admit the nodes, cross-zone off: a flow sent to zone c by the failing-open name names the security group, not cross-zone", () => {
  const l = lab3({ acceptanceRequired: false, webIngress: "10.0.0.0/16" });
  const name = l.ep.dnsEntries[0]!.dnsName;
  const ipC = l.world.networkInterfaces.get(l.ep.networkInterfaceIds[1]!)!.privateIpAddress;
  const t = run(l, { host: name }, { rotation: 1 });
  assert.equal(t.destination.ip, ipC, "the name answers both zones (no zone is healthy), and this flow takes zone c's");
  assert.equal(t.reachable, false);
  assert.deepEqual(codes(t).sort(), ["ELBV2_NO_HEALTHY_TARGET", "ENI_SG_RULES_MISMATCH"], JSON.stringify(t.explanations));
  assert.equal(t.explanations.find((e) => e.code === "ENI_SG_RULES_MISMATCH")!.component.id, l.webSg);
  assert.deepEqual(t.notes.map((n) => n.code).sort(), ["ELBV2_NO_HEALTHY_ZONE", "ELBV2_NO_TARGETS_IN_AZ"], JSON.stringify(t.notes));
  assert.match(t.notes.find((n) => n.code === "ELBV2_NO_TARGETS_IN_AZ")!.message, /only because DNS answers every zone/);
  const said = JSON.stringify([t.notes, t.forward.map((h) => h.detail)]);
  assert.doesNotMatch(said, /\(cross-zone load balancing\)|cross-zone on/, "cross-zone is off: nothing says it carried the flow");
  // Addressed to zone c's interface directly, no name chose the zone: the zone is a blocker of its own.
  const direct = run(l, { ip: ipC });
  assert.deepEqual(codes(direct), ["ELBV2_NO_TARGETS_IN_AZ", "ELBV2_NO_HEALTHY_TARGET", "ENI_SG_RULES_MISMATCH"]);
  assert.ok(!direct.notes.some((n) => n.code === "AVAILABILITY_ZONE_CROSSED"), JSON.stringify(direct.notes));
});

test("health checks failing but traffic admitted, cross-zone off: a flow the failing-open name sends to zone c is blocked by the zone, with the health checks as the cause", () => {
  const l = lab3({ acceptanceRequired: false });
  modifyTargetGroup(l.provider, l.tg.id, { healthCheckPort: "8080" });
  const t = run(l, { host: l.ep.dnsEntries[0]!.dnsName }, { rotation: 1 });
  assert.deepEqual(codes(t), ["ELBV2_NO_TARGETS_IN_AZ"], JSON.stringify(t.explanations));
  assert.match(t.explanations[0]!.message, /only because no target is healthy/);
  assert.match(t.explanations[0]!.fix!, /describe-target-health .*cross_zone\.enabled,Value=true/);
});

test("the DNS server, given the prober's live health, leaves out zone c when its only server is down", async () => {
  const { l, ips } = twoZones();
  const start = async (attempt: number): Promise<Awaited<ReturnType<typeof startDnsServer>>> => {
    const logs: string[] = [];
    const s = await startDnsServer({ basePort: 20000 + Math.floor(Math.random() * 40000), world: () => l.world, log: (line) => logs.push(line), backendHealth: (a) => a !== "127.0.0.1:8081" });
    if (attempt >= 10 || !logs.some((line) => line.includes("not listening"))) return s;
    await s.close();
    return start(attempt + 1);
  };
  const server = await start(0);
  try {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${server.addressOf(l.consumerVpc).port}`]);
    assert.deepEqual(await r.resolve4(l.ep.dnsEntries[0]!.dnsName), [ips.a]);
  } finally {
    await server.close();
  }
});
