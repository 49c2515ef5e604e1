// Where the world lives: a checkpoint (a whole-world snapshot) plus a journal of the changes
// made since, each one the typed call that made it. A change is acknowledged only once its
// journal entry is stored, so it survives a crash right after; loading replays the journal on
// the checkpoint. One interface, two implementations (memory, SQLite), one contract suite.
import { isAwsError } from "../model/errors.js";
import { World, type WorldSnapshot } from "../model/world.js";

/** The data directory holds something that is not a world: the user's to fix, not a bug. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

/** One change, as the call that made it: replaying it on the world before it gives the world after. */
export interface JournalEntry {
  at: string;
  account: string;
  region: string;
  service: string;
  action: string;
  input: unknown;
}

/** Re-applies a journal entry. Supplied by whoever defines the actions (the API server). */
export type Replay = (world: World, entry: JournalEntry) => void;

export interface Store {
  /** The current world (reloaded first if another process changed it). */
  load(): World;
  /**
   * Makes one change, all or nothing: `change` mutates the world and returns its journal entry.
   * If it throws, nothing is stored and the world is restored to what is stored.
   */
  write<T>(change: (world: World) => { result: T; entry: JournalEntry }): T;
  /** Replaces the whole world, whatever it holds now (import). */
  save(world: World): void;
  /**
   * Reads the current world and replaces it with what `change` makes of it, under the write lock
   * (lab files, dig's rotation counters): no other process's change can fall in between and be lost.
   */
  update(change: (world: World) => World): World;
  /** Forgets everything. */
  reset(): void;
  close(): void;
}

/** Journal entries beyond this many are folded into a new checkpoint. */
export const CHECKPOINT_EVERY = 1000;

export function parseSnapshot(text: string, where: string): World {
  let snap: WorldSnapshot;
  try {
    snap = JSON.parse(text) as WorldSnapshot;
  } catch (e) {
    throw new StoreError(`cannot read ${where}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return World.fromSnapshot(snap);
  } catch (e) {
    throw new StoreError(`${where} is not a vpclab world: ${(e as Error).message}`, { cause: e });
  }
}

/** Applies a journal to a checkpoint. An entry that no longer applies is reported, not fatal. */
export function replayAll(world: World, entries: JournalEntry[], replay: Replay | undefined, warn: (m: string) => void): World {
  for (const entry of entries) {
    if (!replay) throw new StoreError("the data directory has a journal but no action table was given to replay it");
    try {
      world.ids.pinnedNow = entry.at || undefined;
      replay(world, entry);
    } catch (e) {
      warn(`journal entry ${entry.action} at ${entry.at} no longer applies and was skipped: ${(e as Error).message}`);
    } finally {
      world.ids.pinnedNow = undefined;
    }
  }
  return world;
}

/**
 * In memory, for --ephemeral and tests. It keeps a checkpoint and journal like the SQLite
 * store, so that a change that fails halfway is undone the same way.
 */
export class MemoryStore implements Store {
  private checkpoint?: string;
  private journal: JournalEntry[] = [];
  private world?: World;

  constructor(private readonly replay?: Replay) {}

  load(): World {
    this.world ??= this.rebuild();
    return this.world;
  }

  private rebuild(): World {
    // A new world's id seed is kept before any journal entry, or replay would draw other ids.
    this.checkpoint ??= JSON.stringify(new World().toSnapshot());
    const base = parseSnapshot(this.checkpoint, "the memory checkpoint");
    return replayAll(base, this.journal, this.replay, () => undefined);
  }

  write<T>(change: (world: World) => { result: T; entry: JournalEntry }): T {
    const world = this.load();
    try {
      const { result, entry } = change(world);
      this.journal.push(structuredClone(entry));
      world.version += 1;
      if (this.journal.length >= CHECKPOINT_EVERY) this.save(world);
      return result;
    } catch (e) {
      // Control operations validate before they mutate, so an AwsError leaves the world as it
      // was; anything else may have stopped halfway, and the stored state is the truth.
      if (!isAwsError(e)) this.world = undefined;
      throw e;
    }
  }

  update(change: (world: World) => World): World {
    const next = change(this.load());
    this.save(next);
    return next;
  }

  save(world: World): void {
    this.checkpoint = JSON.stringify(world.toSnapshot());
    this.journal = [];
    world.version += 1;
    this.world = world;
  }

  reset(): void {
    this.checkpoint = undefined;
    this.journal = [];
    this.world = undefined;
  }

  close(): void {}
}
