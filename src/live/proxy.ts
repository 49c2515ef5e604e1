// The TCP data plane behind `vpclab connect`: a loopback listener where every accepted
// connection is traced on the current world and, when the path is open, carried to the real
// server behind the address it lands on. Per connection: one trace and one connect; the bytes
// then go socket to socket, with nothing of ours per chunk beyond handing it on.
import net from "node:net";
import { type FlowPlanner, type Plan, deliveryLabel } from "./flow.js";
import { DownMemory, type Health } from "./health.js";

export interface ProxyOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  planner: FlowPlanner;
  /** One line per connection: its decision. */
  log?: (line: string) => void;
  /** How long to wait for a backend to accept before counting it down (default 3000 ms). */
  connectTimeoutMs?: number;
  /** Known backend health (a prober), consulted after the proxy's own memory of failures. */
  health?: Health;
}

export interface Proxy {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** The first blocker, as a log line's reason. */
export function refusal(plan: Exclude<Plan, { kind: "deliver" }>): string {
  if (plan.kind === "no-backend") return `NO_BACKEND: ${plan.reason}`;
  const e = plan.trace.explanations[0];
  if (!e) return plan.kind === "unresolved" ? `DNS: ${plan.trace.destination.host ?? "?"} does not resolve` : "not reachable";
  const more = plan.trace.explanations.length - 1;
  return `${e.code}: ${e.message}${more > 0 ? ` (and ${more} more; vpclab trace shows all)` : ""}`;
}

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const log = opts.log ?? (() => undefined);
  const memory = new DownMemory(2000, opts.health);
  const open = new Set<net.Socket>();
  const target = `${opts.planner.target.host ?? opts.planner.target.ip ?? "?"}:${opts.planner.target.port}`;
  let accepted = 0;

  const handle = (client: net.Socket): void => {
    const n = ++accepted;
    const who = `#${n} ${client.remoteAddress ?? "?"}:${client.remotePort ?? "?"} → ${target}`;
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    const refuse = (why: string): void => {
      log(`${who}  refused  ${why}`);
      // Closed at once, without a byte: the client sees the connection end (a blocked flow on AWS
      // would rather time out, which helps no one waiting at a terminal).
      client.destroy();
    };
    const tried: string[] = [];
    const attempt = (): void => {
      let plan: Plan;
      try {
        plan = opts.planner.plan(n - 1, memory.health);
      } catch (e) {
        refuse(`error: ${(e as Error).message}`);
        return;
      }
      if (plan.kind !== "deliver") return refuse(refusal(plan));
      // The same backend again: the trace had no other target to offer.
      if (tried.includes(plan.address)) return refuse(`TARGET_UNHEALTHY: ${deliveryLabel(plan.delivery)}: its backend ${tried.join(", ")} does not accept connections`);
      tried.push(plan.address);
      const upstream = dial(plan.backend.host, plan.backend.port, client);
      const timeout = opts.connectTimeoutMs ?? 3000;
      upstream.setTimeout(timeout, () => upstream.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" })));
      const failed = (e: NodeJS.ErrnoException): void => {
        memory.markDown(plan.address);
        if (client.destroyed) return;
        log(`${who}  backend ${plan.address} of ${deliveryLabel(plan.delivery)} is down (${e.code ?? e.message})`);
        attempt();
      };
      upstream.once("error", failed);
      upstream.once("connect", () => {
        upstream.off("error", failed);
        upstream.setTimeout(0);
        if (client.destroyed) return void upstream.destroy();
        // Bytes first, then the log line (a synchronous write to stderr).
        splice(client, upstream, open);
        log(`${who}  admitted  ${deliveryLabel(plan.delivery)} → ${plan.address}${plan.delivery.via ? ` via ${plan.delivery.via.loadBalancerArn}` : ""}`);
      });
    };
    attempt();
  };

  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, handle);
  // An accept error (EMFILE ...) must not take the listener down.
  server.on("error", (e) => log(`warning: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: address.address,
    port: address.port,
    get accepted() { return accepted; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of open) s.destroy();
    }),
  };
}

/** The first read buffer for a backend's bytes (libuv's own read size), and how far it may grow. */
const FIRST_READ = 64 * 1024;
const MAX_READ = 1024 * 1024;

/**
 * A connection to the backend that reads into a buffer of its own (net's onread) and writes
 * each read straight to the client: no allocation per read, and a buffer that doubles while
 * reads fill it, so that a bulk transfer moves up to 1 MiB per read and write. That makes this
 * direction cost a third to a half of what pipe() costs (bench/README.md); the client's
 * direction cannot do the same, as net.Server offers no onread for accepted sockets. While the
 * client's socket has not taken a write, that write still refers to the buffer: reading pauses
 * until it is done, which is also the backpressure.
 */
function dial(host: string, port: number, client: net.Socket): net.Socket {
  let buffer = Buffer.allocUnsafe(FIRST_READ);
  const upstream: net.Socket = net.connect({
    host, port, noDelay: true, allowHalfOpen: true,
    onread: {
      // Asked for after every read: the same buffer, or the bigger one the last read asked for.
      buffer: () => buffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        if (client.destroyed) return false;
        client.write(buf.subarray(0, n), resumeAfterWrite);
        if (n === buf.length && buffer.length < MAX_READ) buffer = Buffer.allocUnsafe(buffer.length * 2);
        return client.writableLength === 0;
      },
    },
  });
  // With onread, resume() restarts reading that a false return stopped (net.Socket's own override).
  const resumeAfterWrite = (err?: Error | null): void => {
    if (!err && !upstream.destroyed && client.writableLength === 0) upstream.resume();
  };
  return upstream;
}

/**
 * Both directions, socket to socket: client to backend by forward(), backend to client by
 * dial()'s reads, each with backpressure (a slow reader pauses the other side). Half-close: one
 * side's FIN ends the other's writing and the reverse direction carries on (allowHalfOpen on
 * both). An error or abort on either side destroys both; a normal close of one does not cut the
 * other short while it still flushes what it was given.
 */
function splice(client: net.Socket, upstream: net.Socket, open: Set<net.Socket>): void {
  open.add(upstream);
  upstream.on("close", (hadError) => {
    open.delete(upstream);
    if (hadError || !upstream.readableEnded) client.destroy();
  });
  client.on("close", (hadError) => {
    if (hadError || !client.readableEnded) upstream.destroy();
  });
  upstream.on("error", () => upstream.destroy());
  upstream.on("end", () => client.end());
  forward(client, upstream);
}

/** How much the backend's socket may hold unsent before the client is paused. */
const UPSTREAM_BUFFER = 1024 * 1024;

/**
 * Client to backend. Node reads an accepted socket 64 KiB at a time; writing each read at once
 * costs a system call per 64 KiB, so the reads of one event-loop turn are gathered (cork) and
 * written together (one writev) at the end of the turn: the bytes wait no longer than the reads
 * that came with them. Backpressure: past UPSTREAM_BUFFER unsent, the client is paused until
 * the backend's socket drains.
 */
function forward(client: net.Socket, upstream: net.Socket): void {
  let corked = false;
  let waiting = false;
  const flush = (): void => {
    corked = false;
    upstream.uncork();
  };
  client.on("data", (chunk: Buffer) => {
    if (!corked) {
      corked = true;
      upstream.cork();
      setImmediate(flush);
    }
    upstream.write(chunk);
    // Past the socket's own high-water mark (16 KiB) write() says false, which also arms 'drain'.
    if (upstream.writableLength >= UPSTREAM_BUFFER && !waiting) {
      waiting = true;
      client.pause();
      upstream.once("drain", () => {
        waiting = false;
        client.resume();
      });
    }
  });
  // end() flushes what is corked first.
  client.on("end", () => upstream.end());
  client.resume();
}
