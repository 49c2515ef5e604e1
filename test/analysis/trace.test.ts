// Paths beyond the seed labs: NAT, peering (and its limits), on-premises over VPN, appliances.
import { test } from "node:test";
import assert from "node:assert/strict";
import { trace, type TraceRequest } from "../../src/analysis/trace.js";
import { NetworkView } from "../../src/analysis/view.js";
import { applyLab } from "../../src/lab/apply.js";
import { World } from "../../src/model/world.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BASE = `
region: ap-northeast-2
seed: trace-tests
vpcs:
  a: { cidr: 10.0.0.0/16, dnsHostnames: true }
  b: { cidr: 10.1.0.0/16 }
  c: { cidr: 10.2.0.0/16 }
internetGateways:
  igw-a: { vpc: a }
vpnGateways:
  vgw-a: { vpc: a }
subnets:
  a-public:  { vpc: a, cidr: 10.0.0.0/24, az: ap-northeast-2a }
  a-private: { vpc: a, cidr: 10.0.1.0/24, az: ap-northeast-2a }
  b-1: { vpc: b, cidr: 10.1.1.0/24, az: ap-northeast-2a }
  c-1: { vpc: c, cidr: 10.2.1.0/24, az: ap-northeast-2a }
natGateways:
  nat-a: { subnet: a-public }
peerings:
  a-b: { vpc: a, peerVpc: b }
  b-c: { vpc: b, peerVpc: c }
routeTables:
  a-public-rt:
    vpc: a
    subnets: [a-public]
    routes: [{ destination: 0.0.0.0/0, target: igw-a }]
  a-private-rt:
    vpc: a
    subnets: [a-private]
    routes:
      - { destination: 0.0.0.0/0, target: nat-a }
      - { destination: 10.1.0.0/16, target: a-b }
      - { destination: 10.2.0.0/16, target: a-b }
  b-rt:
    vpc: b
    subnets: [b-1]
    routes: [{ destination: 10.2.0.0/16, target: b-c }]
securityGroups:
  open:
    vpc: b
    ingress: [{ protocol: tcp, ports: all, cidr: 10.0.0.0/8 }]
endpoints:
  s3: { vpc: a, service: com.amazonaws.ap-northeast-2.s3, routeTables: [a-private-rt] }
onPremises:
  office: { vpnGateway: vgw-a, cidrs: [192.168.0.0/16], propagateTo: [a-private-rt] }
instances:
  app:  { subnet: a-private, privateIp: 10.0.1.10 }
  peer: { subnet: b-1, privateIp: 10.1.1.10, securityGroups: [open] }
  far:  { subnet: c-1, privateIp: 10.2.1.10 }
`;

function world(extra = ""): NetworkView {
  return new NetworkView(applyLab(new World(), BASE + extra, "test.yaml").world);
}
function eniOf(view: NetworkView, name: string): string {
  return view.world.instances.get(view.byName("instances", name)!)!.networkInterfaceId;
}
function run(view: NetworkView, from: string, to: TraceRequest["to"]): ReturnType<typeof trace> {
  return trace(view, { from: { kind: "eni", eniId: eniOf(view, from) }, to });
}
const codes = (t: ReturnType<typeof trace>): string[] => t.explanations.map((e) => e.code);

test("a private instance reaches the internet through the NAT gateway, which sits in the public subnet", () => {
  const t = run(world(), "app", { ip: "8.8.8.8", port: 443 });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.deepEqual(t.forward.filter((h) => ["nat-gateway", "internet-gateway", "internet"].includes(h.component.type)).map((h) => h.component.type), ["nat-gateway", "internet-gateway", "internet"]);
  // The NAT gateway translates to its private address; the internet gateway maps that to the Elastic IP.
  const nat = [...world().world.natGateways.values()][0]!;
  assert.match(t.forward.find((h) => h.component.type === "nat-gateway")!.detail, new RegExp(`source becomes ${nat.privateIp.replaceAll(".", "\\.")}`));
  assert.match(t.forward.find((h) => h.component.type === "internet-gateway")!.detail, new RegExp(`translated to its public address ${nat.publicIp!.replaceAll(".", "\\.")}`));
});

test("peering reaches the peer VPC only when its route table routes the replies back", () => {
  let t = run(world(), "app", { ip: "10.1.1.10", port: 22 });
  assert.equal(t.reachable, false);
  assert.deepEqual(codes(t), ["NO_ROUTE_TO_DESTINATION"]);
  assert.equal(t.explanations[0]!.component.type, "route-table");
  assert.match(t.explanations[0]!.message, /no route back to 10\.0\.1\.10/);
  const v = new NetworkView(applyLab(new World(), BASE.replace("routes: [{ destination: 10.2.0.0/16, target: b-c }]", "routes: [{ destination: 10.2.0.0/16, target: b-c }, { destination: 10.0.0.0/16, target: a-b }]"), "t.yaml").world);
  t = run(v, "app", { ip: "10.1.1.10", port: 22 });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
});

test("peering is not transitive: A cannot reach C through B", () => {
  const t = run(world(), "app", { ip: "10.2.1.10", port: 22 });
  assert.deepEqual(codes(t), ["PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"]);
});

test("on-premises traffic cannot use a gateway endpoint, and the VPC's instances reach on-premises over the VPN", () => {
  const view = world();
  const vpn = view.byName("vpnConnections", "office")!;
  const fromOffice = trace(view, { from: { kind: "vpn", vpnConnectionId: vpn }, to: { ip: "52.219.60.10", port: 443 } });
  assert.deepEqual(codes(fromOffice), ["GATEWAY_ENDPOINT_NOT_TRANSITIVE"]);
  const toApp = trace(view, { from: { kind: "vpn", vpnConnectionId: vpn }, to: { ip: "10.0.1.10", port: 22 } });
  assert.deepEqual(codes(toApp), ["ENI_SG_RULES_MISMATCH"], "the default group admits only itself");
  const toOffice = run(view, "app", { ip: "192.168.1.20", port: 22 });
  assert.equal(toOffice.reachable, true, JSON.stringify(toOffice.explanations));
  assert.equal(toOffice.destination.component?.type, "vpn-connection");
});

test("gateway endpoints carry TCP only", () => {
  const t = run(world(), "app", { ip: "52.219.60.10", port: 53, protocol: "udp" });
  assert.ok(codes(t).includes("VPCE_GATEWAY_PROTOCOL_RESTRICTION"));
});

test("every blocker is reported: security group, both ACL directions, and the missing public IP", () => {
  const extra = BASE.replace("securityGroups:\n", "securityGroups:\n  tight:\n    vpc: a\n    egress: [{ protocol: tcp, port: 80, cidr: 0.0.0.0/0 }]\n") + `  web: { subnet: a-public, privateIp: 10.0.0.20, securityGroups: [tight] }
networkAcls:
  strict:
    vpc: a
    subnets: [a-public]
    outbound: [{ rule: 100, protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }]
    inbound:  [{ rule: 100, protocol: tcp, ports: 1024-2000, cidr: 0.0.0.0/0 }]
`;
  const v = new NetworkView(applyLab(new World(), extra, "t.yaml").world);
  const t = run(v, "web", { ip: "8.8.8.8", port: 443 });
  assert.deepEqual(codes(t).sort(), ["ENI_SG_RULES_MISMATCH", "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "SUBNET_ACL_RESTRICTION", "SUBNET_ACL_RESTRICTION"].sort());
  assert.ok(t.return.some((h) => h.verdict === "block" && h.component.type === "network-acl"), "the return path's ACL check is a hop");
});

const ONE_VPC = `
region: ap-northeast-2
seed: trace-tests-2
vpcs:
  v: { cidr: 10.0.0.0/16, dnsHostnames: true }
internetGateways:
  igw: { vpc: v }
subnets:
  a: { vpc: v, cidr: 10.0.1.0/24, az: ap-northeast-2a }
  pub: { vpc: v, cidr: 10.0.0.0/24, az: ap-northeast-2a }
  s1: { vpc: v, cidr: 10.0.5.0/24 }
  s2: { vpc: v, cidr: 10.0.6.0/24 }
networkAcls:
  deny-all: { vpc: v, subnets: [a], inbound: [], outbound: [] }
natGateways:
  n1: { subnet: s1 }
  n2: { subnet: s2 }
routeTables:
  pub-rt: { vpc: v, subnets: [pub], routes: [{ destination: 0.0.0.0/0, target: igw }] }
  r1: { vpc: v, subnets: [s1], routes: [{ destination: 0.0.0.0/0, target: n2 }] }
  r2: { vpc: v, subnets: [s2], routes: [{ destination: 0.0.0.0/0, target: n1 }] }
securityGroups:
  open: { vpc: v, ingress: [{ protocol: tcp, ports: all, cidr: 0.0.0.0/0 }] }
instances:
  c: { subnet: a, privateIp: 10.0.1.10 }
  d: { subnet: a, privateIp: 10.0.1.11, securityGroups: [open] }
  looped: { subnet: s1, privateIp: 10.0.5.10 }
  web: { subnet: pub, privateIp: 10.0.0.10, publicIp: true, securityGroups: [open] }
  stranded: { subnet: s2, privateIp: 10.0.6.10, publicIp: true, securityGroups: [open] }
`;

test("network ACLs do not filter traffic that stays inside one subnet", () => {
  const view = new NetworkView(applyLab(new World(), ONE_VPC, "t.yaml").world);
  const t = run(view, "c", { ip: "10.0.1.11", port: 22 });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.ok(!t.forward.some((h) => h.component.type === "network-acl"));
});

test("inbound from the internet needs a route back to the internet gateway", () => {
  const view = new NetworkView(applyLab(new World(), ONE_VPC, "t.yaml").world);
  const publicOf = (name: string): string => view.world.instances.get(view.byName("instances", name)!)!.publicIpAddress!;
  // web -> stranded's public IP: stranded's subnet routes 0.0.0.0/0 to a NAT gateway, not the internet gateway.
  let t = run(view, "web", { ip: publicOf("stranded"), port: 22 });
  assert.deepEqual(codes(t), ["NO_ROUTE_TO_DESTINATION"]);
  assert.match(t.explanations[0]!.message, /no route back to .* through igw-/);
  t = run(view, "stranded", { ip: publicOf("web"), port: 22 });
  assert.ok(codes(t).includes("ROUTING_LOOP"), "two NAT gateways routing to each other loop");
});

test("a NAT gateway loop is named, not a silent failure", () => {
  const view = new NetworkView(applyLab(new World(), ONE_VPC, "t.yaml").world);
  const t = run(view, "looped", { ip: "8.8.8.8", port: 443 });
  assert.deepEqual(codes(t), ["ROUTING_LOOP"]);
});

test("on-premises traffic needs a route back to the VPN gateway", () => {
  const noPropagation = BASE.replace("propagateTo: [a-private-rt]", "propagateTo: []");
  const view = new NetworkView(applyLab(new World(), noPropagation, "t.yaml").world);
  const t = trace(view, { from: { kind: "vpn", vpnConnectionId: view.byName("vpnConnections", "office")! }, to: { ip: "10.0.1.10", port: 22 } });
  assert.ok(codes(t).includes("NO_ROUTE_TO_DESTINATION"));
  assert.ok(t.return.some((h) => h.component.type === "route-table" && h.verdict === "block"));
});

test("security-group rules may reference a group in a peered VPC", () => {
  const lab = BASE.replace("securityGroups:\n", `securityGroups:
  client:
    vpc: a
    egress: [{ protocol: tcp, port: 443, group: server }]
  server:
    vpc: b
    ingress: [{ protocol: tcp, port: 443, cidr: 10.0.0.0/16 }]
`).replace("  peer: { subnet: b-1, privateIp: 10.1.1.10, securityGroups: [open] }", "  peer: { subnet: b-1, privateIp: 10.1.1.10, securityGroups: [open, server] }\n  client: { subnet: a-public, privateIp: 10.0.0.30, securityGroups: [client] }")
    .replace("routes: [{ destination: 10.2.0.0/16, target: b-c }]", "routes: [{ destination: 10.2.0.0/16, target: b-c }, { destination: 10.0.0.0/16, target: a-b }]")
    .replace("routes: [{ destination: 0.0.0.0/0, target: igw-a }]", "routes: [{ destination: 0.0.0.0/0, target: igw-a }, { destination: 10.1.0.0/16, target: a-b }]");
  const view = new NetworkView(applyLab(new World(), lab, "t.yaml").world);
  const t = run(view, "client", { ip: "10.1.1.10", port: 443 });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  const egress = t.forward.find((h) => h.component.type === "security-group-egress")!;
  assert.match(String(egress.rule?.["rule"]), /to sg-/);
});

const fixture = (name: string): NetworkView =>
  new NetworkView(applyLab(new World(), readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url)), "utf8"), name).world);

test("ingress through an appliance: the destination must route replies back through it or the gateway", () => {
  let view = fixture("ingress-appliance.yaml");
  const web = view.world.instances.get(view.byName("instances", "srv")!)!;
  let t = run(view, "cli", { ip: web.publicIpAddress!, port: 80 });
  const firewall = view.world.instances.get(view.byName("instances", "fwi")!)!;
  assert.ok(t.forward.some((h) => h.component.name === "edge-rt" && [firewall.id, firewall.networkInterfaceId].some((id) => h.detail.endsWith(id))), "the edge route table sends it through the firewall");
  assert.deepEqual(codes(t), ["NO_ROUTE_TO_DESTINATION"]);
  assert.match(t.explanations[0]!.message, /no route back/);
  const fixedText = readFileSync(fileURLToPath(new URL("../../../test/fixtures/ingress-appliance.yaml", import.meta.url)), "utf8")
    .replace("    subnets: [web]\n", "    subnets: [web]\n    routes: [{ destination: 0.0.0.0/0, target: fwi }]\n");
  view = new NetworkView(applyLab(new World(), fixedText, "fixed.yaml").world);
  t = run(view, "cli", { ip: web.publicIpAddress!, port: 80 });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
});

test("security-group references follow the route when peered VPCs overlap each other", () => {
  const t = run(fixture("overlapping-peers.yaml"), "x", { ip: "10.1.1.10", port: 22 });
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.equal(t.destination.component?.name, "yc");
});

test("no public IP is one blocker, not a false missing route back; a NAT gateway is no destination", () => {
  const view = world();
  const nat = [...view.world.natGateways.values()][0]!;
  const t = run(view, "peer", { ip: nat.publicIp!, port: 443 });
  assert.ok(codes(t).includes("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS") || codes(t).includes("NO_ROUTE_TO_DESTINATION"));
  assert.ok(!t.explanations.some((e) => /no route back/.test(e.message)), JSON.stringify(t.explanations));
  const fromApp = run(view, "app", { ip: nat.privateIp, port: 443 });
  assert.deepEqual(codes(fromApp), ["NO_POSSIBLE_DESTINATION"]);
});
