// traceWithLiveHealth, behind `vpclab trace`: it probes the real servers behind the load-balancer
// targets the trace may choose (and only then), and traces again with what it found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NetworkView } from "../../src/analysis/view.js";
import { applyLab } from "../../src/lab/apply.js";
import { traceWithLiveHealth } from "../../src/live/health.js";
import { World } from "../../src/model/world.js";
import { WEB_IP, labWorld, tagWeb } from "./webLab.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** Lab 3, accepted, with a second web server in zone c; web-server's real server is :18080, the second's :18081. */
function lab3(): { view: NetworkView; client: string; web: string; web2: string; name: string } {
  const provider = readFileSync(`${EXAMPLES}lab3-provider.yaml`, "utf8")
    .replace("backend: 127.0.0.1:8080", "backend: 127.0.0.1:18080")
    .replace("targets: [web-server]", "targets: [web-server, web-server-2]")
    .replace("\ntargetGroups:", "  web-server-2: { subnet: provider-subnet-c, privateIp: 10.1.2.10, securityGroups: [web-sg], backend: 127.0.0.1:18081 }\n\ntargetGroups:");
  let world = applyLab(new World(), provider, "provider.yaml").world;
  for (const f of ["lab3-consumer.yaml", "lab3-step4-accept.yaml"]) world = applyLab(world, readFileSync(`${EXAMPLES}${f}`, "utf8"), f).world;
  const named = (n: string): string => [...world.instances.values()].find((i) => i.tags.some((t) => t.key === "Name" && t.value === n))!.id;
  const client = world.instances.get(named("consumer-instance"))!.networkInterfaceId;
  return { view: new NetworkView(world), client, web: named("web-server"), web2: named("web-server-2"), name: [...world.vpcEndpoints.values()][0]!.dnsEntries[0]!.dnsName };
}

test("no load balancer on the path: nothing is probed", async () => {
  const world = labWorld();
  tagWeb(world, "127.0.0.1:18080");
  const client = [...world.instances.values()].find((i) => i.privateIpAddress === "10.0.1.10")!.networkInterfaceId;
  const probed: string[] = [];
  const t = await traceWithLiveHealth(new NetworkView(world), { from: { kind: "eni", eniId: client }, to: { ip: WEB_IP, port: 80 } }, {
    probe: (a) => {
      probed.push(a);
      return Promise.resolve({ up: false, why: "ECONNREFUSED" });
    },
  });
  assert.equal(t.reachable, true);
  assert.deepEqual(probed, []);
});

test("behind a load balancer each candidate backend is probed once; a down one is passed over, noted, and with all down the trace is blocked", async () => {
  const l = lab3();
  const probed: string[] = [];
  const down = new Set<string>(["127.0.0.1:18080"]);
  const probe = (a: string): Promise<{ up: boolean; why?: string }> => {
    probed.push(a);
    return Promise.resolve(down.has(a) ? { up: false, why: "ECONNREFUSED" } : { up: true });
  };
  const req = { from: { kind: "eni" as const, eniId: l.client }, to: { host: l.name, port: 80 } };
  for (const rotation of [0, 1]) {
    probed.length = 0;
    const t = await traceWithLiveHealth(l.view, { ...req, rotation }, { probe });
    assert.equal(t.reachable, true, JSON.stringify(t.explanations));
    assert.equal(t.delivery?.instanceId, l.web2, `rotation ${rotation}: the flow goes to the server that answers`);
    assert.deepEqual([...probed].sort(), ["127.0.0.1:18080", "127.0.0.1:18081"], "each backend once");
    const notes = t.notes.filter((n) => n.code === "LIVE_BACKEND_DOWN");
    assert.deepEqual(notes.map((n) => n.component), [{ id: l.web, type: "instance" }]);
    assert.match(notes[0]!.message, /127\.0\.0\.1:18080 \(the real server of i-\w+:80 in web-tg, by the vpclab:backend tag of i-\w+\) down: ECONNREFUSED/);
  }
  down.add("127.0.0.1:18081");
  const t = await traceWithLiveHealth(l.view, req, { probe });
  assert.equal(t.reachable, false);
  assert.deepEqual(t.explanations.map((e) => e.code), ["ELBV2_NO_HEALTHY_TARGET"]);
  assert.equal(t.notes.filter((n) => n.code === "LIVE_BACKEND_DOWN").length, 2);
});
