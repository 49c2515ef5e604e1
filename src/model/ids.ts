// Resource ids in AWS's formats (vpc-<17 hex>, ...), drawn from a seeded generator so that the
// same seed and the same operations give the same ids, byte for byte.
import { createHash, randomBytes } from "node:crypto";

export interface IdState { seed: string; counter: number; deterministic: boolean }

export class IdGenerator {
  /**
   * When set, the time a real-clock generator reports: the server pins it to the time it
   * journals with a request, so that replaying the journal reproduces timestamps exactly.
   */
  pinnedNow?: string;

  constructor(readonly state: IdState) {}

  static fresh(seed?: string): IdGenerator {
    return new IdGenerator({ seed: seed ?? randomBytes(8).toString("hex"), counter: 0, deterministic: seed !== undefined });
  }

  private bytes(): Buffer {
    this.state.counter += 1;
    return createHash("sha256").update(`${this.state.seed}:${this.state.counter}`).digest();
  }

  /** `prefix-` followed by `length` lowercase hex digits (17 for current EC2 ids). */
  next(prefix: string, length = 17): string {
    return `${prefix}-${this.bytes().toString("hex").slice(0, length)}`;
  }

  /** Lowercase letters and digits, as in the 8-character suffix of endpoint DNS names. */
  alnum(length: number): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    return [...this.bytes().subarray(0, length)].map((b) => alphabet[b % alphabet.length]).join("");
  }

  /** Creation timestamps: real time, or a fixed clock that ticks one second per call when seeded. */
  now(): string {
    if (!this.state.deterministic) return this.pinnedNow ?? new Date().toISOString();
    this.state.counter += 1;
    return new Date(Date.UTC(2026, 0, 1) + this.state.counter * 1000).toISOString();
  }
}
