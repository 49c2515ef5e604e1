// The default store: SQLite in the data directory. A checkpoint row holds the world as JSON and
// a journal table the changes since, one row per acknowledged call, committed before the client
// hears back (WAL mode: a committed row survives kill -9). Several processes may share a data
// directory: writes take SQLite's write lock, and each process reloads when PRAGMA data_version
// says another one committed.
import Database from "better-sqlite3";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { isAwsError } from "../model/errors.js";
import { World } from "../model/world.js";
import { CHECKPOINT_EVERY, type JournalEntry, type Replay, type Store, StoreError, parseSnapshot, replayAll } from "./store.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), world TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
`;

export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  private world?: World;
  private seenVersion = -1;
  private journalLength = 0;
  private checkpointDue = false;
  private readonly append: Database.Statement;
  private readonly version: Database.Statement;

  constructor(readonly dir: string, private readonly replay?: Replay, private readonly warn: (m: string) => void = () => undefined) {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new StoreError(`${dir} is not a directory: --data names the directory vpclab keeps its world in`);
    this.file = join(dir, "vpclab.db");
    try {
      mkdirSync(dir, { recursive: true });
      this.db = new Database(this.file);
      this.db.pragma("journal_mode = WAL");
      // NORMAL in WAL mode: a commit is in the OS before the call returns, so a process crash
      // loses nothing; only a power cut can lose the last commits.
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("busy_timeout = 10000");
      this.db.exec(SCHEMA);
      this.append = this.db.prepare("INSERT INTO journal (entry) VALUES (?)");
      this.version = this.db.prepare("PRAGMA data_version").pluck();
    } catch (e) {
      throw new StoreError(`cannot open ${this.file}: ${(e as Error).message} (run 'vpclab reset' to start over)`, { cause: e });
    }
  }

  /** Removes a data directory's database files, readable or not. */
  static destroy(dir: string): void {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(join(dir, `vpclab.db${suffix}`), { force: true });
  }

  private dataVersion(): number {
    return this.version.get() as number;
  }

  /** The stored world, checkpoint plus journal. */
  private rebuild(): World {
    // One read transaction: the checkpoint and the journal as of the same moment.
    const { row, rows } = this.db.transaction(() => ({
      row: this.db.prepare("SELECT world FROM checkpoint WHERE id = 1").get() as { world: string } | undefined,
      rows: this.db.prepare("SELECT entry FROM journal ORDER BY seq").all() as { entry: string }[],
    }))();
    if (!row) {
      // A new world's id seed must be stored before any journal entry, or replay would draw other ids.
      // Another process may get there first: whichever checkpoint is stored is the one read back.
      this.db.prepare("INSERT OR IGNORE INTO checkpoint (id, world) VALUES (1, ?)").run(JSON.stringify(new World().toSnapshot()));
      return this.rebuild();
    }
    const base = parseSnapshot(row.world, this.file);
    const entries = rows.map((r) => JSON.parse(r.entry) as JournalEntry);
    this.journalLength = entries.length;
    return replayAll(base, entries, this.replay, this.warn);
  }

  load(): World {
    const version = this.dataVersion();
    if (!this.world || version !== this.seenVersion) {
      this.world = this.rebuild();
      this.seenVersion = version;
    }
    return this.world;
  }

  write<T>(change: (world: World) => { result: T; entry: JournalEntry }): T {
    this.db.exec("BEGIN IMMEDIATE");
    let committed = false;
    try {
      const world = this.load();
      const { result, entry } = change(world);
      this.append.run(JSON.stringify(entry));
      this.db.exec("COMMIT");
      committed = true;
      this.journalLength += 1;
      this.seenVersion = this.dataVersion();
      world.version += 1;
      if (this.journalLength >= CHECKPOINT_EVERY && !this.checkpointDue) {
        // Folded in after this answer has gone out, so no request waits for a whole-world write.
        this.checkpointDue = true;
        setImmediate(() => {
          this.checkpointDue = false;
          if (this.db.open && this.world === world && this.journalLength >= CHECKPOINT_EVERY) this.save(world);
        }).unref();
      }
      return result;
    } catch (e) {
      if (!committed) {
        this.db.exec("ROLLBACK");
        if (!isAwsError(e)) this.world = undefined;
      }
      throw e;
    }
  }

  update(change: (world: World) => World): World {
    let next: World | undefined;
    try {
      this.db.transaction(() => {
        // Inside the write lock: the world read here is the latest, and stays so until commit.
        next = change(this.load());
        this.writeCheckpoint(next);
      }).immediate();
    } catch (e) {
      this.world = undefined;
      throw e;
    }
    this.afterCheckpoint(next!);
    return next!;
  }

  save(world: World): void {
    try {
      this.db.transaction(() => this.writeCheckpoint(world)).immediate();
    } catch (e) {
      throw new StoreError(`cannot write the world to ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    this.afterCheckpoint(world);
  }

  private writeCheckpoint(world: World): void {
    const text = JSON.stringify(world.toSnapshot());
    this.db.prepare("INSERT INTO checkpoint (id, world) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET world = excluded.world").run(text);
    this.db.exec("DELETE FROM journal");
  }

  private afterCheckpoint(world: World): void {
    this.journalLength = 0;
    this.seenVersion = this.dataVersion();
    world.version += 1;
    this.world = world;
  }

  reset(): void {
    this.db.transaction(() => {
      this.db.exec("DELETE FROM checkpoint");
      this.db.exec("DELETE FROM journal");
    }).immediate();
    this.world = undefined;
  }

  close(): void {
    if (!this.db.open) return;
    if (this.world && this.journalLength > 0) this.save(this.world);
    this.db.close();
  }
}
