// The provider's side of PrivateLink in lab files: load balancers, target groups, endpoint
// services, two accounts in two files, acceptance, Gateway Load Balancer endpoints and routes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ApplyResult, applyLab, LabFileError } from "../../src/lab/apply.js";
import { World } from "../../src/model/world.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const read = (name: string): string => readFileSync(`${EXAMPLES}${name}`, "utf8");
const PROVIDER = read("lab3-provider.yaml");
const CONSUMER = read("lab3-consumer.yaml");
const ACCEPT = read("lab3-step4-accept.yaml");

function applyAll(world: World, ...files: [string, string][]): ApplyResult {
  let r: ApplyResult = { world, created: [], changed: [] };
  for (const [name, text] of files) r = applyLab(r.world, text, name);
  return r;
}

function fails(world: World, text: string, pattern: RegExp, file = "lab.yaml"): void {
  const before = JSON.stringify(world.toSnapshot());
  assert.throws(() => applyLab(world, text, file), (e: unknown) => {
    assert.ok(e instanceof LabFileError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
  assert.equal(JSON.stringify(world.toSnapshot()), before, "the world is untouched");
}

const named = <T extends { tags: { key: string; value: string }[] }>(items: Iterable<T>, name: string): T =>
  [...items].find((r) => r.tags.some((t) => t.key === "Name" && t.value === name))!;

test("lab 3 as files: the provider's NLB, target group, listener and service; the consumer's endpoint waits, then is accepted", () => {
  const provider = applyLab(new World(), PROVIDER, "lab3-provider.yaml");
  const w = provider.world;
  const web = named(w.instances.values(), "web-server");
  assert.equal(web.ownerId, "111111111111");
  assert.deepEqual(web.tags.find((t) => t.key === "vpclab:backend"), { key: "vpclab:backend", value: "127.0.0.1:8080" });

  const lb = [...w.loadBalancers.values()][0]!;
  assert.equal(lb.name, "web-nlb");
  assert.deepEqual([lb.type, lb.scheme, lb.ownerId], ["network", "internal", "111111111111"]);
  assert.deepEqual(lb.zones.map((z) => z.zoneName).sort(), ["ap-northeast-2a", "ap-northeast-2c"]);
  assert.equal(lb.attributes["load_balancing.cross_zone.enabled"], "true", "the one target is in 2a: the 2c node needs cross-zone");
  const tg = [...w.targetGroups.values()][0]!;
  assert.deepEqual([tg.name, tg.protocol, tg.port, tg.targetType, tg.vpcId], ["web-tg", "TCP", 80, "instance", web.vpcId]);
  assert.deepEqual(tg.targets.map((t) => [t.id, t.port]), [[web.id, 80]]);
  const listeners = [...w.listeners.values()];
  assert.equal(listeners.length, 1);
  assert.deepEqual([listeners[0]!.loadBalancerArn, listeners[0]!.port, listeners[0]!.protocol, listeners[0]!.defaultActions], [lb.id, 80, "TCP", [{ type: "forward", targetGroupArn: tg.id }]]);
  const svc = named(w.endpointServices.values(), "web-svc");
  assert.deepEqual([svc.serviceType, svc.acceptanceRequired, svc.networkLoadBalancerArns], ["Interface", true, [lb.id]]);
  assert.deepEqual(svc.allowedPrincipals.map((p) => [p.principal, p.principalType]), [["arn:aws:iam::222222222222:root", "Account"]]);
  assert.ok(provider.created.includes(`endpoint service web-svc (${svc.serviceName})`), "the service name is printed: lab 3 step 2 needs it");

  const consumer = applyLab(w, CONSUMER, "lab3-consumer.yaml");
  const ep = named(consumer.world.vpcEndpoints.values(), "web-endpoint");
  assert.deepEqual([ep.ownerId, ep.vpcEndpointType, ep.serviceName, ep.serviceId, ep.state], ["222222222222", "Interface", svc.serviceName, svc.id, "pendingAcceptance"]);
  assert.equal(ep.networkInterfaceIds.length, 2);
  assert.ok(consumer.created.some((c) => c.startsWith(`endpoint web-endpoint (${ep.id}), pendingAcceptance`)));

  const accepted = applyLab(consumer.world, ACCEPT, "lab3-step4-accept.yaml");
  assert.equal(accepted.world.vpcEndpoints.get(ep.id)!.state, "available");
  assert.deepEqual(accepted.changed, [`endpoint service web-svc: accepted web-endpoint (${ep.id}), now available`]);

  // Re-applying any of the three files, in any order, changes nothing.
  const snapshot = JSON.stringify(accepted.world.toSnapshot());
  for (const [name, text] of [["a", ACCEPT], ["c", CONSUMER], ["p", PROVIDER]] as const) {
    const again = applyLab(accepted.world, text, name);
    assert.deepEqual([again.created, again.changed], [[], []], name);
    assert.equal(JSON.stringify(again.world.toSnapshot()), snapshot, name);
  }
});

test("the three files in one apply: decisions come after the file's endpoints", () => {
  const r = applyAll(new World(), ["p", PROVIDER], ["c", CONSUMER], ["a", ACCEPT]);
  assert.equal(named(r.world.vpcEndpoints.values(), "web-endpoint").state, "available");
});

test("errors in the new sections point at the key, carry AWS's code, and change nothing", () => {
  const w = applyAll(new World(), ["p", PROVIDER]).world;
  const provider = 'region: ap-northeast-2\naccount: "111111111111"\n';
  fails(w, `${provider}loadBalancers:\n  web-nlb:\n    listeners:\n      - { port: 80, protocol: TCP, targetGroup: nope-tg }\n`,
    /^lab\.yaml:6:\d+: loadBalancers\.web-nlb\.listeners\.0\.targetGroup: no target group named 'nope-tg'/);
  fails(w, `${provider}instances:\n  web-server:\n    subnet: provider-subnet-a\n    backend: localhost\n`,
    /^lab\.yaml:6:5: instances\.web-server\.backend: 'localhost' is not HOST:PORT/);
  fails(w, `${provider}instances:\n  web-server: { subnet: provider-subnet-a, backend: { 80: 8080 } }\n`, /instances\.web-server\.backend\.80: expected HOST:PORT/);
  fails(w, `${provider}instances:\n  web-server: { subnet: provider-subnet-a, tags: { Name: other } }\n`, /instances\.web-server\.tags\.Name: the Name tag is the instance's key/);
  fails(w, `${provider}targetGroups:\n  web-tg:\n    vpc: provider-vpc\n    protocol: TCP\n    port: 80\n    targets: [web-server, ghost]\n`,
    /^lab\.yaml:8:\d+: targetGroups\.web-tg\.targets\.1: no instance named 'ghost'/);
  fails(w, `${provider}targetGroups:\n  web-tg: { vpc: provider-vpc, protocol: UDP, port: 80 }\n`, /targetGroups\.web-tg: target group 'web-tg' exists as TCP 80 .* cannot change/);
  fails(w, `${provider}targetGroups:\n  new-tg: { vpc: provider-vpc, protocol: HTTP, port: 80 }\n`, /targetGroups\.new-tg: ValidationError: .*application load balancers/);
  fails(w, `${provider}loadBalancers:\n  web-nlb: { type: gateway }\n`, /loadBalancers\.web-nlb: load balancer 'web-nlb' exists as an internal network load balancer/);
  fails(w, `${provider}endpointServices:\n  web-svc:\n    allowedPrincipals: ["222222222222", "bob"]\n`,
    /endpointServices\.web-svc\.allowedPrincipals\.1: InvalidPrincipal: Invalid Principal: 'bob'/);
  fails(w, `${provider}endpointServices:\n  web-svc: { accept: [web-endpoint] }\n`, /endpointServices\.web-svc\.accept\.0: no endpoint named 'web-endpoint' is connected/);
  fails(w, `${provider}endpointServices:\n  other-svc: { loadBalancers: [no-nlb] }\n`, /endpointServices\.other-svc\.loadBalancers\.0: no load balancer named 'no-nlb'/);

  // An account the provider did not allow: InvalidServiceName, as if the service did not exist.
  const stranger = 'region: ap-northeast-2\naccount: "333333333333"\nvpcs:\n  v: { cidr: 10.9.0.0/16 }\nsubnets:\n  s: { vpc: v, cidr: 10.9.1.0/24, az: ap-northeast-2a }\nendpoints:\n  e:\n    vpc: v\n    service: SERVICE\n    type: Interface\n    subnets: [s]\n';
  fails(w, stranger.replace("SERVICE", "{ endpointService: web-svc }"), /^lab\.yaml:10:5: endpoints\.e\.service: InvalidServiceName: The Vpc Endpoint Service 'com\.amazonaws\.vpce\.ap-northeast-2\.vpce-svc-[0-9a-f]{17}' does not exist/);
  const svc = named(w.endpointServices.values(), "web-svc");
  fails(w, stranger.replace("SERVICE", svc.serviceName), /endpoints\.e\.service: InvalidServiceName/);
  fails(w, stranger.replace("SERVICE", "{ endpointService: web-svc, owner: \"444444444444\" }"), /endpoints\.e\.service\.endpointService: no endpoint service named 'web-svc' in ap-northeast-2 \(account 444444444444\)/);
  // A subnet in an AZ the load balancer does not serve.
  const az = stranger.replace("333333333333", "222222222222").replace("ap-northeast-2a", "ap-northeast-2b").replace("SERVICE", "{ endpointService: web-svc }");
  fails(w, az, /endpoints\.e\.subnets: InvalidParameter: .*does not support the availability zone/);
});

test("declared lists are reconciled, omitted ones left alone, and changes reported", () => {
  const base = applyAll(new World(), ["p", PROVIDER], ["c", CONSUMER]);
  const provider = 'region: ap-northeast-2\naccount: "111111111111"\n';
  const next = applyLab(base.world, `${provider}
instances:
  web-2: { subnet: provider-subnet-c, backend: { 80: 127.0.0.1:8081, 443: 127.0.0.1:8443 } }
  web-server: { subnet: provider-subnet-a, tags: { team: web } }
targetGroups:
  web-tg:
    vpc: provider-vpc
    protocol: TCP
    targets: [{ instance: web-2, port: 8080 }]
  alt-tg: { vpc: provider-vpc, port: 8443 }
loadBalancers:
  web-nlb:
    crossZone: false
    listeners:
      - { port: 8443, targetGroup: alt-tg }
endpointServices:
  web-svc:
    allowedPrincipals: ["*"]
    acceptanceRequired: false
`, "x.yaml");
  const w = next.world;
  const tg = [...w.targetGroups.values()].find((g) => g.name === "web-tg")!;
  const web2 = named(w.instances.values(), "web-2");
  assert.deepEqual(tg.targets.map((t) => [t.id, t.port]), [[web2.id, 8080]], "web-server deregistered, web-2 registered on 8080");
  assert.equal(web2.tags.find((t) => t.key === "vpclab:backend")?.value, "80=127.0.0.1:8081,443=127.0.0.1:8443");
  const lb = [...w.loadBalancers.values()][0]!;
  assert.equal(lb.attributes["load_balancing.cross_zone.enabled"], "false");
  assert.deepEqual([...w.listeners.values()].map((l) => [l.port, l.protocol]), [[8443, "TCP"]], "the listener on 80 is gone");
  const svc = named(w.endpointServices.values(), "web-svc");
  assert.deepEqual([svc.allowedPrincipals.map((p) => p.principal), svc.acceptanceRequired, svc.networkLoadBalancerArns], [["*"], false, [lb.id]]);
  assert.deepEqual(next.changed, [
    "instance web-server: tags updated",
    `target group web-tg: deregistered ${named(w.instances.values(), "web-server").id}:80`,
    `target group web-tg: registered ${web2.id}:8080`,
    "load balancer web-nlb: cross-zone load balancing off",
    "load balancer web-nlb: removed the listener on 80",
    "load balancer web-nlb: a listener on 8443",
    "endpoint service web-svc: acceptance not required",
    "endpoint service web-svc: allowed principals *",
  ]);
  assert.deepEqual(named(w.instances.values(), "web-server").tags.map((t) => t.key), ["Name", "vpclab:backend", "team"], "the backend tag stays");
  // The endpoint still waits: dropping acceptance does not accept the connections already waiting.
  assert.equal(named(w.vpcEndpoints.values(), "web-endpoint").state, "pendingAcceptance");
});

test("accept: all and reject", () => {
  const base = applyAll(new World(), ["p", PROVIDER], ["c", CONSUMER]);
  const ep = named(base.world.vpcEndpoints.values(), "web-endpoint");
  const provider = 'region: ap-northeast-2\naccount: "111111111111"\nendpointServices:\n  web-svc:\n';
  const all = applyLab(base.world, `${provider}    accept: all\n`, "all.yaml");
  assert.equal(all.world.vpcEndpoints.get(ep.id)!.state, "available");
  assert.deepEqual(applyLab(all.world, `${provider}    accept: all\n`, "all.yaml").changed, [], "nothing left waiting");
  const rejected = applyLab(all.world, `${provider}    reject: [${ep.id}]\n`, "reject.yaml");
  assert.equal(rejected.world.vpcEndpoints.get(ep.id)!.state, "rejected");
  fails(rejected.world, `${provider}    accept: [web-endpoint]\n`, /endpointServices\.web-svc\.accept\.0: InvalidState: .*rejected and cannot be accepted/);
  fails(base.world, `${provider}    accept: [web-endpoint]\n    reject: [web-endpoint]\n`, /reject\.0: endpoint vpce-[0-9a-f]+ is both accepted and rejected/);
});

const GWLB = `
region: ap-northeast-2
account: "333333333333"
vpcs:
  security-vpc: { cidr: 10.50.0.0/16 }
  app-vpc: { cidr: 10.60.0.0/16 }
subnets:
  fw-subnet-a: { vpc: security-vpc, cidr: 10.50.1.0/24, az: ap-northeast-2a }
  inspection-subnet: { vpc: app-vpc, cidr: 10.60.0.0/24, az: ap-northeast-2a }
  app-subnet: { vpc: app-vpc, cidr: 10.60.1.0/24, az: ap-northeast-2a }
instances:
  firewall-1: { subnet: fw-subnet-a }
targetGroups:
  fw-tg:
    vpc: security-vpc
    protocol: GENEVE
    targets: [firewall-1]
    healthCheck: { protocol: HTTP, port: 80, path: /health, interval: 10, timeout: 5, httpCode: 200-299 }
loadBalancers:
  fw-gwlb: { type: gateway, subnets: [fw-subnet-a], listeners: [{ targetGroup: fw-tg }] }
endpointServices:
  fw-svc: { gatewayLoadBalancers: [fw-gwlb], allowedPrincipals: ["*"] }
endpoints:
  fw-endpoint: { vpc: app-vpc, service: { endpointService: fw-svc }, type: GatewayLoadBalancer, subnets: [inspection-subnet] }
routeTables:
  app-rt:
    vpc: app-vpc
    subnets: [app-subnet]
    routes:
      - { destination: 0.0.0.0/0, target: fw-endpoint }
`;

test("a gateway load balancer, its service, a Gateway Load Balancer endpoint and a route to it", () => {
  const r = applyLab(new World(), GWLB, "gwlb.yaml");
  const w = r.world;
  const lb = [...w.loadBalancers.values()][0]!;
  assert.equal(lb.type, "gateway");
  const tg = [...w.targetGroups.values()][0]!;
  assert.deepEqual([tg.protocol, tg.port, tg.healthCheck.protocol, tg.healthCheck.path], ["GENEVE", 6081, "HTTP", "/health"]);
  const listener = [...w.listeners.values()][0]!;
  assert.deepEqual([listener.port, listener.protocol], [undefined, undefined]);
  const svc = named(w.endpointServices.values(), "fw-svc");
  assert.deepEqual([svc.serviceType, svc.gatewayLoadBalancerArns], ["GatewayLoadBalancer", [lb.id]]);
  const ep = named(w.vpcEndpoints.values(), "fw-endpoint");
  assert.deepEqual([ep.vpcEndpointType, ep.state, ep.subnetIds.length], ["GatewayLoadBalancer", "available", 1]);
  const rt = named(w.routeTables.values(), "app-rt");
  assert.equal(rt.routes.find((x) => x.destinationCidrBlock === "0.0.0.0/0")?.vpcEndpointId, ep.id);
  const again = applyLab(w, GWLB, "gwlb.yaml");
  assert.deepEqual([again.created, again.changed], [[], []]);

  fails(w, 'region: ap-northeast-2\naccount: "333333333333"\nloadBalancers:\n  fw-gwlb:\n    type: gateway\n    listeners: [{ targetGroup: fw-tg }, { targetGroup: fw-tg }]\n', /loadBalancers\.fw-gwlb\.listeners\.1: a gateway load balancer has one listener/);
  fails(w, 'region: ap-northeast-2\naccount: "333333333333"\nendpoints:\n  two: { vpc: app-vpc, service: { endpointService: fw-svc }, type: GatewayLoadBalancer, subnets: [inspection-subnet, app-subnet] }\n', /endpoints\.two\.subnets: InvalidParameter: A Gateway Load Balancer endpoint needs exactly one subnet/);
  // Only a Gateway Load Balancer endpoint may be a route's target.
  const withInterface = 'region: ap-northeast-2\naccount: "333333333333"\nendpoints:\n  sts: { vpc: app-vpc, service: com.amazonaws.ap-northeast-2.sts, type: Interface, subnets: [app-subnet] }\nrouteTables:\n  app-rt:\n    vpc: app-vpc\n    routes: [{ destination: 0.0.0.0/0, target: sts }]\n';
  fails(w, withInterface, /routeTables\.app-rt\.routes\.0: InvalidParameterValue: Route target vpce-[0-9a-f]+ .*Gateway Load Balancer endpoint/);
});

test("a service's private DNS name, verified, is the consumer's once it enables private DNS", () => {
  const base = applyAll(new World(), ["p", PROVIDER], ["c", CONSUMER], ["a", ACCEPT]).world;
  const dns = 'region: ap-northeast-2\naccount: "111111111111"\nendpointServices:\n  web-svc: { privateDnsName: web.example.com, verifyPrivateDns: true }\n';
  const consumer = 'region: ap-northeast-2\naccount: "222222222222"\nendpoints:\n  web-endpoint: { vpc: consumer-vpc, service: { endpointService: web-svc }, type: Interface, privateDns: true }\n';
  const r = applyAll(base, ["dns", dns], ["c2", consumer]);
  const svc = named(r.world.endpointServices.values(), "web-svc");
  assert.deepEqual([svc.privateDnsName, svc.privateDnsNameConfiguration?.state], ["web.example.com", "verified"]);
  const ep = named(r.world.vpcEndpoints.values(), "web-endpoint");
  assert.ok(ep.privateDnsEnabled && ep.dnsEntries.some((e) => e.dnsName === "web.example.com"));
  const again = applyAll(r.world, ["dns", dns], ["c2", consumer]);
  assert.deepEqual([again.created, again.changed], [[], []]);
});
