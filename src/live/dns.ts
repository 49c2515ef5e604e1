// vpclab's DNS server: real DNS over UDP and TCP on loopback, answering each VPC's view exactly
// as `vpclab dig` does (the same `resolve`, the same rotation counters). A client picks a view by
// port: base port + the VPC's dnsIndex for a VPC's Route 53 Resolver, the base port itself for
// the public internet's view. Packets are encoded and decoded with dns-packet; anything it cannot
// read, or that could not be echoed faithfully, is dropped (UDP) or ends the connection (TCP).
import dgram from "node:dgram";
import net from "node:net";
import {
  type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question,
  AUTHORITATIVE_ANSWER, CHECKING_DISABLED, RECURSION_AVAILABLE, RECURSION_DESIRED, TRUNCATED_RESPONSE,
  decode, encode, streamEncode,
} from "dns-packet";
import { type Asker, resolve } from "../analysis/dns.js";
import type { DigResult } from "../analysis/types.js";
import { NetworkView } from "../analysis/view.js";
import type { Vpc } from "../model/types.js";
import type { World } from "../model/world.js";

/** The default base port: the public view; VPC n's resolver is on base + n. */
export const DEFAULT_DNS_PORT = 8053;

/** How long an idle TCP connection stays open (RFC 7766 suggests seconds, not minutes). */
export const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;
/** A TCP client that pipelines queries without reading its answers is cut off past this much. */
const MAX_TCP_BACKLOG = 1 << 20;
/** No real query comes near this (a question and an OPT record with padding); bigger ones are dropped. */
const MAX_QUERY = 4096;
/** What an answer may take over UDP without EDNS (RFC 1035), and the most vpclab offers with it. */
const UDP_PLAIN = 512;
const UDP_EDNS = 1232;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The public view, from outside any VPC. */
const INTERNET: Asker = { component: { id: "internet", type: "internet" } };

export interface DnsServerOptions {
  /** Where to listen (default 127.0.0.1). */
  host?: string;
  basePort: number;
  /** The current world; called per query and per sync (it may return another World after a reload). */
  world: () => World;
  log?: (line: string) => void;
  /**
   * If set, sync() also runs every pollMs milliseconds, for worlds changed by another process
   * (`vpclab apply` against the same data directory) that the server's write path never sees.
   */
  pollMs?: number;
  /**
   * The live health of the real backends behind load-balancer targets (`vpclab up`'s prober):
   * a load balancer's name, and an endpoint's regional name, then leave out zones whose targets
   * are all down, as AWS's DNS leaves out zones that fail their health checks.
   */
  backendHealth?: (address: string) => boolean | undefined;
}

export interface DnsServer {
  readonly host: string;
  readonly basePort: number;
  /** Where a VPC's resolver listens. Throws for an unknown VPC. */
  addressOf(vpcId: string): { host: string; port: number };
  /** Opens listeners for VPCs created since the last sync and closes those of deleted VPCs. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A VPC's DNS port, or undefined when it has no index or the port would be out of range. */
export function dnsPortOf(vpc: Vpc, basePort: number): number | undefined {
  if (vpc.dnsIndex === undefined) return undefined;
  const port = basePort + vpc.dnsIndex;
  return port <= 65535 ? port : undefined;
}

/** Caches the NetworkView per world state: by World identity and its version counter. */
class ViewCache {
  private cached?: { world: World; version: number; view: NetworkView };

  get(world: World): NetworkView {
    const c = this.cached;
    if (c?.world === world && c.version === world.version) return c.view;
    const view = new NetworkView(world);
    this.cached = { world, version: world.version, view };
    return view;
  }

  forget(): void {
    this.cached = undefined;
  }
}

/** A reply, and how big it may be over UDP (the client's EDNS payload size, or 512 bytes). */
interface Reply { packet: Packet; udpLimit: number }

/**
 * The reply to one query message for a view (a VPC id, or undefined for the public view), or
 * undefined when the message is to be dropped.
 */
function reply(msg: Buffer, vpcId: string | undefined, world: () => World, views: ViewCache, log: (l: string) => void, backendHealth?: DnsServerOptions["backendHealth"]): Reply | undefined {
  if (msg.length < 12 || msg.length > MAX_QUERY) return undefined;
  let query: DecodedPacket;
  try {
    query = decode(msg);
  } catch {
    return undefined;
  }
  // Responses are never answered (no loops between two servers); a query has exactly one question.
  if (query.type !== "query" || query.questions?.length !== 1) return undefined;
  const q = query.questions[0]!;
  if (!echoesFaithfully(msg, q)) return undefined;
  const flags = query.flags ?? 0;
  const opt = query.additionals?.find((a): a is OptAnswer => a.type === "OPT");
  const udpLimit = opt ? Math.min(Math.max(opt.udpPayloadSize, UDP_PLAIN), UDP_EDNS) : UDP_PLAIN;
  const response = (rcode: number, answers: Answer[] = [], authoritative = false): Reply => ({ udpLimit, packet: {
    type: "response",
    id: query.id ?? 0,
    // RD and CD echoed; RA always: the Route 53 Resolver is a recursive resolver.
    flags: (flags & (RECURSION_DESIRED | CHECKING_DISABLED)) | RECURSION_AVAILABLE | (authoritative ? AUTHORITATIVE_ANSWER : 0) | rcode,
    questions: [q],
    answers,
    additionals: opt ? [{ type: "OPT", name: ".", udpPayloadSize: UDP_EDNS, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  } });
  if (((flags >> 11) & 0xf) !== 0) return response(RCODE.NOTIMP); // only standard queries (opcode QUERY)
  if ((q.class ?? "IN") !== "IN") return response(RCODE.REFUSED);

  let result: DigResult;
  try {
    const w = world();
    // A listener whose VPC was deleted since the last sync.
    if (vpcId !== undefined && !w.vpcs.has(vpcId)) return response(RCODE.REFUSED);
    const asker: Asker = vpcId === undefined ? INTERNET : { vpcId, component: { id: vpcId, type: "vpc" } };
    // Rotation as `vpclab dig` counts it: per name, in the world's counters, advanced by A queries.
    // Only names with several addresses count, so random names cannot grow the counters.
    const key = q.name.toLowerCase().replace(/\.$/, "");
    const n = w.dnsRotation.get(key) ?? 0;
    result = resolve(views.get(w), asker, q.name, n, backendHealth);
    if (answersA(q) && result.answers.length > 1) w.dnsRotation.set(key, n + 1);
  } catch (e) {
    log(`warning: DNS query for ${q.name} failed: ${(e as Error).stack ?? String(e)}`);
    return response(RCODE.SERVFAIL);
  }
  // enableDnsSupport=false: real AWS does not answer at all and the client times out; REFUSED
  // tells a client the same thing at once (and `vpclab dig` explains why).
  if (result.status === "NO_RESOLVER") return response(RCODE.REFUSED);
  if (result.status === "NXDOMAIN") return response(RCODE.NXDOMAIN);
  // The resolver hosts the private zones and EC2's names itself: those answers are authoritative.
  const authoritative = result.source.kind === "private-dns" || result.source.kind === "ec2-internal";
  const records = result.answers.filter((r) =>
    answersA(q) ? true : q.type === "CNAME" ? r.type === "CNAME" && r.name === result.name : false);
  // A name with A records and nothing of the asked type (AAAA, MX, ...) is NODATA: NOERROR, no answers.
  return response(RCODE.NOERROR, records.map((r): Answer => ({
    type: r.type, class: "IN", ttl: r.ttl, data: r.value,
    // The owner name as the client spelled it (case included), so that 0x20-randomizing clients accept it.
    name: r.name === result.name ? q.name : r.name,
  })), authoritative);
}

/** A and ANY queries get the A records (and the CNAMEs before them). dns-packet decodes type 255 as "ANY", which its types omit. */
function answersA(q: Question): boolean {
  const type: string = q.type;
  return type === "A" || type === "ANY";
}

/**
 * Whether the question re-encodes to the bytes it came as: dns-packet reads labels as UTF-8 and
 * unknown classes as names it cannot write back, and a reply whose question differs from the
 * query's is discarded by clients anyway.
 */
function echoesFaithfully(msg: Buffer, q: Question): boolean {
  try {
    const echoed = encode({ type: "query", id: 0, flags: 0, questions: [q] }).subarray(12);
    return msg.subarray(12, 12 + echoed.length).equals(echoed);
  } catch {
    return false;
  }
}

/** Encodes for UDP: past the client's size limit, the answers are left out and TC set, so it retries over TCP. */
function encodeUdp({ packet, udpLimit }: Reply): Buffer {
  const buf = encode(packet);
  if (buf.length <= udpLimit) return buf;
  return encode({ ...packet, flags: (packet.flags ?? 0) | TRUNCATED_RESPONSE, answers: [] });
}

/** One view's UDP socket and TCP server. Either may be missing when its port could not be bound. */
class Listener {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();

  constructor(readonly port: number, private readonly answer: (msg: Buffer) => Reply | undefined) {}

  /** Whether it answers at all (UDP or TCP bound). */
  get listening(): boolean { return this.udp !== undefined || this.tcp !== undefined; }

  /** Binds both; returns what failed (empty when both listen). */
  async open(host: string): Promise<string[]> {
    const failures: string[] = [];
    const udp = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    udp.on("message", (msg, rinfo) => {
      const r = this.safeAnswer(msg);
      if (!r) return;
      let buf: Buffer;
      try {
        buf = encodeUdp(r);
      } catch {
        return;
      }
      try {
        udp.send(buf, rinfo.port, rinfo.address, () => undefined);
      } catch {
        // closing
      }
    });
    const udpError = await new Promise<Error | undefined>((done) => {
      udp.once("error", done);
      udp.bind(this.port, host, () => {
        udp.off("error", done);
        done(undefined);
      });
    });
    if (udpError) {
      failures.push(`UDP: ${udpError.message}`);
      udp.close();
    } else {
      udp.on("error", () => undefined); // e.g. ICMP port unreachable from a client that left
      this.udp = udp;
    }

    const tcp = net.createServer((socket) => this.serve(socket));
    tcp.maxConnections = MAX_TCP_CONNECTIONS;
    const tcpError = await new Promise<Error | undefined>((done) => {
      tcp.once("error", done);
      tcp.listen(this.port, host, () => {
        tcp.off("error", done);
        done(undefined);
      });
    });
    if (tcpError) failures.push(`TCP: ${tcpError.message}`);
    else {
      tcp.on("error", () => undefined);
      this.tcp = tcp;
    }
    return failures;
  }

  private safeAnswer(msg: Buffer): Reply | undefined {
    try {
      return this.answer(msg);
    } catch {
      return undefined;
    }
  }

  /** RFC 7766: 2-byte length-prefixed messages, several per connection, closed when idle. */
  private serve(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on("close", () => this.connections.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (length < 12) {
          socket.destroy();
          return;
        }
        if (pending.length < 2 + length) return;
        const msg = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        const r = this.safeAnswer(msg);
        let framed: Buffer | undefined;
        try {
          framed = r && streamEncode(r.packet);
        } catch {
          framed = undefined;
        }
        if (!framed || socket.writableLength > MAX_TCP_BACKLOG) {
          socket.destroy();
          return;
        }
        socket.write(framed);
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.connections) s.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      udp && new Promise<void>((done) => udp.close(() => done())),
      tcp && new Promise<void>((done) => tcp.close(() => done())),
    ]);
  }
}

/**
 * Starts the public view's listener on the base port and one per VPC. A port that cannot be bound
 * is logged and skipped: it never stops the server (nor do the other VPCs lose theirs).
 */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? "127.0.0.1";
  const { basePort, world } = opts;
  const log = opts.log ?? (() => undefined);
  const views = new ViewCache();
  const byVpc = new Map<string, Listener>();
  let closed = false;
  // What the last sync saw. A new VPC always advances world.dnsIndex and a deletion shrinks
  // world.vpcs, so within one World object these two numbers tell whether anything changed.
  let seen: { world: World; dnsIndex: number; vpcs: number } | undefined;
  let queue: Promise<void> = Promise.resolve();
  const warned = new Set<string>();

  const open = async (port: number, vpcId: string | undefined, what: string): Promise<Listener> => {
    const listener = new Listener(port, (msg) => reply(msg, vpcId, world, views, log, opts.backendHealth));
    const failures = await listener.open(host);
    if (failures.length > 0) log(`warning: DNS for ${what} on ${host}:${port} is not listening (${failures.join("; ")})`);
    return listener;
  };

  const syncNow = async (quiet: boolean): Promise<void> => {
    if (closed) return;
    views.forget();
    const w = world();
    if (seen?.world === w && seen.dnsIndex === w.dnsIndex && seen.vpcs === w.vpcs.size) return;
    const wanted = new Map<string, number>();
    for (const vpc of w.vpcs.values()) {
      const port = dnsPortOf(vpc, basePort);
      if (port !== undefined) wanted.set(vpc.id, port);
      else if (!warned.has(vpc.id)) {
        warned.add(vpc.id);
        log(`warning: no DNS port for ${vpc.id} (dnsIndex ${vpc.dnsIndex ?? "missing"}, base port ${basePort})`);
      }
    }
    // Close first: after a reset, a new VPC may get the port of one that is gone.
    const stale = [...byVpc].filter(([id, l]) => wanted.get(id) !== l.port);
    for (const [id] of stale) byVpc.delete(id);
    await Promise.all(stale.map(([, l]) => l.close()));
    if (!quiet) for (const [id, l] of stale) log(`DNS for ${id} on ${host}:${l.port} closed`);
    const fresh = [...wanted].filter(([id]) => !byVpc.has(id));
    const opened = await Promise.all(fresh.map(async ([id, port]) => ({ id, listener: await open(port, id, id) })));
    if (closed) {
      await Promise.all(opened.map(({ listener }) => listener.close()));
      return;
    }
    for (const { id, listener } of opened) {
      byVpc.set(id, listener);
      if (!quiet) log(`DNS for ${id} on ${host}:${listener.port}`);
    }
    seen = { world: w, dnsIndex: w.dnsIndex, vpcs: w.vpcs.size };
  };
  // Syncs run one at a time, in call order.
  const sync = (quiet = false): Promise<void> => {
    const next = queue.then(() => syncNow(quiet));
    queue = next.catch(() => undefined);
    return next;
  };

  const publicListener = await open(basePort, undefined, "the public view");
  try {
    await sync(true);
  } catch (e) {
    closed = true;
    await Promise.all([publicListener, ...byVpc.values()].map((l) => l.close()));
    throw e;
  }
  // Say what really listens: another vpclab on the same ports leaves this one's listeners unbound.
  const vpcListening = [...byVpc.values()].filter((l) => l.listening).length;
  const deaf = byVpc.size - vpcListening;
  log(`DNS on ${host}:${basePort} (public view)${publicListener.listening ? "" : " NOT LISTENING"} and ${vpcListening} VPC resolver${vpcListening === 1 ? "" : "s"} on base port + index ('vpclab dns-address VPC')${deaf > 0 || !publicListener.listening ? `; ${deaf + (publicListener.listening ? 0 : 1)} port(s) are taken (another vpclab? choose another --dns-port)` : ""}`);

  let timer: NodeJS.Timeout | undefined;
  if (opts.pollMs !== undefined && opts.pollMs > 0) {
    timer = setInterval(() => {
      sync().catch((e: unknown) => log(`warning: DNS sync failed: ${(e as Error).message}`));
    }, opts.pollMs);
    timer.unref();
  }

  return {
    host,
    basePort,
    addressOf(vpcId: string) {
      const vpc = world().vpcs.get(vpcId);
      if (!vpc) throw new Error(`no VPC ${vpcId}`);
      const port = dnsPortOf(vpc, basePort);
      if (port === undefined) throw new Error(`${vpcId} has no DNS port (dnsIndex ${vpc.dnsIndex ?? "missing"}, base port ${basePort})`);
      return { host, port };
    },
    sync: () => sync(),
    async close() {
      if (timer) clearInterval(timer);
      closed = true;
      await queue;
      const all = [publicListener, ...byVpc.values()];
      byVpc.clear();
      await Promise.all(all.map((l) => l.close()));
    },
  };
}
