// The live health prober behind DescribeTargetHealth: the backends registered targets stand for,
// up while their server listens and down once it is closed; and the data plane's memory of
// backends it just failed to reach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DownMemory, HealthProber, probe, registeredBackends } from "../../src/live/health.js";
import type { TargetGroup } from "../../src/model/loadBalancing.js";
import type { World } from "../../src/model/world.js";
import { OTHER_IP, WEB_IP, labWorld, tagWeb, webServer } from "./webLab.js";

/** A target group with the web instance (by id) and the untagged one (by IP) registered on 80. */
function withTargetGroup(world: World): void {
  const web = [...world.instances.values()].find((i) => i.privateIpAddress === WEB_IP)!;
  const untagged = [...world.instances.values()].find((i) => i.privateIpAddress === OTHER_IP)!;
  const arn = "arn:aws:elasticloadbalancing:ap-northeast-2:000000000000:targetgroup/web/0123456789abcdef";
  const base: Omit<TargetGroup, "targets" | "targetType"> = {
    id: arn, name: "web", protocol: "TCP", port: 80, vpcId: web.vpcId, region: web.region, ownerId: web.ownerId, tags: [], attributes: {},
    healthCheck: { enabled: true, protocol: "TCP", port: "traffic-port", intervalSeconds: 30, timeoutSeconds: 10, healthyThresholdCount: 5, unhealthyThresholdCount: 2 },
  };
  world.targetGroups.set(arn, { ...base, targetType: "instance", targets: [{ id: web.id, port: 80 }, { id: untagged.id, port: 80 }] });
  world.targetGroups.set(`${arn}1`, { ...base, id: `${arn}1`, name: "web-ip", targetType: "ip", targets: [{ id: WEB_IP, port: 80 }] });
}

test("registeredBackends: the tagged targets' real servers, by instance id and by IP; untagged targets have none", () => {
  const world = labWorld();
  withTargetGroup(world);
  tagWeb(world, "80=127.0.0.1:18080");
  const map = registeredBackends(world);
  assert.deepEqual([...map.keys()], ["127.0.0.1:18080"]);
  assert.equal(map.get("127.0.0.1:18080")!.length, 2, "the instance target and the ip target stand for the same server");
});

test("the prober: a backend is up while its server listens, down once it is closed", async () => {
  const web = await webServer();
  const world = labWorld();
  withTargetGroup(world);
  tagWeb(world, web.address);
  const logs: string[] = [];
  const prober = new HealthProber({ world: () => world, intervalMs: 60_000, timeoutMs: 500, log: (l) => logs.push(l) });
  try {
    await prober.check();
    assert.equal(prober.health(web.address), true);
    assert.match(logs[0]!, new RegExp(`^backend ${web.address} \\(i-\\w+:80 in web, ${WEB_IP.replace(/\./g, "\\.")}:80 in web-ip\\) is up$`));
    await web.close();
    await prober.check();
    assert.equal(prober.health(web.address), false);
    assert.match(logs.at(-1)!, /is down: ECONNREFUSED$/);
  } finally {
    prober.close();
  }
});

test("an address never seen is unknown at first, then probed on demand", async () => {
  const web = await webServer();
  const prober = new HealthProber({ world: labWorld, intervalMs: 60_000, timeoutMs: 500 });
  try {
    assert.equal(prober.health(web.address), undefined);
    for (let i = 0; i < 50 && prober.health(web.address) === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(prober.health(web.address), true);
  } finally {
    prober.close();
    await web.close();
  }
});

test("probe: a malformed address and a closed port are down, never thrown", async () => {
  assert.deepEqual(await probe("nonsense", 100), { up: false, why: "not HOST:PORT" });
  const web = await webServer();
  const address = web.address;
  await web.close();
  assert.equal((await probe(address, 500)).up, false);
});

test("DownMemory: held down for a while, then back to what the fallback says", async () => {
  const memory = new DownMemory(30, (a) => (a === "127.0.0.1:1" ? true : undefined));
  assert.equal(memory.health("127.0.0.1:1"), true);
  memory.markDown("127.0.0.1:1");
  assert.equal(memory.health("127.0.0.1:1"), false);
  assert.equal(memory.health("127.0.0.1:2"), undefined);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(memory.health("127.0.0.1:1"), true);
});
