// `vpclab trace` and `vpclab curl` on lab 3 with real web servers behind the targets, as a new
// user runs them: they agree on a server that is down, and successive requests spread over the
// endpoint's interfaces and the load balancer's targets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Trace } from "../../src/analysis/types.js";
import { vpclabAsync } from "../live/webLab.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/main.js");
const ENV = { ...process.env, NO_COLOR: "1" };
const example = (name: string): string => join(ROOT, "examples", name);

const vpclab = vpclabAsync;

async function server(page: string): Promise<{ address: string; close(): Promise<void> }> {
  const s = http.createServer((_req, res) => res.end(page));
  await new Promise<void>((done) => s.listen(0, "127.0.0.1", done));
  return {
    address: `127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => {
      s.close(() => done());
      s.closeAllConnections();
    }),
  };
}

/**
 * Lab 3 applied and accepted, web-server's real server at `backend`; with `second`, another web
 * server in zone c (10.1.2.10) registered too, its real server there. Returns the data directory
 * and the endpoint's regional name.
 */
function lab3(backend: string, second?: string): { dir: string; name: string } {
  const dir = mkdtempSync(join(tmpdir(), "vpclab-trace-"));
  let provider = readFileSync(example("lab3-provider.yaml"), "utf8").replace("backend: 127.0.0.1:8080", `backend: ${backend}`);
  if (second !== undefined) {
    provider = provider
      .replace("targets: [web-server]", "targets: [web-server, web-server-2]")
      .replace("\ntargetGroups:", `  web-server-2: { subnet: provider-subnet-c, privateIp: 10.1.2.10, securityGroups: [web-sg], backend: "${second}" }\n\ntargetGroups:`);
    assert.ok(provider.includes("web-server-2: {") && provider.includes("web-server-2]"), "the example changed: update this test");
  }
  writeFileSync(join(dir, "provider.yaml"), provider);
  const applied = spawnSync(process.execPath, [BIN, "--data", dir, "apply", join(dir, "provider.yaml"), example("lab3-consumer.yaml"), example("lab3-step4-accept.yaml")], { env: ENV, encoding: "utf8" });
  assert.equal(applied.status, 0, applied.stderr);
  const shown = JSON.parse(spawnSync(process.execPath, [BIN, "--data", dir, "show", "--output", "json"], { env: ENV, encoding: "utf8" }).stdout) as { vpcEndpoints: { dnsEntries: { dnsName: string }[] }[] };
  return { dir, name: shown.vpcEndpoints[0]!.dnsEntries[0]!.dnsName };
}

test("vpclab trace probes the real server behind the target: with it down, the trace is blocked as curl is, and says a probe found it down", async () => {
  const web = await server("<html><h1>Endpoint Service Web Server 1</h1></html>\n");
  const { dir, name } = lab3(web.address);
  const traceJson = async (): Promise<Trace> => {
    const r = await vpclab(dir, "trace", "--from", "consumer-instance", "--to", `${name}:80`, "--output", "json");
    return JSON.parse(r.out) as Trace;
  };
  let t = await traceJson();
  assert.equal(t.reachable, true, JSON.stringify(t.explanations));
  assert.ok(!t.notes.some((n) => n.code === "LIVE_BACKEND_DOWN"), JSON.stringify(t.notes));

  await web.close();
  const curl = await vpclab(dir, "curl", "--from", "consumer-instance", `http://${name}/`);
  assert.equal(curl.code, 7);
  assert.match(curl.err, /ELBV2_NO_HEALTHY_TARGET/);
  t = await traceJson();
  assert.equal(t.reachable, false, "trace agrees with curl");
  assert.deepEqual(t.explanations.map((e) => e.code), ["ELBV2_NO_HEALTHY_TARGET"]);
  assert.match(t.explanations[0]!.message, new RegExp(`the real server ${web.address} behind i-\\w+ does not answer`));
  const note = t.notes.find((n) => n.code === "LIVE_BACKEND_DOWN");
  assert.ok(note, JSON.stringify(t.notes));
  assert.equal(note.component.type, "instance");
  assert.match(note.message, new RegExp(`A live probe found ${web.address} .*down: ECONNREFUSED`));
  const text = await vpclab(dir, "trace", "--from", "consumer-instance", "--to", `${name}:80`);
  assert.equal(text.code, 1);
  assert.match(text.out, /NOT REACHABLE: 1 setting blocks this path[\s\S]*LIVE_BACKEND_DOWN/);
});

test("successive curls take successive DNS answers and targets, as connections to a real NLB spread; trace shows the next one", async () => {
  const one = await server("server 1\n");
  const two = await server("server 2\n");
  try {
    const { dir, name } = lab3(one.address, two.address);
    const pages: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await vpclab(dir, "curl", "--from", "consumer-instance", `http://${name}/`);
      assert.equal(r.code, 0, r.err);
      pages.push(r.out);
    }
    assert.deepEqual(pages, ["server 1\n", "server 2\n", "server 1\n", "server 2\n"]);
    // The fifth flow: the trace reads the counter the curls advanced, and would land where the next curl does.
    const t = JSON.parse((await vpclab(dir, "trace", "--from", "consumer-instance", "--to", `${name}:80`, "--output", "json")).out) as Trace;
    assert.equal(t.delivery?.ip, "10.1.1.10");
    const next = await vpclab(dir, "curl", "--from", "consumer-instance", `http://${name}/`);
    assert.equal(next.out, "server 1\n");
  } finally {
    await one.close();
    await two.close();
  }
});
