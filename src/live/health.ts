// The live health of the real servers behind load-balancer targets: a prober that TCP-connects
// to each backend a target group's targets stand for (the `vpclab:backend` tag), for
// DescribeTargetHealth and the trace's choice of target; and a short memory of backends a data
// plane just failed to reach, so that the next flows skip them as a load balancer would; and a
// trace that probes the backends it may choose (`vpclab trace`), so that it says what curl finds.
import net from "node:net";
import { trace, type TraceRequest } from "../analysis/trace.js";
import type { Explanation, Trace } from "../analysis/types.js";
import type { NetworkView } from "../analysis/view.js";
import { backendFor } from "../model/backends.js";
import type { World } from "../model/world.js";
import { addressOf } from "./flow.js";

export type Health = (address: string) => boolean | undefined;

/** One target standing for a backend: "i-...:80 in web-tg", and the instance or interface whose tag names the backend. */
export interface BackendUse { label: string; taggedOn: string }

/**
 * The backend address ("host:port") of every registered target, with the targets that stand for
 * it: the server behind the target's traffic port, and behind its health-check port when the
 * group checks another one (DescribeTargetHealth asks about that one).
 */
export function registeredBackends(world: World): Map<string, string[]> {
  return new Map([...backendUses(world)].map(([address, uses]) => [address, uses.map((u) => u.label)]));
}

/** registeredBackends, with where each target's tag is. */
export function backendUses(world: World): Map<string, BackendUse[]> {
  const out = new Map<string, BackendUse[]>();
  for (const tg of world.targetGroups.values()) {
    for (const t of tg.targets) {
      const inst = tg.targetType === "instance" ? world.instances.get(t.id) : undefined;
      const ip = tg.targetType === "instance" ? inst?.privateIpAddress : t.id;
      if (ip === undefined) continue;
      const checked = tg.healthCheck.port === "traffic-port" ? t.port : Number(tg.healthCheck.port);
      for (const port of new Set([t.port, checked])) {
        const found = backendFor(world, inst?.vpcId ?? tg.vpcId, ip, port);
        if (!found.found) continue;
        const address = addressOf(found.backend);
        const list = out.get(address) ?? [];
        list.push({ label: `${t.id}:${port} in ${tg.name}`, taggedOn: found.taggedOn });
        out.set(address, list);
      }
    }
  }
  return out;
}

/**
 * Whether a TCP connection to host:port opens within timeoutMs; the error code when it does not.
 * `hold`: the probe keeps the process alive until it ends (a command waiting for its answer).
 */
export function probe(address: string, timeoutMs: number, hold = false): Promise<{ up: boolean; why?: string }> {
  // The port is what follows the last colon (an IPv6 host keeps its own colons, brackets optional).
  const m = /^\[?(.+?)\]?:(\d+)$/.exec(address);
  if (!m) return Promise.resolve({ up: false, why: "not HOST:PORT" });
  return new Promise((done) => {
    const s = net.connect({ host: m[1]!, port: Number(m[2]) });
    // A background probe never keeps the process alive on its own (vpclab up stopping, a CLI finishing).
    if (!hold) s.unref();
    const finish = (up: boolean, why?: string): void => {
      s.destroy();
      done(why === undefined ? { up } : { up, why });
    };
    s.setTimeout(timeoutMs, () => finish(false, `no answer within ${timeoutMs} ms`));
    s.once("connect", () => finish(true));
    s.once("error", (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
  });
}

export interface ProberOptions {
  /** The current world (the server's store.load()). */
  world: () => World;
  /** Between rounds; a round also runs at start and on check(). */
  intervalMs: number;
  timeoutMs?: number;
  /** Told when a backend is first seen and whenever it changes state. */
  log?: (line: string) => void;
}

/**
 * Probes every registered target's backend every intervalMs (timers unref'd: it never keeps the
 * process alive), and on demand an address it is asked about and has not seen.
 */
export class HealthProber {
  private readonly state = new Map<string, { up: boolean; at: number }>();
  private readonly pending = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private round?: Promise<void>;
  private closed = false;

  constructor(private readonly opts: ProberOptions) {
    this.timer = setInterval(() => void this.check(), opts.intervalMs);
    this.timer.unref();
    void this.check();
  }

  /** True up, false down, undefined not probed yet (a probe is started, so a later call knows). */
  readonly health: Health = (address) => {
    const s = this.state.get(address);
    if (!s) void this.probeOne(address, []);
    return s?.up;
  };

  /** One round now (or the one under way): every registered target's backend. */
  check(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async runRound(): Promise<void> {
    let wanted: Map<string, string[]>;
    try {
      wanted = registeredBackends(this.opts.world());
    } catch (e) {
      this.opts.log?.(`warning: cannot read the world to probe backends: ${(e as Error).message}`);
      return;
    }
    await Promise.all([...wanted].map(([address, targets]) => this.probeOne(address, targets)));
    // Addresses no target stands for any more, and not asked about lately, are forgotten.
    const stale = Date.now() - 3 * this.opts.intervalMs;
    for (const [address, s] of this.state) if (!wanted.has(address) && s.at < stale) this.state.delete(address);
  }

  private async probeOne(address: string, targets: string[]): Promise<void> {
    if (this.closed || this.pending.has(address)) return;
    this.pending.add(address);
    try {
      const r = await probe(address, this.opts.timeoutMs ?? Math.min(2000, this.opts.intervalMs));
      if (this.closed) return;
      const before = this.state.get(address);
      this.state.set(address, { up: r.up, at: Date.now() });
      if (before?.up !== r.up) {
        const who = targets.length > 0 ? ` (${targets.join(", ")})` : "";
        this.opts.log?.(`backend ${address}${who} is ${r.up ? "up" : `down: ${r.why ?? "?"}`}`);
      }
    } finally {
      this.pending.delete(address);
    }
  }
}

/**
 * Backends a data plane failed to reach just now, held down for a while so that the following
 * flows go to other targets; otherwise whatever a fallback (a prober) knows.
 */
export class DownMemory {
  private readonly down = new Map<string, number>();

  constructor(private readonly holdMs = 2000, private readonly fallback?: Health) {}

  markDown(address: string): void {
    this.down.set(address, Date.now() + this.holdMs);
  }

  readonly health: Health = (address) => {
    const until = this.down.get(address);
    if (until !== undefined) {
      if (until > Date.now()) return false;
      this.down.delete(address);
    }
    return this.fallback?.(address);
  };
}

/** How long `vpclab trace` waits for each real backend to accept a connection. */
export const TRACE_PROBE_TIMEOUT_MS = 500;
/** At most this many rounds of probes (each one for backends the previous trace newly asked about). */
const MAX_PROBE_ROUNDS = 8;

export type Probe = (address: string, timeoutMs: number) => Promise<{ up: boolean; why?: string }>;

/**
 * A trace that knows the live health of the real servers behind the load-balancer targets it may
 * choose, as `vpclab curl` learns it by connecting: every backend the analysis asks about (a
 * target it judges, a zone its DNS answer weighs) is probed, all at once with a short timeout,
 * and the trace runs again with what the probes found, until it asks about nothing new. With no
 * load balancer on the path the analysis asks nothing, and nothing is probed. Each backend found
 * down that the trace counted gets a LIVE_BACKEND_DOWN note.
 */
export async function traceWithLiveHealth(view: NetworkView, req: Omit<TraceRequest, "backendHealth">, opts: { timeoutMs?: number; probe?: Probe } = {}): Promise<Trace> {
  const timeoutMs = opts.timeoutMs ?? TRACE_PROBE_TIMEOUT_MS;
  const check = opts.probe ?? ((address: string, ms: number) => probe(address, ms, true));
  const found = new Map<string, { up: boolean; why?: string }>();
  for (let round = 1; ; round++) {
    const asked = new Set<string>();
    const unknown = new Set<string>();
    const t = trace(view, {
      ...req,
      backendHealth: (address) => {
        asked.add(address);
        const f = found.get(address);
        if (!f) unknown.add(address);
        return f?.up;
      },
    });
    if (unknown.size === 0 || round >= MAX_PROBE_ROUNDS) {
      const down = [...asked].filter((a) => found.get(a)?.up === false);
      if (down.length > 0) {
        const uses = backendUses(view.world);
        t.notes.push(...down.map((a) => downNote(a, found.get(a)!.why, uses.get(a) ?? [], timeoutMs)));
      }
      return t;
    }
    await Promise.all([...unknown].map(async (a) => found.set(a, await check(a, timeoutMs))));
  }
}

function downNote(address: string, why: string | undefined, uses: BackendUse[], timeoutMs: number): Explanation {
  const owner = uses[0]?.taggedOn ?? address;
  const component = { id: owner, type: owner.startsWith("i-") ? "instance" : owner.startsWith("eni-") ? "network-interface" : "real-server" };
  const targets = uses.length > 0 ? ` (the real server of ${uses.map((u) => u.label).join(", ")}, by the vpclab:backend tag of ${owner})` : "";
  return {
    code: "LIVE_BACKEND_DOWN", component,
    message: `A live probe found ${address}${targets} down: ${why ?? "no connection"} (a TCP connection, ${timeoutMs} ms at most). The load balancer counts that target as unhealthy, as vpclab curl and connect do.`,
    fix: `Start the server on ${address}, or point the vpclab:backend tag of ${owner} at one that runs`,
  };
}
