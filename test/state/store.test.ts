// One contract, every store: a change is journaled and survives a reload, a failed change is
// undone, save replaces, reset forgets. The SQLite store also: another process's writes are seen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore, type JournalEntry, type Replay, type Store } from "../../src/state/store.js";
import { SqliteStore } from "../../src/state/sqlite.js";
import { createVpc } from "../../src/control/vpcs.js";
import { AwsError } from "../../src/model/errors.js";
import type { World } from "../../src/model/world.js";

const ACCOUNT = "111111111111";
const REGION = "ap-northeast-2";

/** A tiny action table: the journal entry is the call, replay re-runs it. */
const replay: Replay = (world, entry) => {
  const input = entry.input as { cidrBlock: string; crashAfterMutating?: boolean };
  createVpc({ world, account: entry.account, region: entry.region }, { cidrBlock: input.cidrBlock });
  if (input.crashAfterMutating) throw new Error("half-applied");
};

function change(cidrBlock: string, extra: Record<string, unknown> = {}): (world: World) => { result: string; entry: JournalEntry } {
  return (world) => {
    const entry: JournalEntry = { at: "", account: ACCOUNT, region: REGION, service: "ec2", action: "CreateVpc", input: { cidrBlock, ...extra } };
    const before = world.vpcs.size;
    replay(world, entry);
    return { result: [...world.vpcs.keys()][before]!, entry };
  };
}

const dirs: string[] = [];
const stores: [string, () => { store: Store; reopen: () => Store }][] = [
  ["memory", () => {
    const store = new MemoryStore(replay);
    return { store, reopen: () => store };
  }],
  ["sqlite", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "vpclab-")), "data");
    dirs.push(dir);
    return { store: new SqliteStore(dir, replay), reopen: () => new SqliteStore(dir, replay) };
  }],
];

for (const [name, make] of stores) {
  test(`${name} store: journaled changes survive a reload, ids continue, reset empties`, () => {
    const { store, reopen } = make();
    assert.equal(store.load().vpcs.size, 0, "starts empty");
    const a = store.write(change("10.0.0.0/16"));
    const b = store.write(change("10.1.0.0/16"));
    const again = reopen();
    const loaded = again.load();
    assert.deepEqual([...loaded.vpcs.keys()], [a, b]);
    assert.deepEqual(loaded.toSnapshot(), store.load().toSnapshot(), "replaying the journal gives the same world, byte for byte");
    const c = again.write(change("10.2.0.0/16"));
    assert.ok(c !== a && c !== b, "ids continue, never repeat");
    again.reset();
    assert.equal(again.load().vpcs.size, 0);
  });

  test(`${name} store: a failed change is undone, an AwsError leaves the world as it was`, () => {
    const { store } = make();
    store.write(change("10.0.0.0/16"));
    const before = JSON.stringify(store.load().toSnapshot());
    assert.throws(() => store.write(() => {
      throw new AwsError("InvalidVpcID.NotFound", "nope");
    }), /nope/);
    assert.equal(JSON.stringify(store.load().toSnapshot()), before);
    // A bug that throws after mutating: the stored state wins over the half-changed world.
    assert.throws(() => store.write(change("10.9.0.0/16", { crashAfterMutating: true })), /half-applied/);
    assert.equal(JSON.stringify(store.load().toSnapshot()), before);
  });

  test(`${name} store: save replaces the world and folds the journal into a checkpoint`, () => {
    const { store, reopen } = make();
    store.write(change("10.0.0.0/16"));
    const world = store.load().clone();
    createVpc({ world, account: ACCOUNT, region: REGION }, { cidrBlock: "10.5.0.0/16" });
    store.save(world);
    assert.equal(reopen().load().vpcs.size, 2);
  });
}

test("sqlite store: a second process's writes are seen by the first", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "vpclab-")), "data");
  const one = new SqliteStore(dir, replay);
  const two = new SqliteStore(dir, replay);
  const a = one.write(change("10.0.0.0/16"));
  assert.ok(two.load().vpcs.has(a));
  const b = two.write(change("10.1.0.0/16"));
  assert.ok(one.load().vpcs.has(b), "the first store reloads when data_version moves");
  assert.notEqual(a, b);
  one.close();
  two.close();
  assert.equal(new SqliteStore(dir, replay).load().vpcs.size, 2, "close checkpoints; nothing is lost");
});
