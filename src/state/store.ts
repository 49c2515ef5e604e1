// Where the world lives between commands: a JSON file in the data directory (written atomically,
// so a crash never leaves half a world), or memory. One interface, one contract test suite.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { World, type WorldSnapshot } from "../model/world.js";

/** The data directory holds something that is not a world: the user's to fix, not a bug. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

export interface Store {
  load(): World;
  save(world: World): void;
  reset(): void;
}

export class MemoryStore implements Store {
  private snapshot?: string;
  load(): World {
    return this.snapshot ? World.fromSnapshot(JSON.parse(this.snapshot) as WorldSnapshot) : new World();
  }
  save(world: World): void {
    this.snapshot = JSON.stringify(world.toSnapshot());
  }
  reset(): void {
    this.snapshot = undefined;
  }
}

export class FileStore implements Store {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = join(dir, "world.json");
  }
  load(): World {
    if (existsSync(this.dir) && !statSync(this.dir).isDirectory()) throw new StoreError(`${this.dir} is not a directory: --data names the directory vpclab keeps its world in`);
    if (!existsSync(this.file)) return new World();
    let snap: WorldSnapshot;
    try {
      snap = JSON.parse(readFileSync(this.file, "utf8")) as WorldSnapshot;
    } catch (e) {
      throw new StoreError(`cannot read ${this.file}: ${(e as Error).message} (run 'vpclab reset' to start over)`, { cause: e });
    }
    try {
      return World.fromSnapshot(snap);
    } catch (e) {
      throw new StoreError(`${this.file} is not a vpclab world: ${(e as Error).message} (run 'vpclab reset' to start over)`, { cause: e });
    }
  }
  save(world: World): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify(world.toSnapshot()));
      renameSync(tmp, this.file);
    } catch (e) {
      throw new StoreError(`cannot write the world to ${this.dir}: ${(e as Error).message}`, { cause: e });
    }
  }
  reset(): void {
    rmSync(this.file, { force: true });
  }
}
