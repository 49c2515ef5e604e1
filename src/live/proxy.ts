// The TCP data plane behind `vpclab connect`: a loopback listener where every accepted
// connection is traced on the current world and, when the path is open, carried to the real
// server behind the address it lands on. Per connection: one trace and one connect; the bytes
// then go socket to socket, each direction read into a buffer of its own and written on at once.
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
  /**
   * false: read clients' bytes as 'data' events, the way the proxy falls back by itself when
   * adoptWithOnread() finds no handle to move (for tests of that path). Default true.
   */
  clientOnread?: boolean;
}

export interface Proxy {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Sockets open now, clients' and backends' (0 once every connection has closed). */
  readonly open: number;
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
  const timeout = opts.connectTimeoutMs ?? 3000;
  let accepted = 0;

  const handle = (socket: net.Socket): void => {
    const n = ++accepted;
    // Client to backend. The socket is still paused (pauseOnConnect): what the client sends
    // before the backend is connected waits in the kernel, and nothing is lost.
    const up = new Carry();
    const adopted = opts.clientOnread === false ? { socket, onread: false } : adoptWithOnread(socket, up.onread);
    const client = adopted.socket;
    if (adopted.onread) up.watch(client);
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
      // Backend to client: read from the start (net.connect takes onread), each read written to the client.
      const down = new Carry();
      const upstream = net.connect({ host: plan.backend.host, port: plan.backend.port, noDelay: true, allowHalfOpen: true, onread: down.onread });
      down.watch(upstream);
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
        down.start(upstream, client, true);
        down.watch(client);
        up.start(client, upstream, adopted.onread);
        if (adopted.onread) up.watch(upstream);
        log(`${who}  admitted  ${deliveryLabel(plan.delivery)} → ${plan.address}${plan.delivery.via ? ` via ${plan.delivery.via.loadBalancerArn}` : ""}`);
      });
    };
    attempt();
  };

  // noDelay: set on every accepted connection's socket (TCP_NODELAY), which adoption keeps.
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
    get open() { return open.size; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of open) s.destroy();
    }),
  };
}

/**
 * An accepted connection as a socket that reads into the caller's buffer (net's onread), which
 * net.Server does not offer for the sockets it accepts: their reads come as 'data' events, a
 * fresh 64 KiB buffer each, whose garbage costs a proxy in a process the size of vpclab's about
 * as much CPU again as the copying itself (bench/README.md). The connection's libuv handle (its
 * file descriptor, with TCP_NODELAY set by the server) moves to a new net.Socket made with
 * onread; the server's socket object, left without a handle, is destroyed, which closes nothing
 * (it only counts the connection off the server, so server.close() no longer waits for it: the
 * caller keeps track of it). This relies on net.Socket's private `_handle`, so it needs:
 * - the server created with pauseOnConnect, so that the handle has not read anything yet (the
 *   new socket is made paused too: the client's first bytes wait in the kernel until resume());
 * - a `_handle` to move: where there is none that looks like one (another runtime, a future
 *   Node), the socket comes back as it is, with onread false, and its reads come as 'data'.
 */
export function adoptWithOnread(socket: net.Socket, onread: net.OnReadOpts): { socket: net.Socket; onread: boolean } {
  const s = socket as net.Socket & { _handle?: { readStart?: unknown; readStop?: unknown } | null };
  const handle = s._handle;
  if (typeof handle?.readStart !== "function" || typeof handle.readStop !== "function" || !socket.isPaused()) return { socket, onread: false };
  s._handle = null;
  socket.destroy();
  // handle and pauseOnCreate are what net.Server itself passes for an accepted connection.
  const options = { handle, readable: true, writable: true, allowHalfOpen: true, noDelay: true, pauseOnCreate: true, onread };
  return { socket: new net.Socket(options), onread: true };
}

/** The first read buffer (libuv's own read size), and how far it may grow. */
const FIRST_READ = 64 * 1024;
const MAX_READ = 1024 * 1024;

/**
 * Read buffers of FIRST_READ bytes that closed connections gave back, for the next ones. Each
 * connection needs two from its first byte; allocated anew, that is 128 KiB outside the JS heap
 * per connection, which made V8 run a full (mark-compact) collection every 150 or so connections,
 * a fifth of the proxy's CPU per connection. Up to SPARE_MAX are kept (4 MiB).
 */
const spares: Buffer[] = [];
const SPARE_MAX = 64;

/**
 * One direction of a spliced connection: what `from` reads, written to `to`. With onread, `from`
 * reads into this carrier's buffer, which doubles while reads fill it (up to 1 MiB per read and
 * write), and each read is written on at once: no allocation per read, nothing per chunk but
 * the write. The write usually goes out in full at once (the kernel takes it); when it does not,
 * it still refers to the buffer, so reading pauses (the read callback returns false) until it
 * is done (the write's callback resumes), which is also the backpressure: a slow reader on one
 * side holds the other side's sender back, with at most one buffer in flight. Without onread
 * (the fallback), `from` is piped: 'data' chunks, paused while `to` is past its high-water mark.
 * Either way the end of `from` ends `to` (half-close: the other direction carries on).
 */
class Carry {
  private from?: net.Socket;
  private to?: net.Socket;
  private buffer?: Buffer;
  /** Sockets watched (watch()) that have not closed yet. */
  private open = 0;
  /**
   * For net's onread: the buffer is asked for when the socket gets its handle (a spare one), and
   * after every read (the same one, or the bigger one a full read asked for).
   */
  readonly onread: net.OnReadOpts = { buffer: () => (this.buffer ??= spares.pop() ?? Buffer.allocUnsafe(FIRST_READ)), callback: (n, buf) => this.read(n, buf) };
  /** Every write's callback (one function: Node batches the callbacks of one tick). */
  private readonly written = (err?: Error | null): void => {
    // With onread, resume() restarts reading that a false return stopped (net.Socket's override).
    if (!err && this.to!.writableLength === 0 && !this.from!.destroyed) this.from!.resume();
  };
  private readonly closed = (): void => {
    if (--this.open > 0 || !this.buffer) return;
    if (this.buffer.length === FIRST_READ && spares.length < SPARE_MAX) spares.push(this.buffer);
    this.buffer = undefined;
  };

  /**
   * The buffer goes back to the spares once every socket watched has closed: the one that reads
   * into it (`from`, watched as soon as it has the buffer), and the one written from it (`to`,
   * watched once spliced): after that nothing reads into it and no write refers to it.
   */
  watch(socket: net.Socket): void {
    this.open++;
    socket.once("close", this.closed);
  }

  start(from: net.Socket, to: net.Socket, onread: boolean): void {
    this.from = from;
    this.to = to;
    from.on("end", () => to.end());
    if (onread) from.resume();
    else from.pipe(to, { end: false });
  }

  private read(n: number, buf: Uint8Array): boolean {
    // Set by then: a backend's socket starts reading after 'connect' (whose listener starts it),
    // a client's when start() resumes it.
    const to = this.to!;
    if (to.destroyed) return false;
    to.write(n === buf.length ? buf : buf.subarray(0, n), this.written);
    // (A smaller buffer it replaces is left to the GC: its write may still be pending.)
    if (n === buf.length && buf.length < MAX_READ) this.buffer = Buffer.allocUnsafe(buf.length * 2);
    // Not write()'s answer: that is false for any chunk past the high-water mark (16 KiB), even
    // one the kernel took at once. Nothing left unsent: the buffer is free for the next read.
    return to.writableLength === 0;
  }
}

/**
 * Closing, for both sockets of a connection: an error or abort on either side destroys both; a
 * normal close of one does not cut the other short while it still flushes what it was given.
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
}
