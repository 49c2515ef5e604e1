// One contract, every store: what is saved is what is loaded, and reset forgets it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore, type Store } from "../../src/state/store.js";
import { SqliteStore } from "../../src/state/sqlite.js";
import { createVpc } from "../../src/control/vpcs.js";
import { runInstances } from "../../src/control/instances.js";
import { createSubnet } from "../../src/control/subnets.js";

const stores: [string, () => Store][] = [
  ["memory", () => new MemoryStore()],
  ["sqlite", () => new SqliteStore(join(mkdtempSync(join(tmpdir(), "vpclab-")), "data"))],
];

for (const [name, make] of stores) {
  test(`${name} store: round trip, id generator continues, reset empties`, () => {
    const store = make();
    assert.equal(store.load().vpcs.size, 0, "starts empty");
    const world = store.load();
    const ctx = { world, account: "111111111111", region: "ap-northeast-2" };
    const vpc = createVpc(ctx, { cidrBlock: "10.0.0.0/16" });
    const subnet = createSubnet(ctx, { vpcId: vpc.id, cidrBlock: "10.0.1.0/24" });
    runInstances(ctx, { subnetId: subnet.id });
    store.save(world);
    const loaded = store.load();
    assert.deepEqual(loaded.toSnapshot(), world.toSnapshot());
    const [next] = runInstances({ world: loaded, account: "111111111111", region: "ap-northeast-2" }, { subnetId: subnet.id });
    assert.equal(next!.privateIpAddress, "10.0.1.5", "address allocation continues after a reload");
    assert.ok(!world.instances.has(next!.id), "ids continue, never repeat");
    store.reset();
    assert.equal(store.load().vpcs.size, 0);
  });
}
