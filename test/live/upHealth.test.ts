// `vpclab up`'s health prober wired to the API: DescribeTargetHealth shows a target healthy while
// the real server behind it listens, and unhealthy once it stops, without the server crashing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../src/cli/up.js";
import { applyLab } from "../../src/lab/apply.js";
import { BACKEND_TAG } from "../../src/model/backends.js";
import { World } from "../../src/model/world.js";
import { replayEntry } from "../../src/server/engine.js";
import { SqliteStore } from "../../src/state/sqlite.js";
import { webServer } from "./webLab.js";

const PROVIDER = fileURLToPath(new URL("../../../examples/lab3-provider.yaml", import.meta.url));

interface Described { targetHealthDescriptions: { target: { id: string }; targetHealth: { state: string; reason?: string; description?: string } }[] }

test("DescribeTargetHealth follows the real server: healthy while it listens, unhealthy once it is stopped", async () => {
  const web = await webServer();
  const data = mkdtempSync(join(tmpdir(), "vpclab-uphealth-"));
  const world = applyLab(new World(), readFileSync(PROVIDER, "utf8"), PROVIDER).world;
  const server = [...world.instances.values()].find((i) => i.tags.some((t) => t.key === "Name" && t.value === "web-server"))!;
  server.tags = [...server.tags.filter((t) => t.key !== BACKEND_TAG), { key: BACKEND_TAG, value: web.address }];
  const tgArn = [...world.targetGroups.values()][0]!.id;
  const store = new SqliteStore(data, replayEntry);
  store.save(world);
  store.close();

  const logs: string[] = [];
  const running = await startServer({ port: 0, host: "127.0.0.1", data, ephemeral: false, region: "ap-northeast-2", out: (l) => logs.push(l), healthIntervalMs: 60_000 });
  const describe = (): Described => running.engine.execute({
    service: "elbv2", action: "DescribeTargetHealth", account: "111111111111", region: "ap-northeast-2",
    params: [["TargetGroupArn", tgArn]],
  }) as Described;
  try {
    assert.ok(running.health, "the prober runs when an interval is given");
    await running.health.check();
    assert.equal(describe().targetHealthDescriptions[0]!.targetHealth.state, "healthy");

    await web.close();
    await running.health.check();
    const h = describe().targetHealthDescriptions[0]!.targetHealth;
    assert.equal(h.state, "unhealthy");
    assert.equal(h.reason, "Target.FailedHealthChecks");
    assert.match(h.description ?? "", new RegExp(`${web.address} behind i-\\w+ does not answer`));
    assert.ok(logs.some((l) => l.startsWith(`health: backend ${web.address}`) && l.includes("is down: ECONNREFUSED")), logs.join("\n"));
  } finally {
    await running.close();
  }
});
